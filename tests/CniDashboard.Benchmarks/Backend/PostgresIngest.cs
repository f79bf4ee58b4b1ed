using System.Diagnostics;
using System.Globalization;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Shared.Agent;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CniDashboard.Benchmarks.Backend;

/// <summary>
/// Snapshot ingest into PostgreSQL by the dashboard's own path (<see cref="SnapshotIngestor"/> →
/// <see cref="SnapshotRepository"/> with its PostgreSQL dialect) against a bare batched insert of exactly
/// the same rows into the same schema on the same server (one <see cref="NpgsqlBatch"/> per ingest batch),
/// each into a fresh database, alternating which goes first.
/// </summary>
/// <remarks>
/// <c>-- ingest-postgres [--snapshots 4000] [--reps 5] [--connection "Host=…"]</c>; the server defaults to
/// <c>CNI_DASHBOARD_TEST_POSTGRES</c> (<c>source tests/throwaway-postgres.sh; start_throwaway_postgres</c>).
/// </remarks>
public static class PostgresIngest
{
    public static async Task<int> RunAsync(string[] args)
    {
        var snapshots = Option(args, "--snapshots", 4000);
        var repetitions = Option(args, "--reps", 5);
        var server = Value(args, "--connection") ?? Environment.GetEnvironmentVariable("CNI_DASHBOARD_TEST_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            await Console.Error.WriteLineAsync("ingest-postgres: pass --connection or set CNI_DASHBOARD_TEST_POSTGRES (source tests/throwaway-postgres.sh; start_throwaway_postgres)");
            return 2;
        }

        Console.WriteLine($"PostgreSQL ingest: {snapshots} snapshots, {repetitions} repetitions, on {PostgresConnectionFactory.Describe(server)}");
        var template = Fleet.Build(4)[3].Files;
        var dashboard = new List<double>();
        var bare = new List<double>();
        for (var rep = 0; rep < repetitions; rep++)
        {
            var work = IngestThroughput.Generate(template, snapshots, rep);
            if (rep % 2 == 0)
            {
                dashboard.Add(await InFreshDatabaseAsync(server, c => DashboardAsync(c, work)));
                bare.Add(await InFreshDatabaseAsync(server, c => BareAsync(c, work)));
            }
            else
            {
                bare.Add(await InFreshDatabaseAsync(server, c => BareAsync(c, work)));
                dashboard.Add(await InFreshDatabaseAsync(server, c => DashboardAsync(c, work)));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rep {rep + 1}: dashboard {dashboard[^1]:N0}/s, bare {bare[^1]:N0}/s, ratio {dashboard[^1] / bare[^1]:F2}x"));
        }

        var d = Median(dashboard);
        var b = Median(bare);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: dashboard {d:N0} snapshots/s, bare batched insert {b:N0} snapshots/s, ratio {d / b:F2}x (bar >= 0.5x)"));
        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<double> InFreshDatabaseAsync(string server, Func<PostgresConnectionFactory, Task<double>> run)
    {
        var name = "cni_bench_" + Guid.NewGuid().ToString("n")[..16];
        await ExecuteAsync(server, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        try
        {
            await using var connections = new PostgresConnectionFactory(connectionString);
            new StoreMigrator(connections, NullLogger<StoreMigrator>.Instance).Migrate();
            return await run(connections);
        }
        finally
        {
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<double> DashboardAsync(PostgresConnectionFactory connections, NodeSnapshot[] work)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new DashboardOptions());
        var ingestor = new SnapshotIngestor(new SnapshotRepository(connections), new FleetState(), TimeProvider.System, options, NullLogger<SnapshotIngestor>.Instance);
        var clock = Stopwatch.StartNew();
        var results = await ingestor.IngestAsync(work, CancellationToken.None);
        clock.Stop();
        if (results.Any(r => r.Outcome != IngestOutcome.Stored)) throw new InvalidOperationException("every snapshot should be stored");
        return work.Length / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The same rows, precomputed; per ingest batch: ids from the sequence, then every insert in one round trip.</summary>
    private static async Task<double> BareAsync(PostgresConnectionFactory connections, NodeSnapshot[] work)
    {
        var rows = IngestThroughput.BareRow.From(work);

        var clock = Stopwatch.StartNew();
        await using var connection = (NpgsqlConnection)await connections.OpenAsync(CancellationToken.None);
        foreach (var chunk in rows.Chunk(new PollerOptions().IngestBatchSize))
        {
            await using var tx = await connection.BeginTransactionAsync();
            var ids = new List<long>(chunk.Length);
            await using (var next = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('snapshots', 'id')) FROM generate_series(1, $1)", connection, tx))
            {
                next.Parameters.Add(new NpgsqlParameter { Value = chunk.Length });
                await using var reader = await next.ExecuteReaderAsync();
                while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
            }

            await using var batch = new NpgsqlBatch(connection, tx);
            void Add(string sql, params object?[] values)
            {
                var command = new NpgsqlBatchCommand(sql);
                foreach (var v in values) command.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
                batch.BatchCommands.Add(command);
            }

            for (var i = 0; i < chunk.Length; i++)
            {
                var r = chunk[i];
                var id = ids[i];
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (var f in r.Files.Where(f => f.Content is not null))
                    Add("INSERT INTO blobs (key, content, size) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING", f.Key, f.Content, (long)System.Text.Encoding.UTF8.GetByteCount(f.Content!));
                Add("INSERT INTO snapshots (id, node, taken_at, agent_taken_at, manifest_hash, primary_file, primary_status, chain, changed_files, cni_dir, agent_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    id, r.Snapshot.NodeName, now, r.Snapshot.TakenAt.ToUnixTimeMilliseconds(), r.Snapshot.ManifestHash, r.Snapshot.PrimaryFile, (long)r.Snapshot.PrimaryStatus, r.Chain, r.Changed, r.Snapshot.CniDir, r.Snapshot.AgentVersion);
                foreach (var f in r.Files)
                    Add("INSERT INTO snapshot_files (snapshot_id, name, blob_key, meta) VALUES ($1, $2, $3, $4)", id, f.Name, f.Key, f.Meta);
                Add("INSERT INTO nodes (cluster_id, name, first_seen_at, agent_state, last_seen_at, agent_version, manifest_hash, latest_snapshot_id, last_change_at) VALUES ('default', $1, $2, 0, $2, $3, $4, $5, $2) ON CONFLICT (cluster_id, name) DO UPDATE SET latest_snapshot_id = excluded.latest_snapshot_id",
                    r.Snapshot.NodeName, now, r.Snapshot.AgentVersion, r.Snapshot.ManifestHash, id);
            }

            await batch.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }

        clock.Stop();
        return work.Length / clock.Elapsed.TotalSeconds;
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback) =>
        Value(args, name) is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
