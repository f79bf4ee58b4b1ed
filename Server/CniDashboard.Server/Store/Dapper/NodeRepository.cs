using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Nodes and agent status over SQLite or PostgreSQL.</summary>
public sealed class NodeRepository(IStoreConnectionFactory connections, StoreCluster? cluster = null) : INodeRepository
{
    static NodeRepository() => DapperConventions.Ensure();

    private readonly string _cluster = StoreCluster.IdOf(cluster);

    /// <inheritdoc />
    public async Task<IReadOnlyList<NodeRow>> GetAllAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT name AS Name, first_seen_at AS FirstSeenAt, agent_state AS AgentState, stale_since AS StaleSince,
                   stale_reason AS StaleReason, last_seen_at AS LastSeenAt, agent_version AS AgentVersion,
                   manifest_hash AS ManifestHash, latest_snapshot_id AS LatestSnapshotId,
                   last_change_at AS LastChangeAt, worst_severity AS WorstSeverity
            FROM nodes WHERE cluster_id = @cluster
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, new { cluster = _cluster }, cancellationToken: cancellationToken));
        return rows.Select(r => new NodeRow
        {
            Name = r.Name,
            FirstSeenAt = UnixTime.FromMs(r.FirstSeenAt),
            AgentState = (AgentState)r.AgentState,
            StaleSince = UnixTime.FromMs(r.StaleSince),
            StaleReason = r.StaleReason,
            LastSeenAt = UnixTime.FromMs(r.LastSeenAt),
            AgentVersion = r.AgentVersion,
            ManifestHash = r.ManifestHash,
            LatestSnapshotId = r.LatestSnapshotId,
            LastChangeAt = UnixTime.FromMs(r.LastChangeAt),
            WorstSeverity = r.WorstSeverity is null ? null : (Severity)r.WorstSeverity.Value,
        }).ToArray();
    }

    /// <inheritdoc />
    public async Task SaveAgentStatesAsync(IReadOnlyList<AgentStateWrite> states, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (states.Count == 0) return;
        const string sql = """
            INSERT INTO nodes (cluster_id, name, first_seen_at, agent_state, stale_since, stale_reason, last_seen_at, agent_version)
            VALUES (@Cluster, @Node, @Now, @State, @StaleSince, @Reason, @LastSeenAt, @Version)
            ON CONFLICT (cluster_id, name) DO UPDATE SET
                agent_state = excluded.agent_state, stale_since = excluded.stale_since, stale_reason = excluded.stale_reason,
                last_seen_at = COALESCE(excluded.last_seen_at, nodes.last_seen_at),
                agent_version = COALESCE(excluded.agent_version, nodes.agent_version)
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
        foreach (var s in states)
        {
            TokenGuard.EnsureNoToken(s.Status.Reason, $"stale reason of node {s.Node}");
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                Cluster = _cluster,
                s.Node,
                Now = UnixTime.ToMs(now),
                State = (int)s.Status.State,
                StaleSince = UnixTime.ToMs(s.Status.StaleSince),
                s.Status.Reason,
                LastSeenAt = UnixTime.ToMs(s.Status.LastSeenAt),
                s.Status.Version,
            }, tx, cancellationToken: cancellationToken));
        }

        await tx.CommitAsync(cancellationToken);
    }

    private sealed class Row
    {
        public string Name { get; set; } = "";
        public long FirstSeenAt { get; set; }
        public long AgentState { get; set; }
        public long? StaleSince { get; set; }
        public string? StaleReason { get; set; }
        public long? LastSeenAt { get; set; }
        public string? AgentVersion { get; set; }
        public string? ManifestHash { get; set; }
        public long? LatestSnapshotId { get; set; }
        public long? LastChangeAt { get; set; }
        public long? WorstSeverity { get; set; }
    }
}
