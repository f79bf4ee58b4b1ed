using CniDashboard.Server.Ingest;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;
using Microsoft.Extensions.Logging.Testing;

namespace CniDashboard.Server.Tests.Polling;

public sealed class RestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task A_restarted_dashboard_resumes_from_its_store_without_rewriting_history(StoreProvider provider)
    {
        using var data = new TempDir();
        using var database = provider == StoreProvider.Postgres ? new PostgresTestDatabase() : null;
        await using var farm = new AgentFarm();
        await farm.AddAsync("ip-10-0-1-10", "healthy");
        await farm.AddAsync("ip-10-0-7-7", "healthy");
        var settings = new Dictionary<string, string?> { ["Dashboard:Poller:AgentPort"] = farm.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        await using (var first = new BackendHarness(settings, farm.Token, dataDir: data.Path, provider: provider, database: database))
        {
            await first.StartStoreAsync();
            farm.Register(first.Cluster);
            await first.Poller.PollOnceAsync(Ct);
            await farm.StopAsync("ip-10-0-7-7");
            await first.Poller.PollOnceAsync(Ct);
        }

        await farm.StartAsync("ip-10-0-7-7");
        await using var second = new BackendHarness(settings, farm.Token, dataDir: data.Path, provider: provider, database: database);
        await second.StartStoreAsync();

        // Before any poll: the files, the manifest hashes and the agent states are back from the store.
        var node = second.Fleet.Get("ip-10-0-1-10");
        Assert.NotNull(node?.Latest);
        Assert.Equal(3, node.Latest.Files.Count);
        Assert.Equal(AgentState.Current, node.Agent.State);
        var stale = second.Fleet.Get("ip-10-0-7-7")!.Agent;
        Assert.Equal((AgentState.Stale, "connection refused"), (stale.State, stale.Reason));

        farm.Register(second.Cluster);
        var round = await second.Poller.PollOnceAsync(Ct);

        // The stored manifest hashes went out as If-None-Match: every agent answered 304.
        Assert.Equal((0, 2, 0), (round.Changed, round.Unchanged, round.Failed));
        Assert.Equal(2, await second.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
        Assert.Equal(AgentState.Current, second.Fleet.Get("ip-10-0-7-7")!.Agent.State);
    }

    [Fact]
    public async Task A_refused_snapshot_is_logged_without_the_token()
    {
        using var store = new StoreHarness();
        var logger = new FakeLogger<SnapshotIngestor>();
        var ingestor = new SnapshotIngestor(store.Snapshots, store.Fleet, store.Time, store.Options, logger);
        var raw = Fixtures.Text("incident/ZZZ-linkerd-cni-kubeconfig");
        var token = System.Text.RegularExpressions.Regex.Match(raw, @"token: (\S+)").Groups[1].Value;

        var result = Assert.Single(await ingestor.IngestAsync([Fixtures.Snapshot("leaky", [Fixtures.File_("ZZZ-linkerd-cni-kubeconfig", raw, Shared.Cni.CniFileKind.Kubeconfig)])], Ct));

        Assert.Equal(IngestOutcome.Refused, result.Outcome);
        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Contains("leaky", record.Message, StringComparison.Ordinal);
        Assert.Contains("refused", record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..20], record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", record.Message + record.Exception, StringComparison.Ordinal);
    }
}
