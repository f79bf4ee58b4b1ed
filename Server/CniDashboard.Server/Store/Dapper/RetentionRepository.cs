using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Retention over SQLite or PostgreSQL.</summary>
public sealed class RetentionRepository(IStoreConnectionFactory connections, StoreCluster? cluster = null) : IRetentionRepository
{
    static RetentionRepository() => DapperConventions.Ensure();

    private readonly string _cluster = StoreCluster.IdOf(cluster);

    private readonly Dialect _dialect = connections.Pick(Dialect.Sqlite, Dialect.Postgres);

    /// <summary>What differs between SQL engines, in one place.</summary>
    /// <param name="LockBlobs">
    /// Run before anything is deleted. SQLite: nothing (the transaction holds the write lock, so no
    /// ingest is half-way). PostgreSQL: the blobs lock exclusively; ingests hold it shared until they
    /// commit, so a blob an ingest is about to reference is never deleted under it.
    /// </param>
    /// <param name="Greater">The larger of two values (<c>MAX(a, b)</c> on SQLite, <c>GREATEST(a, b)</c> on PostgreSQL).</param>
    private sealed record Dialect(string LockBlobs, string Greater)
    {
        public static readonly Dialect Sqlite = new("", "MAX");

        public static readonly Dialect Postgres = new($"SELECT pg_advisory_xact_lock({PostgresLocks.Blobs})", "GREATEST");
    }

    /// <inheritdoc />
    public async Task<RetentionResult> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        // Each node keeps its latest snapshot however old: it is what the node looks like now. Only this
        // cluster's history goes (each collector prunes its own); blobs go when no cluster references them.
        const string deleteFiles = """
            DELETE FROM snapshot_files WHERE snapshot_id IN (
                SELECT id FROM snapshots WHERE cluster_id = @cluster AND taken_at < @cutoff AND id NOT IN (SELECT latest_snapshot_id FROM nodes WHERE latest_snapshot_id IS NOT NULL))
            """;
        const string deleteSnapshots = """
            DELETE FROM snapshots WHERE cluster_id = @cluster AND taken_at < @cutoff AND id NOT IN (SELECT latest_snapshot_id FROM nodes WHERE latest_snapshot_id IS NOT NULL)
            """;
        const string deleteCounts = """
            DELETE FROM sandbox_event_counts WHERE cluster_id = @cluster AND uid IN (SELECT uid FROM sandbox_events WHERE cluster_id = @cluster AND last_seen < @cutoff)
            """;
        const string deleteEvents = """
            DELETE FROM sandbox_events WHERE cluster_id = @cluster AND last_seen < @cutoff
            """;
        const string deleteBlobs = """
            DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM snapshot_files f WHERE f.blob_key = blobs.key)
                                AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.binaries_key = blobs.key)
            """;
        var record = $"""
            INSERT INTO retention (cluster_id, what, pruned_before) VALUES (@cluster, @what, @cutoff)
            ON CONFLICT (cluster_id, what) DO UPDATE SET pruned_before = {_dialect.Greater}(retention.pruned_before, excluded.pruned_before)
            """;

        var cutoff = UnixTime.ToMs(before);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
        await connection.RunIfAnyAsync(_dialect.LockBlobs, tx, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(deleteFiles, new { cluster = _cluster, cutoff }, tx, cancellationToken: cancellationToken));
        var snapshots = await connection.ExecuteAsync(new CommandDefinition(deleteSnapshots, new { cluster = _cluster, cutoff }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(deleteCounts, new { cluster = _cluster, cutoff }, tx, cancellationToken: cancellationToken));
        var events = await connection.ExecuteAsync(new CommandDefinition(deleteEvents, new { cluster = _cluster, cutoff }, tx, cancellationToken: cancellationToken));
        var blobs = await connection.ExecuteAsync(new CommandDefinition(deleteBlobs, transaction: tx, cancellationToken: cancellationToken));
        if (snapshots > 0)
            await connection.ExecuteAsync(new CommandDefinition(record, new { cluster = _cluster, what = "snapshots", cutoff }, tx, cancellationToken: cancellationToken));
        if (events > 0)
            await connection.ExecuteAsync(new CommandDefinition(record, new { cluster = _cluster, what = "sandbox_events", cutoff }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new RetentionResult(snapshots, blobs, events);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> GetPrunedBeforeAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT what AS What, pruned_before AS PrunedBefore FROM retention WHERE cluster_id = @cluster
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string What, long PrunedBefore)>(new CommandDefinition(sql, new { cluster = _cluster }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.What, r => UnixTime.FromMs(r.PrunedBefore), StringComparer.Ordinal);
    }
}
