using System.Diagnostics;
using System.Globalization;
using CniDashboard.Agent.Node;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Cni;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Benchmarks.Backend;

/// <summary>
/// Snapshot ingest (the dashboard's path: change detection, token check, content hashing, Dapper
/// inserts of blobs, header, entries and the node pointer, in batched transactions) against a bare
/// batched Microsoft.Data.Sqlite insert of exactly the same rows into the same schema, side by side.
/// </summary>
public static class IngestThroughput
{
    public sealed record Result(int Snapshots, double DashboardPerSecond, double BarePerSecond, double BytesPerUnchanged, int UnchangedBlobsAdded);

    public static async Task<Result> RunAsync(int snapshots, int repetitions, Action<string> log)
    {
        var template = Fleet.Build(4)[3].Files; // an incident node: two conflists and the redacted kubeconfig
        var dashboard = new List<double>();
        var bare = new List<double>();
        double bytesPerUnchanged = 0;
        var blobsAdded = 0;
        for (var rep = 0; rep < repetitions; rep++)
        {
            // Alternate which goes first, so neither profits from a warmer disk cache.
            var work = Generate(template, snapshots, rep);
            if (rep % 2 == 0)
            {
                dashboard.Add(await DashboardAsync(work, measureUnchanged: rep == 0, (b, n) => (bytesPerUnchanged, blobsAdded) = (b, n)));
                bare.Add(await BareAsync(work));
            }
            else
            {
                bare.Add(await BareAsync(work));
                dashboard.Add(await DashboardAsync(work, measureUnchanged: false, (_, _) => { }));
            }

            log(string.Create(CultureInfo.InvariantCulture, $"ingest rep {rep + 1}: dashboard {dashboard[^1]:N0}/s, bare {bare[^1]:N0}/s"));
        }

        return new Result(snapshots, Median(dashboard), Median(bare), bytesPerUnchanged, blobsAdded);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Distinct snapshots: every node's conflist carries its own MTU, so each snapshot has one new blob.</summary>
    internal static NodeSnapshot[] Generate(IReadOnlyList<CniFolderFile> template, int count, int seed) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var node = $"ip-10-{seed}-{i / 250}-{i % 250}";
            var files = template.Select(f => f.Name == "10-aws.conflist" && f.Content is { } c
                ? CniFolderReader.FromText(f.Name, c.Replace("\"mtu\": \"9001\"", $"\"mtu\": \"{1000 + i}\"", StringComparison.Ordinal))
                : f).ToArray();
            var primary = PrimaryConfigSelector.Select(files);
            return new NodeSnapshot
            {
                NodeName = node,
                AgentVersion = "bench",
                TakenAt = DateTimeOffset.UtcNow,
                CniDir = "/etc/cni/net.d",
                Files = files,
                PrimaryFile = primary.FileName,
                PrimaryStatus = primary.Status,
                Chain = primary.ChainTypes,
                ManifestHash = ManifestHash.Compute(node, "bench", files, null, null),
            };
        }).ToArray();

    private static (SqliteConnectionFactory Connections, string Dir) NewStore()
    {
        var dir = Directory.CreateTempSubdirectory("cni-ingest-bench-").FullName;
        var connections = new SqliteConnectionFactory(Path.Combine(dir, SqliteConnectionFactory.FileName));
        new StoreMigrator(connections, NullLogger<StoreMigrator>.Instance).Migrate();
        return (connections, dir);
    }

    private static async Task<double> DashboardAsync(NodeSnapshot[] work, bool measureUnchanged, Action<double, int> unchanged)
    {
        var (connections, dir) = NewStore();
        try
        {
            var options = Microsoft.Extensions.Options.Options.Create(new DashboardOptions { DataDir = dir });
            var fleet = new FleetState();
            var ingestor = new SnapshotIngestor(new SnapshotRepository(connections), fleet, TimeProvider.System, options, NullLogger<SnapshotIngestor>.Instance);
            var clock = Stopwatch.StartNew();
            var results = await ingestor.IngestAsync(work, CancellationToken.None);
            clock.Stop();
            if (results.Any(r => r.Outcome != IngestOutcome.Stored)) throw new InvalidOperationException("every snapshot should be stored");

            if (measureUnchanged)
            {
                await CheckpointAsync(connections);
                var before = new FileInfo(connections.DatabasePath).Length;
                var blobs = await ScalarAsync(connections, "SELECT COUNT(*) FROM blobs");
                const int Rounds = 5;
                for (var r = 0; r < Rounds; r++)
                    await ingestor.IngestAsync(work.Select(s => s with { TakenAt = DateTimeOffset.UtcNow }).ToArray(), CancellationToken.None);
                await CheckpointAsync(connections);
                unchanged((new FileInfo(connections.DatabasePath).Length - before) / (double)(Rounds * work.Length), (int)(await ScalarAsync(connections, "SELECT COUNT(*) FROM blobs") - blobs));
            }

            return work.Length / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The same rows the dashboard writes, precomputed, inserted with prepared commands in batches of the same size.</summary>
    private static async Task<double> BareAsync(NodeSnapshot[] work)
    {
        var rows = BareRow.From(work);

        var (connections, dir) = NewStore();
        try
        {
            var clock = Stopwatch.StartNew();
            await using var connection = await connections.OpenAsync(CancellationToken.None);
            foreach (var batch in rows.Chunk(new PollerOptions().IngestBatchSize))
            {
                await using var tx = connection.BeginTransaction();
                await using var blob = Command(connection, tx, "INSERT OR IGNORE INTO blobs (key, content, size) VALUES ($k, $c, $s)", "$k", "$c", "$s");
                await using var header = Command(connection, tx, "INSERT INTO snapshots (node, taken_at, agent_taken_at, manifest_hash, primary_file, primary_status, chain, changed_files, cni_dir, agent_version) VALUES ($n, $t, $a, $h, $p, $ps, $ch, $cf, $d, $v) RETURNING id", "$n", "$t", "$a", "$h", "$p", "$ps", "$ch", "$cf", "$d", "$v");
                await using var file = Command(connection, tx, "INSERT INTO snapshot_files (snapshot_id, name, blob_key, meta) VALUES ($i, $n, $k, $m)", "$i", "$n", "$k", "$m");
                await using var node = Command(connection, tx, "INSERT INTO nodes (cluster_id, name, first_seen_at, agent_state, last_seen_at, agent_version, manifest_hash, latest_snapshot_id, last_change_at) VALUES ('default', $n, $t, 0, $t, $v, $h, $i, $t) ON CONFLICT (cluster_id, name) DO UPDATE SET latest_snapshot_id = excluded.latest_snapshot_id", "$n", "$t", "$v", "$h", "$i");
                foreach (var r in batch)
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    foreach (var f in r.Files.Where(f => f.Content is not null))
                    {
                        Set(blob, f.Key, f.Content, (long)System.Text.Encoding.UTF8.GetByteCount(f.Content!));
                        await blob.ExecuteNonQueryAsync();
                    }

                    Set(header, r.Snapshot.NodeName, now, r.Snapshot.TakenAt.ToUnixTimeMilliseconds(), r.Snapshot.ManifestHash, r.Snapshot.PrimaryFile, (long)r.Snapshot.PrimaryStatus, r.Chain, r.Changed, r.Snapshot.CniDir, r.Snapshot.AgentVersion);
                    var id = (long)(await header.ExecuteScalarAsync())!;
                    foreach (var f in r.Files)
                    {
                        Set(file, id, f.Name, f.Key, f.Meta);
                        await file.ExecuteNonQueryAsync();
                    }

                    Set(node, r.Snapshot.NodeName, now, r.Snapshot.AgentVersion, r.Snapshot.ManifestHash, id);
                    await node.ExecuteNonQueryAsync();
                }

                await tx.CommitAsync();
            }

            clock.Stop();
            return work.Length / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A snapshot's rows as the store writes them, computed before the bare inserts are timed.</summary>
    internal sealed record BareRow(NodeSnapshot Snapshot, (string Name, string? Key, string? Content, string Meta)[] Files, string Chain, string Changed)
    {
        public static BareRow[] From(NodeSnapshot[] work) => work.Select(s => new BareRow(
            s,
            s.Files.Select(f => (f.Name, f.Content is null ? null : SnapshotRepository.BlobKey(f.Content), f.Content, StoreJson.Serialize(f with { Content = null }))).ToArray(),
            StoreJson.Serialize(s.Chain),
            StoreJson.Serialize(s.Files.Select(f => f.Name)))).ToArray();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in names) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    private static void Set(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
    }

    private static async Task CheckpointAsync(SqliteConnectionFactory connections)
    {
        await using var c = await connections.OpenAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(SqliteConnectionFactory connections, string sql)
    {
        await using var c = await connections.OpenAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
