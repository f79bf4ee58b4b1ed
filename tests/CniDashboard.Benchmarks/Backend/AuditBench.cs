using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Benchmarks.Backend;

/// <summary>
/// <c>-- audit [--entries 100000]</c>: the audit log on a real SQLite file (WAL, synchronous=NORMAL,
/// as the dashboard opens it). Appends per second in their own transactions and batched in callers'
/// transactions; a full verification of the chain; and the streamed CSV and JSON exports, with the
/// process's peak managed heap and working set above the idle baseline while they run, beside the
/// same export buffered (every entry read into a list first) for contrast.
/// </summary>
public static class AuditBench
{
    private const int OwnTransactionAppends = 2_000;
    private const int WarmUp = 500;

    public static async Task<int> RunAsync(string[] args)
    {
        var entries = args is ["--entries", var n, ..] ? int.Parse(n, CultureInfo.InvariantCulture) : 100_000;
        var dir = Directory.CreateTempSubdirectory("cni-audit-bench-").FullName;
        try
        {
            var connections = new SqliteConnectionFactory(Path.Combine(dir, SqliteConnectionFactory.FileName));
            new StoreMigrator(connections, NullLogger<StoreMigrator>.Instance).Migrate();
            var log = new AuditLogRepository(connections, TimeProvider.System);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"audit bench: {entries:N0} entries, {Environment.ProcessorCount} cores, {dir}"));

            // Own transactions: each append is BEGIN IMMEDIATE, read head, insert, commit. Untimed first, so JIT tiering is done.
            for (var i = 0; i < WarmUp; i++) await log.AppendAsync(Record(i), CancellationToken.None);
            var cpu = Cpu();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < OwnTransactionAppends; i++) await log.AppendAsync(Record(i), CancellationToken.None);
            var own = OwnTransactionAppends / clock.Elapsed.TotalSeconds;
            Report($"append, own transaction:      {own,9:N0} entries/s ({OwnTransactionAppends:N0} appends, {clock.Elapsed.TotalMilliseconds / OwnTransactionAppends:F3} ms wall, {(Cpu() - cpu).TotalMilliseconds / OwnTransactionAppends:F3} ms CPU each)");

            foreach (var batch in new[] { 100, 1_000 })
            {
                var count = batch == 100 ? 20_000 : entries - WarmUp - OwnTransactionAppends - 20_000;
                cpu = Cpu();
                clock.Restart();
                await using var connection = await connections.OpenAsync(CancellationToken.None);
                for (var done = 0; done < count; done += batch)
                {
                    await using var tx = connection.BeginTransaction(deferred: false);
                    for (var i = 0; i < batch && done + i < count; i++) await log.AppendAsync(connection, tx, Record(done + i), CancellationToken.None);
                    await tx.CommitAsync();
                }

                Report($"append, batches of {batch,5:N0}:    {count / clock.Elapsed.TotalSeconds,9:N0} entries/s ({count:N0} appends, {clock.Elapsed.TotalMilliseconds / count:F3} ms wall, {(Cpu() - cpu).TotalMilliseconds / count:F3} ms CPU each)");
            }

            var total = (await log.GetHeadAsync(CancellationToken.None))!.Sequence;
            Report($"log: {total:N0} entries, {new FileInfo(connections.DatabasePath).Length / 1024.0 / 1024.0 + new FileInfo(connections.DatabasePath + "-wal").Length / 1024.0 / 1024.0:F1} MiB (file + WAL)");

            for (var run = 1; run <= 3; run++)
            {
                cpu = Cpu();
                clock.Restart();
                var result = await AuditVerifier.VerifyAsync(log.ReadChainAsync(0, CancellationToken.None), new CheckpointReading("none", null, Error: "bench"), null, CancellationToken.None);
                clock.Stop();
                if (result.Status == AuditVerificationStatus.Tampered || result.EntriesChecked != total) throw new InvalidOperationException($"verification: {result.Status} {result.Problem}");
                Report($"verify run {run}: {result.EntriesChecked:N0} entries in {clock.Elapsed.TotalMilliseconds:N0} ms wall, {(Cpu() - cpu).TotalMilliseconds:N0} ms CPU ({result.EntriesChecked / clock.Elapsed.TotalSeconds:N0} entries/s)");
            }

            var header = new AuditExportHeader(DateTimeOffset.UtcNow, new AuditQuery().FilterParameters(), new CheckpointReading("none", null, Error: "bench"), "0000000000000000", "");
            foreach (var format in new[] { "csv", "json" })
            {
                await MeasureAsync($"export {format}, streamed", async output =>
                    format == "csv"
                        ? await AuditExporter.WriteCsvAsync(output, log.ReadAsync(new AuditQuery(), CancellationToken.None), header, CancellationToken.None)
                        : await AuditExporter.WriteJsonAsync(output, log.ReadAsync(new AuditQuery(), CancellationToken.None), header, CancellationToken.None));
            }

            await MeasureAsync("export json, buffered (contrast)", async output =>
            {
                var all = new List<AuditEntry>();
                await foreach (var entry in log.ReadAsync(new AuditQuery(), CancellationToken.None)) all.Add(entry);
                return await AuditExporter.WriteJsonAsync(output, all.ToAsyncEnumerable(), header, CancellationToken.None);
            });
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs an export into a counting sink while sampling the managed heap and working set every 2 ms.</summary>
    private static async Task MeasureAsync(string what, Func<Stream, Task<long>> export)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var baseHeap = GC.GetTotalMemory(forceFullCollection: true);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseSet = process.WorkingSet64;
        long peakHeap = baseHeap, peakSet = baseSet;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                process.Refresh();
                peakSet = Math.Max(peakSet, process.WorkingSet64);
                await Task.Delay(2);
            }
        });
        var sink = new CountingStream();
        var clock = Stopwatch.StartNew();
        var count = await export(sink);
        clock.Stop();
        await stop.CancelAsync();
        await sampler;
        Report($"{what}: {count:N0} entries, {sink.Length / 1024.0 / 1024.0:F1} MiB in {clock.Elapsed.TotalMilliseconds:N0} ms; "
            + $"peak managed heap +{(peakHeap - baseHeap) / 1024.0 / 1024.0:F1} MiB, peak working set +{(peakSet - baseSet) / 1024.0 / 1024.0:F1} MiB");
    }

    private static AuditRecord Record(int i) => new(
        new AuditActor($"user-{i % 50}@example.com", $"User {i % 50}", [DashboardRole.Operator], "oidc"),
        i % 10 == 0 ? AuditActions.SettingChanged : "plan.step-done",
        new AuditTarget("node", $"ip-10-0-{i % 200 / 100}-{i % 100}.us-west-2.compute.internal"),
        AuditOutcome.Ok,
        new JsonObject
        {
            ["plan"] = i / 12,
            ["file"] = "05-cilium.conflist",
            ["before"] = "3b1f0c5e9a7d4c21b8e6f2a0d9c4e7b15a3f8d2c6e0b9a4f7d1c5e8b2a6f3d90",
            ["after"] = "9d2a6f3e1c8b5a0f4e7d2c9b6a3f0e8d5c2b9a6f3e0d7c4b1a8f5e2d9c6b3a07",
        },
        "10.0.0.7",
        $"0HN8:{i:x8}");

    private static void Report(string line) => Console.WriteLine(line);

    private static TimeSpan Cpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Counts what is written and keeps nothing, as a client reading the response would.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
