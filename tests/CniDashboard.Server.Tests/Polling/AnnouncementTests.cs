using CniDashboard.Server.Polling;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Tests.Polling;

/// <summary>
/// Mode announce against real agents on loopback and a real SQLite file, with the clock stopped
/// (FakeTimeProvider): an announcement is fetched at once, a missed one by the safety net when the
/// clock reaches it, a lying one costs one conditional GET and changes nothing, and a node whose
/// agent pod is not Ready, or whose announcements stop arriving, is stale with the reason.
/// </summary>
public sealed class AnnouncementTests : IAsyncLifetime
{
    private const string Edited = "ip-10-0-12-34";
    private readonly AgentFarm _farm = new();
    private BackendHarness _backend = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AnnouncementFetcher Fetcher => _backend.Get<AnnouncementFetcher>();

    public async ValueTask InitializeAsync()
    {
        await _farm.AddAsync("ip-10-0-1-10", "healthy");
        await _farm.AddAsync(Edited, "incident");
        await _farm.AddAsync("ip-10-0-7-7", "healthy");
        _backend = new BackendHarness(
            new Dictionary<string, string?>
            {
                ["Dashboard:Poller:AgentPort"] = _farm.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Dashboard:Poller:Mode"] = "Announce",
                ["Dashboard:Poller:SafetyInterval"] = "00:00:30",
            },
            agentToken: _farm.Token,
            fakeTime: true);
        await _backend.StartStoreAsync();
        _farm.Register(_backend.Cluster);
        var watches = _backend.Get<CniDashboard.Server.Cluster.WatchHealthRegistry>();
        watches.Register("pods");
        watches.MarkSynced("pods");
        await Fetcher.StartAsync(Ct);
        await Eventually.WaitAsync(() => Fetcher.Following, "the first whole round");
    }

    public async ValueTask DisposeAsync()
    {
        await Fetcher.StopAsync(CancellationToken.None);
        await _backend.DisposeAsync();
        await _farm.DisposeAsync();
    }

    /// <summary>Moves the clock one safety tick and waits until that tick's share is queued and fetched.</summary>
    private async Task TickAsync()
    {
        var ticks = Fetcher.SafetyTicks;
        _backend.Time!.Advance(AnnouncementFetcher.SafetyTick);
        await Eventually.WaitAsync(() => Fetcher.SafetyTicks > ticks && Fetcher.Idle, "the safety tick's fetches");
    }

    private async Task<long> SnapshotsOf(string node) =>
        await _backend.ScalarAsync($"SELECT COUNT(*) FROM snapshots WHERE node = '{node}'");

    [Fact]
    public async Task An_announced_change_is_stored_and_on_the_feed_without_waiting_for_any_poll()
    {
        Assert.All(_backend.Fleet.All, n => Assert.Equal(AgentState.Current, n.Agent.State));
        using var feed = new CancellationTokenSource();
        var changes = _backend.CollectChanges(feed.Token);
        await _farm.EditAsync(Edited, "05-cilium.conflist", text => text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal));
        var served = await _farm.ServedHashAsync(Edited);

        // The clock never moves: neither the poll interval nor the safety net can be what fetches it.
        _backend.Cluster.UpsertPod(_farm.AgentPod(Edited, served));

        await Eventually.WaitAsync(() => _backend.Fleet.Get(Edited)?.ManifestHash == served, "the announced snapshot stored");
        Assert.Equal(2, await SnapshotsOf(Edited));
        Assert.Equal(0, Fetcher.SafetyFetches);
        // The feed hands out changes in 100 ms batches on the same (stopped) clock: move it on in small
        // steps until the batch is out (its timer may be set only after the subscriber wakes).
        await Eventually.WaitAsync(() =>
        {
            _backend.Time!.Advance(TimeSpan.FromMilliseconds(20));
            lock (changes) return changes.Any(c => c.Kind == ClusterChangeKind.NodeChanged && c.Node == Edited && c.Summary!.Contains("05-cilium.conflist", StringComparison.Ordinal));
        }, "the change on the feed");
        await feed.CancelAsync();
    }

    [Fact]
    public async Task A_missed_announcement_is_caught_by_the_safety_net_within_its_interval()
    {
        await _farm.EditAsync(Edited, "05-cilium.conflist", text => text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal));
        var served = await _farm.ServedHashAsync(Edited);
        Assert.NotEqual(served, _backend.Fleet.Get(Edited)!.ManifestHash);

        // No announcement: only the safety net, a share of the fleet each second, can find it.
        var seconds = 0;
        while (_backend.Fleet.Get(Edited)?.ManifestHash != served)
        {
            Assert.True(seconds++ < 30, "the safety net must read every node within its 30 s interval");
            await TickAsync();
        }

        Assert.Equal(2, await SnapshotsOf(Edited));
        // Three nodes over 30 s: one every 10 s, never all at once.
        Assert.InRange(Fetcher.SafetyFetches, 1, 3);
        Assert.Equal(seconds / 10, Fetcher.SafetyFetches);
    }

    [Fact]
    public async Task An_announced_node_whose_fetch_fails_is_fetched_again_after_a_backoff_without_a_new_announcement()
    {
        await _farm.StopAsync(Edited);
        await _farm.EditAsync(Edited, "05-cilium.conflist", text => text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal));
        var served = await _farm.ServedHashAsync(Edited);

        // Announced once, while its agent does not answer (as under load, when the fetch times out).
        _backend.Cluster.UpsertPod(_farm.AgentPod(Edited, served));
        await Eventually.WaitAsync(() => Fetcher.Retries == 1 && Fetcher.Idle, "the failed fetch");
        Assert.NotEqual(served, _backend.Fleet.Get(Edited)!.ManifestHash);

        // The agent answers again; no new announcement comes. One backoff later the node is read;
        // the safety net (one node every 10 s here, this one at its 20th second) is not what reads it.
        await _farm.StartAsync(Edited);
        _backend.Time!.Advance(AnnouncementFetcher.FirstRetry);
        await Eventually.WaitAsync(() => _backend.Fleet.Get(Edited)?.ManifestHash == served, "the retried fetch stored");
        Assert.Equal(0, Fetcher.SafetyFetches);
        Assert.Equal(2, await SnapshotsOf(Edited));
        Assert.Equal(1, Fetcher.Retries);
    }

    [Fact]
    public async Task A_lying_announcement_costs_one_conditional_fetch_and_never_changes_the_snapshot()
    {
        var stored = _backend.Fleet.Get(Edited)!.ManifestHash;
        var before = Fetcher.AnnouncedFetches;

        _backend.Cluster.UpsertPod(_farm.AgentPod(Edited, new string('e', 64)));

        await Eventually.WaitAsync(() => Fetcher.AnnouncedFetches == before + 1 && Fetcher.Fetched == 1 && Fetcher.Idle, "the extra fetch");
        Assert.Equal(stored, _backend.Fleet.Get(Edited)!.ManifestHash);
        Assert.Equal(1, await SnapshotsOf(Edited));
        Assert.Equal(AgentState.Current, _backend.Fleet.Get(Edited)!.Agent.State);
    }

    [Fact]
    public async Task A_not_ready_agent_pod_is_stale_with_the_reason_and_current_again_once_ready()
    {
        var hash = _backend.Fleet.Get(Edited)!.ManifestHash;

        _backend.Cluster.UpsertPod(_farm.AgentPod(Edited, hash, ready: false));

        var stale = await Eventually.WaitAsync(() => Task.FromResult(_backend.Fleet.Get(Edited)?.Agent is { State: AgentState.Stale } a ? a : null), "the node stale");
        Assert.Equal($"agent pod cni-dashboard-agent-{Edited} is not Ready, so its announcements cannot be relied on", stale.Reason);
        Assert.NotNull(stale.LastSeenAt);

        _backend.Cluster.UpsertPod(_farm.AgentPod(Edited, hash, ready: true));

        await Eventually.WaitAsync(() => _backend.Fleet.Get(Edited)?.Agent.State == AgentState.Current, "the node current again");
    }

    [Fact]
    public async Task An_agent_whose_announcements_stop_arriving_is_stale_after_the_safety_interval()
    {
        // The agent serves a new manifest, but its Pod keeps announcing the old one (its patches are refused).
        var old = _backend.Fleet.Get(Edited)!.ManifestHash;
        _backend.Cluster.UpsertPod(_farm.AgentPod(Edited, old));
        await _farm.EditAsync(Edited, "05-cilium.conflist", text => text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal));
        var served = await _farm.ServedHashAsync(Edited);

        // The safety net reads it (still current: one missed announcement is no proof), and a whole interval later reads it again.
        var seconds = 0;
        while (_backend.Fleet.Get(Edited)?.Agent.State != AgentState.Stale)
        {
            Assert.True(seconds++ < 61, "two safety intervals must be enough to call the node stale");
            await TickAsync();
        }

        Assert.InRange(seconds, 31, 61);
        Assert.Equal(served, _backend.Fleet.Get(Edited)!.ManifestHash);
        var agent = _backend.Fleet.Get(Edited)!.Agent;
        Assert.Equal(AgentState.Stale, agent.State);
        Assert.Contains("announcements are not arriving", agent.Reason, StringComparison.Ordinal);
    }
}
