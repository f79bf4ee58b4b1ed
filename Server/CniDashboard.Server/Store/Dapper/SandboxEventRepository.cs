using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;
using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Sandbox events over SQLite or PostgreSQL: one row per uid plus one row per observed count increase.</summary>
public sealed class SandboxEventRepository(IStoreConnectionFactory connections, StoreCluster? cluster = null) : ISandboxEventRepository
{
    static SandboxEventRepository() => DapperConventions.Ensure();

    private readonly string _cluster = StoreCluster.IdOf(cluster);

    private readonly Dialect _dialect = connections.Pick(Dialect.Sqlite, Dialect.Postgres);

    /// <summary>What differs between SQL engines, in one place.</summary>
    /// <param name="LockWriters">
    /// Run before the first uid is looked up. SQLite: nothing (the transaction holds the write lock).
    /// PostgreSQL: an advisory lock for event writers, so the read of a uid's count and the insert or
    /// update that follows are one step, as on SQLite (no lost increment, no duplicate insert).
    /// </param>
    private sealed record Dialect(string LockWriters)
    {
        public static readonly Dialect Sqlite = new("");

        public static readonly Dialect Postgres = new($"SELECT pg_advisory_xact_lock({PostgresLocks.SandboxEvents})");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxEventChange>> UpsertAsync(IReadOnlyList<SandboxEventObservation> observations, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (observations.Count == 0) return [];
        const string find = """
            SELECT count AS Count, last_seen AS LastSeen FROM sandbox_events WHERE cluster_id = @Cluster AND uid = @Uid
            """;
        const string insert = """
            INSERT INTO sandbox_events (cluster_id, uid, node, namespace, pod, message, sandbox_id, plugin_type, plugin_name, operation, error_class, error_text,
                                        count, first_seen, last_seen, linked_file, linked_pointer, linked_plugin, linked_rule, linked_snapshot_id)
            VALUES (@Cluster, @Uid, @Node, @Namespace, @Pod, @Message, @SandboxId, @PluginType, @PluginName, @Operation, @ErrorClass, @ErrorText,
                    @Count, @FirstSeen, @LastSeen, @LinkedFile, @LinkedPointer, @LinkedPlugin, @LinkedRule, @LinkedSnapshotId)
            """;
        const string update = """
            UPDATE sandbox_events SET count = @Count, last_seen = @LastSeen, message = @Message,
                linked_file = COALESCE(@LinkedFile, linked_file), linked_pointer = COALESCE(@LinkedPointer, linked_pointer),
                linked_plugin = COALESCE(@LinkedPlugin, linked_plugin), linked_rule = COALESCE(@LinkedRule, linked_rule),
                linked_snapshot_id = COALESCE(@LinkedSnapshotId, linked_snapshot_id)
            WHERE cluster_id = @Cluster AND uid = @Uid
            """;
        const string increment = """
            INSERT INTO sandbox_event_counts (cluster_id, uid, node, plugin_type, error_class, at, delta) VALUES (@Cluster, @Uid, @Node, @PluginType, @ErrorClass, @At, @Delta)
            """;

        var changes = new List<SandboxEventChange>(observations.Count);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
        await connection.RunIfAnyAsync(_dialect.LockWriters, tx, cancellationToken);
        foreach (var o in observations)
        {
            TokenGuard.EnsureNoToken(o.Message, $"sandbox event {o.Uid}");
            var args = Args(o);
            var existing = await connection.QuerySingleOrDefaultAsync<Existing>(new CommandDefinition(find, new { Cluster = _cluster, o.Uid }, tx, cancellationToken: cancellationToken));
            var lastSeen = UnixTime.ToMs(o.LastSeen);
            if (existing is null)
            {
                await connection.ExecuteAsync(new CommandDefinition(insert, args, tx, cancellationToken: cancellationToken));
                // A first sighting of an aggregated event: one failure at its first time, the rest at its last,
                // which is as close to the truth as the event lets us get.
                var count = Math.Max(1, o.Count);
                var first = UnixTime.ToMs(o.FirstSeen);
                await InsertIncrement(o, first, 1);
                if (count > 1) await InsertIncrement(o, Math.Max(first, lastSeen), count - 1);
                changes.Add(new SandboxEventChange(o.Uid, o.Node, count, IsNew: true));
                continue;
            }

            var delta = o.Count - (int)existing.Count;
            if (delta <= 0 && lastSeen <= existing.LastSeen)
            {
                changes.Add(new SandboxEventChange(o.Uid, o.Node, 0, IsNew: false));
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(update, args, tx, cancellationToken: cancellationToken));
            // A count that went down means the event was recreated under the same uid; count it as new failures.
            var added = delta > 0 ? delta : Math.Max(1, o.Count);
            await InsertIncrement(o, lastSeen, added);
            changes.Add(new SandboxEventChange(o.Uid, o.Node, added, IsNew: false));
        }

        await tx.CommitAsync(cancellationToken);
        return changes;

        Task InsertIncrement(SandboxEventObservation o, long at, int delta) =>
            connection.ExecuteAsync(new CommandDefinition(increment, new
            {
                Cluster = _cluster,
                o.Uid,
                o.Node,
                o.Failure.PluginType,
                ErrorClass = (int)o.Failure.ErrorClass,
                At = at,
                Delta = delta,
            }, tx, cancellationToken: cancellationToken));
    }

    private object Args(SandboxEventObservation o) => new
    {
        Cluster = _cluster,
        o.Uid,
        o.Node,
        o.Namespace,
        o.Pod,
        o.Message,
        o.Failure.SandboxId,
        o.Failure.PluginType,
        o.Failure.PluginName,
        Operation = (int?)o.Failure.Operation,
        ErrorClass = (int)o.Failure.ErrorClass,
        o.Failure.ErrorText,
        Count = Math.Max(1, o.Count),
        FirstSeen = UnixTime.ToMs(o.FirstSeen),
        LastSeen = UnixTime.ToMs(o.LastSeen),
        LinkedFile = o.Link?.File,
        LinkedPointer = o.Link?.JsonPointer,
        LinkedPlugin = o.Link?.PluginType,
        LinkedRule = o.Link?.Rule,
        o.LinkedSnapshotId,
    };

    private const string Filter = """
        cluster_id = @Cluster AND (@Node IS NULL OR node = @Node) AND (@PluginType IS NULL OR plugin_type = @PluginType) AND (@ErrorClass IS NULL OR error_class = @ErrorClass)
        """;

    private object FilterArgs(DateTimeOffset since, SandboxErrorQuery filter) => new
    {
        Cluster = _cluster,
        Since = UnixTime.ToMs(since),
        filter.Node,
        filter.PluginType,
        ErrorClass = (int?)filter.ErrorClass,
    };

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxErrorView>> GetRecentAsync(DateTimeOffset since, SandboxErrorQuery filter, int limit, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT uid AS Uid, node AS Node, namespace AS Namespace, pod AS Pod, sandbox_id AS SandboxId, plugin_type AS PluginType,
                   plugin_name AS PluginName, operation AS Operation, error_class AS ErrorClass, error_text AS ErrorText,
                   count AS Count, first_seen AS FirstSeen, last_seen AS LastSeen, linked_file AS LinkedFile,
                   linked_pointer AS LinkedPointer, linked_plugin AS LinkedPlugin, linked_rule AS LinkedRule
            FROM sandbox_events
            WHERE last_seen >= @Since AND {Filter}
            ORDER BY last_seen DESC, uid LIMIT @Limit
            """;
        var args = new DynamicParameters(FilterArgs(since, filter));
        args.Add("Limit", limit);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(sql, args, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToView()).ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxAggregate>> GroupAsync(DateTimeOffset since, SandboxErrorQuery filter, SandboxGrouping groupBy, CancellationToken cancellationToken)
    {
        var key = KeyColumn(groupBy);
        var sql = $"""
            SELECT {key} AS Key, SUM(delta) AS Count, COUNT(DISTINCT node) AS Nodes, MIN(at) AS FirstSeen, MAX(at) AS LastSeen
            FROM sandbox_event_counts
            WHERE at >= @Since AND {Filter}
            GROUP BY {key} ORDER BY Count DESC, Key
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<GroupRow>(new CommandDefinition(sql, FilterArgs(since, filter), cancellationToken: cancellationToken));
        return rows.Select(r => new SandboxAggregate(
            KeyName(groupBy, r.Key), (int)r.Count, (int)r.Nodes, UnixTime.FromMs(r.FirstSeen), UnixTime.FromMs(r.LastSeen))).ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TimelineBucket>> TimelineAsync(
        DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, SandboxErrorQuery filter, SandboxGrouping stackBy, CancellationToken cancellationToken)
    {
        var key = KeyColumn(stackBy);
        var sql = $"""
            SELECT (at - @Since) / @Bucket AS Slot, {key} AS Key, SUM(delta) AS Count
            FROM sandbox_event_counts
            WHERE at >= @Since AND at < @Until AND {Filter}
            GROUP BY Slot, Key
            """;
        var bucketMs = (long)bucket.TotalMilliseconds;
        var args = new DynamicParameters(FilterArgs(since, filter));
        args.Add("Until", UnixTime.ToMs(until));
        args.Add("Bucket", bucketMs);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<SlotRow>(new CommandDefinition(sql, args, cancellationToken: cancellationToken))).ToArray();

        var slots = (int)Math.Ceiling((until - since).TotalMilliseconds / bucketMs);
        var buckets = new List<TimelineBucket>(slots);
        for (var i = 0; i < slots; i++)
        {
            var counts = rows.Where(r => r.Slot == i)
                .ToDictionary(r => KeyName(stackBy, r.Key), r => (int)r.Count, StringComparer.Ordinal);
            buckets.Add(new TimelineBucket(since + TimeSpan.FromMilliseconds(bucketMs * i), counts));
        }

        return buckets;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxIncrement>> GetIncrementsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT uid AS Uid, node AS Node, plugin_type AS PluginType, error_class AS ErrorClass, at AS At, delta AS Delta
            FROM sandbox_event_counts WHERE cluster_id = @cluster AND at >= @since ORDER BY at
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<IncrementRow>(new CommandDefinition(sql, new { cluster = _cluster, since = UnixTime.ToMs(since) }, cancellationToken: cancellationToken));
        return rows.Select(r => new SandboxIncrement(r.Uid, r.Node, r.PluginType, (SandboxErrorClass)r.ErrorClass, UnixTime.FromMs(r.At), (int)r.Delta)).ToArray();
    }

    private static string KeyColumn(SandboxGrouping grouping) => grouping switch
    {
        SandboxGrouping.Node => "node",
        SandboxGrouping.Plugin => "COALESCE(plugin_type, '(none)')",
        _ => "CAST(error_class AS TEXT)",
    };

    private static string KeyName(SandboxGrouping grouping, string key) =>
        grouping == SandboxGrouping.ErrorClass && int.TryParse(key, out var c) ? ((SandboxErrorClass)c).ToString() : key;

    private sealed class Existing
    {
        public long Count { get; set; }
        public long LastSeen { get; set; }
    }

    private sealed class GroupRow
    {
        public string Key { get; set; } = "";
        public long Count { get; set; }
        public long Nodes { get; set; }
        public long FirstSeen { get; set; }
        public long LastSeen { get; set; }
    }

    private sealed class SlotRow
    {
        public long Slot { get; set; }
        public string Key { get; set; } = "";
        public long Count { get; set; }
    }

    private sealed class IncrementRow
    {
        public string Uid { get; set; } = "";
        public string Node { get; set; } = "";
        public string? PluginType { get; set; }
        public long ErrorClass { get; set; }
        public long At { get; set; }
        public long Delta { get; set; }
    }

    private sealed class EventRow
    {
        public string Uid { get; set; } = "";
        public string Node { get; set; } = "";
        public string? Namespace { get; set; }
        public string? Pod { get; set; }
        public string? SandboxId { get; set; }
        public string? PluginType { get; set; }
        public string? PluginName { get; set; }
        public long? Operation { get; set; }
        public long ErrorClass { get; set; }
        public string ErrorText { get; set; } = "";
        public long Count { get; set; }
        public long FirstSeen { get; set; }
        public long LastSeen { get; set; }
        public string? LinkedFile { get; set; }
        public string? LinkedPointer { get; set; }
        public string? LinkedPlugin { get; set; }
        public string? LinkedRule { get; set; }

        public SandboxErrorView ToView() => new()
        {
            EventUid = Uid,
            Node = Node,
            Namespace = Namespace,
            Pod = Pod,
            Failure = new SandboxFailure
            {
                SandboxId = SandboxId,
                PluginType = PluginType,
                PluginName = PluginName,
                Operation = Operation is null ? null : (SandboxOperation)Operation.Value,
                ErrorText = ErrorText,
                ErrorClass = (SandboxErrorClass)ErrorClass,
                PodName = Pod,
            },
            Count = (int)Count,
            FirstSeen = UnixTime.FromMs(FirstSeen),
            LastSeen = UnixTime.FromMs(LastSeen),
            LinkedEntry = LinkedFile is null ? null : new ConfigEntryLink
            {
                File = LinkedFile,
                JsonPointer = LinkedPointer,
                PluginType = LinkedPlugin,
                Rule = LinkedRule,
            },
        };
    }
}
