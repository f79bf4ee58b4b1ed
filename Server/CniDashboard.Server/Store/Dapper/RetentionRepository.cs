using Dapper;
using Microsoft.Data.Sqlite;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Retention over SQLite.</summary>
public sealed class RetentionRepository(SqliteConnectionFactory connections) : IRetentionRepository
{
    static RetentionRepository() => DapperConventions.Ensure();

    /// <inheritdoc />
    public async Task<RetentionResult> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        // Each node keeps its latest snapshot however old: it is what the node looks like now.
        const string deleteFiles = """
            DELETE FROM snapshot_files WHERE snapshot_id IN (
                SELECT id FROM snapshots WHERE taken_at < @cutoff AND id NOT IN (SELECT latest_snapshot_id FROM nodes WHERE latest_snapshot_id IS NOT NULL))
            """;
        const string deleteSnapshots = """
            DELETE FROM snapshots WHERE taken_at < @cutoff AND id NOT IN (SELECT latest_snapshot_id FROM nodes WHERE latest_snapshot_id IS NOT NULL)
            """;
        const string deleteCounts = """
            DELETE FROM sandbox_event_counts WHERE uid IN (SELECT uid FROM sandbox_events WHERE last_seen < @cutoff)
            """;
        const string deleteEvents = """
            DELETE FROM sandbox_events WHERE last_seen < @cutoff
            """;
        const string deleteBlobs = """
            DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM snapshot_files f WHERE f.blob_key = blobs.key)
                                AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.binaries_key = blobs.key)
            """;
        const string record = """
            INSERT INTO retention (what, pruned_before) VALUES (@what, @cutoff)
            ON CONFLICT (what) DO UPDATE SET pruned_before = MAX(retention.pruned_before, excluded.pruned_before)
            """;

        var cutoff = UnixTime.ToMs(before);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(deleteFiles, new { cutoff }, tx, cancellationToken: cancellationToken));
        var snapshots = await connection.ExecuteAsync(new CommandDefinition(deleteSnapshots, new { cutoff }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(deleteCounts, new { cutoff }, tx, cancellationToken: cancellationToken));
        var events = await connection.ExecuteAsync(new CommandDefinition(deleteEvents, new { cutoff }, tx, cancellationToken: cancellationToken));
        var blobs = await connection.ExecuteAsync(new CommandDefinition(deleteBlobs, transaction: tx, cancellationToken: cancellationToken));
        if (snapshots > 0)
            await connection.ExecuteAsync(new CommandDefinition(record, new { what = "snapshots", cutoff }, tx, cancellationToken: cancellationToken));
        if (events > 0)
            await connection.ExecuteAsync(new CommandDefinition(record, new { what = "sandbox_events", cutoff }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new RetentionResult(snapshots, blobs, events);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> GetPrunedBeforeAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT what AS What, pruned_before AS PrunedBefore FROM retention
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string What, long PrunedBefore)>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.What, r => UnixTime.FromMs(r.PrunedBefore), StringComparer.Ordinal);
    }
}
