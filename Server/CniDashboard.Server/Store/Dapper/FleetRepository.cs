using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;
using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>
/// The one reader across clusters (SQLite or PostgreSQL): counts per cluster, findings per cluster and
/// rule, and one cluster's nodes. Every other repository is scoped to one cluster.
/// </summary>
public sealed class FleetRepository(IStoreConnectionFactory connections)
{
    static FleetRepository() => DapperConventions.Ensure();

    /// <summary>Node counts of every cluster with at least one node, unordered.</summary>
    public async Task<IReadOnlyList<ClusterHealth>> GetClustersAsync(CancellationToken cancellationToken)
    {
        const string sql = $"""
            {Counts} GROUP BY cluster_id
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CountRow>(new CommandDefinition(sql, Severities, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToHealth())];
    }

    /// <summary>One cluster's counts, or null when it has no node.</summary>
    public async Task<ClusterHealth?> GetClusterAsync(string cluster, CancellationToken cancellationToken)
    {
        const string sql = $"""
            {Counts} WHERE cluster_id = @cluster GROUP BY cluster_id
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var args = new DynamicParameters(Severities);
        args.Add("cluster", cluster);
        var row = await connection.QuerySingleOrDefaultAsync<CountRow>(new CommandDefinition(sql, args, cancellationToken: cancellationToken));
        return row?.ToHealth();
    }

    /// <summary>Open findings counted by cluster and rule (distinct nodes), with the worst severity.</summary>
    public async Task<IReadOnlyList<(string Cluster, string Rule, Severity Severity, int Nodes)>> GetOpenFindingsAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT cluster_id AS Cluster, rule AS Rule, MAX(severity) AS Severity, COUNT(DISTINCT node) AS Nodes
            FROM findings WHERE resolved_at IS NULL GROUP BY cluster_id, rule
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FindingCountRow>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return [.. rows.Select(r => (r.Cluster, r.Rule, (Severity)r.Severity, (int)r.Nodes))];
    }

    /// <summary>Up to <paramref name="limit"/> nodes of a cluster, worst first then by name, with their open findings' rules.</summary>
    public async Task<IReadOnlyList<FleetNode>> GetNodesAsync(string cluster, int limit, CancellationToken cancellationToken)
    {
        // Severity is ranked with stale agents between warnings and healthy nodes, as the fleet view ranks clusters.
        const string nodesSql = """
            SELECT name AS Name, agent_state AS AgentState, worst_severity AS WorstSeverity, last_change_at AS LastChangeAt
            FROM nodes WHERE cluster_id = @cluster
            ORDER BY COALESCE(worst_severity, -1) DESC, CASE WHEN agent_state = @stale THEN 0 ELSE 1 END, name
            LIMIT @limit
            """;
        const string rulesSql = """
            SELECT DISTINCT node AS Node, rule AS Rule FROM findings WHERE cluster_id = @cluster AND resolved_at IS NULL
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var nodes = (await connection.QueryAsync<NodeRow>(new CommandDefinition(nodesSql, new { cluster, limit, stale = (int)AgentState.Stale }, cancellationToken: cancellationToken))).ToArray();
        var rules = (await connection.QueryAsync<(string Node, string Rule)>(new CommandDefinition(rulesSql, new { cluster }, cancellationToken: cancellationToken)))
            .GroupBy(r => r.Node, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(r => r.Rule).Order(StringComparer.Ordinal)], StringComparer.Ordinal);
        return [.. nodes.Select(n => new FleetNode
        {
            Name = n.Name,
            Agent = (AgentState)n.AgentState,
            WorstSeverity = n.WorstSeverity is null ? null : (Severity)n.WorstSeverity.Value,
            LastChangeAt = UnixTime.FromMs(n.LastChangeAt),
            Rules = rules.GetValueOrDefault(n.Name) ?? [],
        })];
    }

    /// <summary>A cluster's node counts by state (the caller adds the WHERE and GROUP BY).</summary>
    private const string Counts = """
        SELECT cluster_id AS Id, COUNT(*) AS Nodes,
               SUM(CASE WHEN worst_severity = @critical THEN 1 ELSE 0 END) AS Critical,
               SUM(CASE WHEN worst_severity = @warning THEN 1 ELSE 0 END) AS Warning,
               SUM(CASE WHEN agent_state = @stale THEN 1 ELSE 0 END) AS Stale,
               MAX(last_change_at) AS LastChangeAt
        FROM nodes
        """;

    private static readonly object Severities = new { critical = (int)Severity.Critical, warning = (int)Severity.Warning, stale = (int)AgentState.Stale };

    private sealed class CountRow
    {
        public string Id { get; set; } = "";
        public long Nodes { get; set; }
        public long Critical { get; set; }
        public long Warning { get; set; }
        public long Stale { get; set; }
        public long? LastChangeAt { get; set; }

        public ClusterHealth ToHealth() => new()
        {
            Id = Id,
            Nodes = (int)Nodes,
            Critical = (int)Critical,
            Warning = (int)Warning,
            Stale = (int)Stale,
            LastChangeAt = UnixTime.FromMs(LastChangeAt),
        };
    }

    private sealed class FindingCountRow
    {
        public string Cluster { get; set; } = "";
        public string Rule { get; set; } = "";
        public long Severity { get; set; }
        public long Nodes { get; set; }
    }

    private sealed class NodeRow
    {
        public string Name { get; set; } = "";
        public long AgentState { get; set; }
        public long? WorstSeverity { get; set; }
        public long? LastChangeAt { get; set; }
    }
}
