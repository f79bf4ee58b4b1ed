using CniDashboard.Server.Analysis;
using CniDashboard.Server.Tests.Support;

namespace CniDashboard.Server.Tests.Polling;

public sealed class AnalysisSchedulerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cluster_fact_triggers_are_debounced_and_whole_fleet_passes_are_rate_limited()
    {
        await using var backend = new BackendHarness(fakeTime: true);
        await backend.StartStoreAsync();
        var time = backend.Time!;
        var ingest = backend.Get<Ingest.SnapshotIngestor>();
        await ingest.IngestAsync([Fixtures.Snapshot("n1", Fixtures.Dir("healthy")), Fixtures.Snapshot("n2", Fixtures.Dir("incident")), Fixtures.Snapshot("n3", Fixtures.Dir("healthy"))], Ct);
        var analysis = backend.Get<NodeAnalysisService>();
        var scheduler = backend.Get<AnalysisScheduler>();
        await scheduler.StartAsync(Ct);

        // A burst of triggers for one node within the debounce window: one analysis of that node.
        for (var i = 0; i < 5; i++) scheduler.Schedule("n2");
        await AdvanceUntilAsync(time, () => analysis.Runs == 1, "the debounced analysis");
        Assert.Equal(1, analysis.Runs);

        // A rollout moves: the whole fleet once.
        scheduler.ScheduleAll();
        await AdvanceUntilAsync(time, () => analysis.Runs == 4, "a fleet pass");
        var firstPass = time.GetUtcNow();

        // More rollout updates right after: the next pass waits until the interval has gone by.
        scheduler.ScheduleAll();
        scheduler.ScheduleAll();
        await AdvanceUntilAsync(time, () => analysis.Runs == 7, "the deferred fleet pass");
        Assert.True(time.GetUtcNow() - firstPass >= scheduler.FleetPassInterval, $"second pass after {time.GetUtcNow() - firstPass}");
        Assert.Equal(7, analysis.Runs);
        await scheduler.StopAsync(Ct);
    }

    [Fact]
    public async Task A_fleet_pass_larger_than_its_chunk_analyzes_every_node_once_and_records_their_findings()
    {
        await using var backend = new BackendHarness(fakeTime: true);
        await backend.StartStoreAsync();
        var time = backend.Time!;
        var names = Enumerable.Range(1, 5).Select(i => $"n{i}").ToArray();
        await backend.Get<Ingest.SnapshotIngestor>().IngestAsync(
            names.Select((n, i) => Fixtures.Snapshot(n, Fixtures.Dir(i % 2 == 0 ? "incident" : "healthy"))).ToArray(), Ct);
        var analysis = backend.Get<NodeAnalysisService>();
        var scheduler = new AnalysisScheduler(analysis, backend.Fleet, backend.Get<Server.Fleet.MemoryTrimmer>(), time, Microsoft.Extensions.Logging.Abstractions.NullLogger<AnalysisScheduler>.Instance)
        {
            PassChunkSize = 2,
        };
        await scheduler.StartAsync(Ct);

        scheduler.ScheduleAll();
        await AdvanceUntilAsync(time, () => analysis.Runs == 5, "a fleet pass in three chunks");

        Assert.Equal(5, analysis.Runs);
        Assert.All(names.Where((_, i) => i % 2 == 0), n => Assert.NotEmpty(backend.Fleet.Get(n)!.Findings));
        // Every chunk's findings were written, not only the last chunk's.
        Assert.Equal(names.Sum(n => backend.Fleet.Get(n)!.Findings.Count), await backend.ScalarAsync("SELECT COUNT(*) FROM findings WHERE resolved_at IS NULL"));
        await scheduler.StopAsync(Ct);
    }

    private static async Task AdvanceUntilAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
