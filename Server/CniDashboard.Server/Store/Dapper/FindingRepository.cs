using CniDashboard.Shared.Analysis;
using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Findings over SQLite or PostgreSQL: opened, updated in place while open, resolved — never deleted.</summary>
public sealed class FindingRepository(IStoreConnectionFactory connections, StoreCluster? cluster = null) : IFindingRepository
{
    static FindingRepository() => DapperConventions.Ensure();

    private readonly string _cluster = StoreCluster.IdOf(cluster);

    /// <inheritdoc />
    public async Task ApplyAsync(IReadOnlyList<FindingChanges> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0) return;
        const string open = """
            INSERT INTO findings (cluster_id, node, key, rule, severity, file, plugin, json_pointer, body, opened_at, opened_snapshot_id)
            VALUES (@Cluster, @Node, @Key, @Rule, @Severity, @File, @Plugin, @JsonPointer, @Body, @At, @SnapshotId)
            ON CONFLICT (cluster_id, node, key) WHERE resolved_at IS NULL DO UPDATE SET severity = excluded.severity, body = excluded.body
            """;
        const string update = """
            UPDATE findings SET severity = @Severity, body = @Body WHERE cluster_id = @Cluster AND node = @Node AND key = @Key AND resolved_at IS NULL
            """;
        const string resolve = """
            UPDATE findings SET resolved_at = @At, resolved_snapshot_id = @SnapshotId WHERE cluster_id = @Cluster AND node = @Node AND key = @Key AND resolved_at IS NULL
            """;
        const string worst = """
            UPDATE nodes SET worst_severity = @Worst WHERE cluster_id = @Cluster AND name = @Node
            """;

        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
        foreach (var change in changes)
        {
            var at = UnixTime.ToMs(change.At);
            foreach (var f in change.Opened)
                await connection.ExecuteAsync(new CommandDefinition(open, Args(change, f, at), tx, cancellationToken: cancellationToken));
            foreach (var f in change.Updated)
                await connection.ExecuteAsync(new CommandDefinition(update, Args(change, f, at), tx, cancellationToken: cancellationToken));
            foreach (var key in change.ResolvedKeys)
                await connection.ExecuteAsync(new CommandDefinition(resolve, new { Cluster = _cluster, change.Node, Key = key, At = at, change.SnapshotId }, tx, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(worst, new { Cluster = _cluster, change.Node, Worst = (int?)change.WorstSeverity }, tx, cancellationToken: cancellationToken));
        }

        await tx.CommitAsync(cancellationToken);
    }

    private object Args(FindingChanges change, Finding f, long at)
    {
        var body = StoreJson.Serialize(f);
        TokenGuard.EnsureNoToken(body, $"finding {f.Rule} of node {change.Node}");
        return new
        {
            Cluster = _cluster,
            change.Node,
            f.Key,
            f.Rule,
            Severity = (int)f.Severity,
            f.File,
            f.Plugin,
            f.JsonPointer,
            Body = body,
            At = at,
            change.SnapshotId,
        };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FindingRecord>> GetOpenAsync(CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM findings WHERE cluster_id = @cluster AND resolved_at IS NULL ORDER BY node, id
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, new { cluster = _cluster }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRecord()).ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FindingRecord>> GetForNodeAsync(string node, bool includeResolved, int limit, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM findings
            WHERE cluster_id = @cluster AND node = @node AND (@includeResolved OR resolved_at IS NULL)
            ORDER BY resolved_at IS NOT NULL, opened_at DESC, id DESC LIMIT @limit
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, new { cluster = _cluster, node, includeResolved, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRecord()).ToArray();
    }

    private const string Columns = """
        id AS Id, node AS Node, body AS Body, opened_at AS OpenedAt, opened_snapshot_id AS OpenedSnapshotId,
        resolved_at AS ResolvedAt, resolved_snapshot_id AS ResolvedSnapshotId
        """;

    private sealed class Row
    {
        public long Id { get; set; }
        public string Node { get; set; } = "";
        public string Body { get; set; } = "";
        public long OpenedAt { get; set; }
        public long? OpenedSnapshotId { get; set; }
        public long? ResolvedAt { get; set; }
        public long? ResolvedSnapshotId { get; set; }

        public FindingRecord ToRecord() => new()
        {
            Id = Id,
            Node = Node,
            Finding = StoreJson.Deserialize<Finding>(Body) ?? throw new InvalidDataException($"finding {Id} has no body"),
            OpenedAt = UnixTime.FromMs(OpenedAt),
            OpenedSnapshotId = OpenedSnapshotId,
            ResolvedAt = UnixTime.FromMs(ResolvedAt),
            ResolvedSnapshotId = ResolvedSnapshotId,
        };
    }
}
