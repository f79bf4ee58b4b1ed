using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Shared.Remediation;
using Dapper;

namespace CniDashboard.Server.Remediation;

/// <summary>A plan as stored, with the audit entry that recorded each node's row last (a step's Begin: its side effects carry that id).</summary>
/// <param name="Plan">The plan.</param>
/// <param name="NodeAuditSequences">Per node, the audit entry of the last write of its row.</param>
public sealed record StoredPlan(RemediationPlan Plan, IReadOnlyDictionary<string, long> NodeAuditSequences);

/// <summary>
/// Remediation plans in the store (SQLite or PostgreSQL): a header row per plan and a row per node (docs/remediation.md,
/// "Persistence"). Every write replaces one exact version (optimistic concurrency) and appends its
/// audit entry in the same transaction, through the callback; only the node rows a transition
/// touched are written.
/// </summary>
public sealed class PlanRepository(IStoreConnectionFactory connections, StoreCluster? cluster = null)
{
    static PlanRepository() => DapperConventions.Ensure();

    // A plan belongs to one cluster (a plan never spans clusters): this repository reads and writes only its cluster's.
    private readonly string _cluster = StoreCluster.IdOf(cluster);

    private readonly Dialect _dialect = connections.Pick(Dialect.Sqlite, Dialect.Postgres);

    /// <summary>Appends the audit entry of a write inside its transaction; returns the entry's sequence number.</summary>
    public delegate Task<long> RecordPlanWrite(DbConnection connection, DbTransaction transaction);

    /// <summary>The plan states the engine works on (or watches for expiry).</summary>
    public static IReadOnlyList<PlanState> OpenStates { get; } =
        [PlanState.PendingApproval, PlanState.Approved, PlanState.Running, PlanState.Paused, PlanState.Aborting, PlanState.RollingBack];

    /// <summary>The plan states that hold the cluster: only one plan may be in one of them.</summary>
    public static IReadOnlyList<PlanState> UnderwayStates { get; } = [PlanState.Running, PlanState.Paused, PlanState.Aborting, PlanState.RollingBack];

    /// <summary>What differs between SQL engines, in one place.</summary>
    /// <param name="StoredVersion">
    /// Reads the version a write replaces. SQLite: a plain read (the write transaction holds the
    /// database's write lock). PostgreSQL: FOR UPDATE, so a concurrent writer of the same plan waits
    /// and then sees the new version.
    /// </param>
    /// <param name="InFlightNodes">Joins the names of a plan's nodes in hand with newlines.</param>
    /// <param name="InStates">
    /// The condition "state is one of the array <c>@states</c>". SQLite: <c>IN @states</c>, which Dapper
    /// expands to one parameter per state. PostgreSQL: <c>= ANY(@states)</c>, the array passed as one
    /// parameter (Npgsql takes arrays, and Dapper leaves them whole).
    /// </param>
    private sealed record Dialect(string StoredVersion, string InFlightNodes, string InStates)
    {
        public static readonly Dialect Sqlite = new(
            "SELECT version FROM remediation_plans WHERE id = @id AND cluster_id = @cluster",
            "group_concat(n.node, char(10))",
            "IN @states");

        public static readonly Dialect Postgres = new(
            "SELECT version FROM remediation_plans WHERE id = @id AND cluster_id = @cluster FOR UPDATE",
            "string_agg(n.node, chr(10))",
            "= ANY(@states)");
    }

    /// <summary>Stores a new plan (its first version) with its audit entry; returns the entry's sequence number.</summary>
    public async Task<long> InsertAsync(RemediationPlan plan, RecordPlanWrite record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(record);
        const string insert = """
            INSERT INTO remediation_plans (id, cluster_id, version, state, rule, plugin, author, created_at, updated_at, header, audit_seq)
            VALUES (@Id, @ClusterId, @Version, @State, @Rule, @Plugin, @Author, @CreatedAt, @UpdatedAt, @Header, @AuditSeq)
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM remediation_plans WHERE id = @id", new { id = plan.Id }, tx, cancellationToken: cancellationToken));
        if (exists > 0) throw new PlanConflictException($"a plan with id {plan.Id} exists already");
        var sequence = await record(connection, tx);
        await connection.ExecuteAsync(new CommandDefinition(insert, HeaderRow(plan, sequence) with { ClusterId = _cluster }, tx, cancellationToken: cancellationToken));
        await WriteNodesAsync(connection, tx, plan, plan.Nodes.Select((n, i) => (n, i)), sequence, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return sequence;
    }

    /// <summary>
    /// Replaces <paramref name="previous"/> (its exact version) by <paramref name="next"/> with its audit
    /// entry, writing only the node rows that changed or moved; throws <see cref="PlanConflictException"/>
    /// when the stored version is not <paramref name="previous"/>'s.
    /// </summary>
    public async Task<long> UpdateAsync(RemediationPlan previous, RemediationPlan next, RecordPlanWrite record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(record);
        if (previous.Id != next.Id) throw new ArgumentException("a plan's next version has the same id", nameof(next));
        const string update = """
            UPDATE remediation_plans SET version = @Version, state = @State, updated_at = @UpdatedAt, header = @Header, audit_seq = @AuditSeq
            WHERE id = @Id AND cluster_id = @Cluster AND version = @Expected
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
        var stored = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(_dialect.StoredVersion, new { id = previous.Id, cluster = _cluster }, tx, cancellationToken: cancellationToken));
        if (stored != previous.Version)
            throw new PlanConflictException(stored is null ? $"plan {previous.Id} does not exist" : $"plan {previous.Id} is at version {stored}, not {previous.Version}: reload it and try again");

        var sequence = await record(connection, tx);
        var row = HeaderRow(next, sequence);
        var changed = await connection.ExecuteAsync(new CommandDefinition(update, new { row.Id, row.Version, row.State, row.UpdatedAt, row.Header, row.AuditSeq, Expected = previous.Version, Cluster = _cluster }, tx, cancellationToken: cancellationToken));
        if (changed != 1) throw new PlanConflictException();

        var before = previous.Nodes.Select((n, i) => (n, i)).ToDictionary(x => x.n.Node, StringComparer.Ordinal);
        // Records are immutable: a node a transition did not touch is the same instance at the same position.
        var touched = next.Nodes.Select((n, i) => (n, i)).Where(x => !before.TryGetValue(x.n.Node, out var old) || !ReferenceEquals(old.n, x.n) || old.i != x.i);
        await WriteNodesAsync(connection, tx, next, touched, sequence, cancellationToken);
        var kept = next.Nodes.Select(n => n.Node).ToHashSet(StringComparer.Ordinal);
        foreach (var removed in previous.Nodes.Where(n => !kept.Contains(n.Node)))
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM remediation_plan_nodes WHERE plan_id = @plan AND node = @node",
                new { plan = next.Id, node = removed.Node }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return sequence;
    }

    /// <summary>One plan with its nodes, or null.</summary>
    public async Task<StoredPlan?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var header = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("SELECT header FROM remediation_plans WHERE id = @id AND cluster_id = @cluster", new { id, cluster = _cluster }, tx, cancellationToken: cancellationToken));
        if (header is null) return null;
        var nodes = await connection.QueryAsync<(string Node, string Body, long AuditSeq)>(new CommandDefinition(
            "SELECT node, body, audit_seq FROM remediation_plan_nodes WHERE plan_id = @id ORDER BY position", new { id }, tx, cancellationToken: cancellationToken));
        return Read(header, nodes.ToList());
    }

    /// <summary>The ids of plans in <paramref name="states"/>, oldest first.</summary>
    public async Task<IReadOnlyList<string>> IdsInAsync(IReadOnlyList<PlanState> states, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT id FROM remediation_plans WHERE cluster_id = @cluster AND state {_dialect.InStates} ORDER BY created_at, id", new { cluster = _cluster, states = states.Select(StateName).ToArray() }, cancellationToken: cancellationToken))];
    }

    /// <summary>Plans for a list, newest first, with their progress counted from the node rows.</summary>
    public async Task<IReadOnlyList<PlanSummary>> ListAsync(PlanListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string> { "p.cluster_id = @cluster" };
        var parameters = new DynamicParameters();
        parameters.Add("cluster", _cluster);
        if (query.States is { Count: > 0 } states)
        {
            where.Add($"p.state {_dialect.InStates}");
            parameters.Add("states", states.Select(StateName).ToArray());
        }
        if (query.Node is { } node)
        {
            where.Add("EXISTS (SELECT 1 FROM remediation_plan_nodes x WHERE x.plan_id = p.id AND x.node = @node)");
            parameters.Add("node", node);
        }
        parameters.Add("limit", Math.Clamp(query.Limit, 1, 1000));
        var sql = $"""
            SELECT p.header AS Header,
                   (SELECT COUNT(*) FROM remediation_plan_nodes n WHERE n.plan_id = p.id) AS Nodes,
                   (SELECT COUNT(*) FROM remediation_plan_nodes n WHERE n.plan_id = p.id AND n.status IN ('fixed', 'notNeeded')) AS Fixed,
                   (SELECT COUNT(*) FROM remediation_plan_nodes n WHERE n.plan_id = p.id AND n.status = 'rolledBack') AS RolledBack,
                   (SELECT {_dialect.InFlightNodes} FROM remediation_plan_nodes n WHERE n.plan_id = p.id AND n.status IN ('fixing', 'rollingBack', 'releasing', 'failed')) AS InFlight
            FROM remediation_plans p
            WHERE {string.Join(" AND ", where)}
            ORDER BY p.created_at DESC, p.id DESC
            LIMIT @limit
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SummaryRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return [.. rows.Select(Summarize)];
    }

    /// <summary>The state as stored (camelCase, as in the plan's JSON).</summary>
    public static string StateName(PlanState state) => JsonNamingPolicy.CamelCase.ConvertName(state.ToString());

    private static PlanSummary Summarize(SummaryRow row)
    {
        var plan = Deserialize(row.Header);
        return new PlanSummary
        {
            Id = plan.Id,
            Rule = plan.Rule,
            Plugin = plan.Plugin,
            State = plan.State,
            Author = plan.Author,
            CreatedAt = plan.CreatedAt,
            UpdatedAt = plan.LastEvent?.At ?? plan.CreatedAt,
            Nodes = (int)row.Nodes,
            NodesDone = (int)(plan.State is PlanState.RollingBack or PlanState.RolledBack ? row.RolledBack : row.Fixed),
            NodesInFlight = row.InFlight is null ? [] : row.InFlight.Split('\n'),
            PausedReason = plan.State == PlanState.Paused ? plan.PauseDetail : null,
        };
    }

    private static HeaderRowValues HeaderRow(RemediationPlan plan, long sequence)
    {
        // The plan without its nodes: they have rows of their own.
        var json = JsonSerializer.SerializeToNode(plan, RemediationJsonContext.Default.RemediationPlan)!.AsObject();
        json.Remove("nodes");
        var header = json.ToJsonString();
        TokenGuard.EnsureNoToken(header, $"plan {plan.Id}");
        return new HeaderRowValues(plan.Id, plan.Version, StateName(plan.State), plan.Rule, plan.Plugin, plan.Author, plan.CreatedAt, plan.LastEvent?.At ?? plan.CreatedAt, header, sequence);
    }

    private static async Task WriteNodesAsync(DbConnection connection, DbTransaction tx, RemediationPlan plan, IEnumerable<(NodeRemediation Node, int Position)> nodes, long sequence, CancellationToken cancellationToken)
    {
        const string upsert = """
            INSERT INTO remediation_plan_nodes (plan_id, node, position, status, body, audit_seq) VALUES (@PlanId, @Node, @Position, @Status, @Body, @AuditSeq)
            ON CONFLICT (plan_id, node) DO UPDATE SET position = excluded.position, status = excluded.status, body = excluded.body, audit_seq = excluded.audit_seq
            """;
        foreach (var (node, position) in nodes)
        {
            var body = JsonSerializer.Serialize(node, RemediationJsonContext.Default.NodeRemediation);
            TokenGuard.EnsureNoToken(body, $"plan {plan.Id} node {node.Node}");
            await connection.ExecuteAsync(new CommandDefinition(upsert, new
            {
                PlanId = plan.Id,
                node.Node,
                Position = position,
                Status = JsonNamingPolicy.CamelCase.ConvertName(node.Status.ToString()),
                Body = body,
                AuditSeq = sequence,
            }, tx, cancellationToken: cancellationToken));
        }
    }

    private static StoredPlan Read(string header, IReadOnlyList<(string Node, string Body, long AuditSeq)> nodes)
    {
        // The nodes are set through the plan's own JSON: the plan's setters are the plan's business.
        var json = JsonNode.Parse(header)!.AsObject();
        var array = new JsonArray();
        foreach (var n in nodes) array.Add(JsonNode.Parse(n.Body));
        json["nodes"] = array;
        var plan = json.Deserialize(RemediationJsonContext.Default.RemediationPlan) ?? throw new InvalidDataException("a stored plan reads as null");
        return new StoredPlan(plan, nodes.ToDictionary(n => n.Node, n => n.AuditSeq, StringComparer.Ordinal));
    }

    private static RemediationPlan Deserialize(string header) =>
        JsonSerializer.Deserialize(header, RemediationJsonContext.Default.RemediationPlan) ?? throw new InvalidDataException("a stored plan reads as null");

    private sealed record HeaderRowValues(string Id, long Version, string State, string Rule, string? Plugin, string Author, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Header, long AuditSeq)
    {
        public string ClusterId { get; init; } = "";
    }

    private sealed record SummaryRow
    {
        public string Header { get; init; } = "";
        public long Nodes { get; init; }
        public long Fixed { get; init; }
        public long RolledBack { get; init; }
        public string? InFlight { get; init; }
    }
}
