using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Tests.Polling;

/// <summary>
/// The poller against real agents (the product's agent code) on loopback, storing into a real SQLite
/// file or a real PostgreSQL database (one subclass per engine).
/// </summary>
public abstract class AgentPollerTests(StoreProvider provider) : IAsyncLifetime
{
    private readonly AgentFarm _farm = new();
    private BackendHarness _backend = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _farm.AddAsync("ip-10-0-1-10", "healthy");
        await _farm.AddAsync("ip-10-0-12-34", "incident");
        await _farm.AddAsync("ip-10-0-7-7", "healthy");
        _backend = new BackendHarness(new Dictionary<string, string?> { ["Dashboard:Poller:AgentPort"] = _farm.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, agentToken: _farm.Token, provider: provider);
        await _backend.StartStoreAsync();
        _farm.Register(_backend.Cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        await _farm.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task First_round_stores_every_node_then_unchanged_agents_answer_304_and_nothing_is_written()
    {
        var first = await _backend.Poller.PollOnceAsync(Ct);
        Assert.Equal((3, 3, 0, 0), (first.Nodes, first.Changed, first.Unchanged, first.Failed));
        Assert.Equal(3, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
        Assert.All(_backend.Fleet.All, n => Assert.Equal(AgentState.Current, n.Agent.State));

        var size = await SqliteSizeAsync();
        var blobs = await _backend.ScalarAsync("SELECT COUNT(*) FROM blobs");
        for (var i = 0; i < 5; i++)
        {
            var round = await _backend.Poller.PollOnceAsync(Ct);
            Assert.Equal((0, 3, 0), (round.Changed, round.Unchanged, round.Failed));
        }

        Assert.Equal(3, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
        Assert.Equal(blobs, await _backend.ScalarAsync("SELECT COUNT(*) FROM blobs"));
        if (provider == StoreProvider.Sqlite)
            Assert.True(await SqliteSizeAsync() - size <= 200 * 15, "unchanged rounds must add at most 200 bytes per node");
    }

    private async Task<long> SqliteSizeAsync()
    {
        if (provider != StoreProvider.Sqlite) return 0;
        await _backend.ScalarAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        return new FileInfo(_backend.Sqlite.DatabasePath).Length;
    }

    [Fact]
    public async Task An_edited_file_becomes_a_new_snapshot_with_a_diff_after_one_round()
    {
        await _backend.Poller.PollOnceAsync(Ct);
        await _farm.EditAsync("ip-10-0-12-34", "05-cilium.conflist", text => text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal));
        using var feed = new CancellationTokenSource();
        var changes = _backend.CollectChanges(feed.Token);

        var round = await _backend.Poller.PollOnceAsync(Ct);

        Assert.Equal((1, 2), (round.Changed, round.Unchanged));
        var history = await _backend.Queries.GetHistoryAsync("ip-10-0-12-34", 10, Ct);
        Assert.Equal(2, history.Snapshots.Count);
        Assert.Equal(["05-cilium.conflist"], history.Snapshots[0].ChangedFiles);

        var diff = await _backend.Queries.GetDiffAsync(new DiffRequest(DiffSide.PreviousOf("ip-10-0-12-34"), DiffSide.Latest("ip-10-0-12-34")), Ct);
        Assert.Null(diff.Unavailable);
        var changed = Assert.Single(diff.Files, f => f.Status == FileDiffStatus.Modified);
        Assert.Equal("05-cilium.conflist", changed.File);
        Assert.Contains(changed.Text.Rows, r => r.Right?.Text.Contains("1500", StringComparison.Ordinal) == true);
        Assert.Contains(changed.ChainChanges, c => c.After?.Contains("1500", StringComparison.Ordinal) == true);

        var seen = await Eventually.WaitAsync(() =>
        {
            lock (changes) return Task.FromResult(changes.FirstOrDefault(c => c.Kind == ClusterChangeKind.NodeChanged && c.Node == "ip-10-0-12-34"));
        }, "a NodeChanged on the feed");
        Assert.Contains("05-cilium.conflist", seen.Summary, StringComparison.Ordinal);
        await feed.CancelAsync();
    }

    [Fact]
    public async Task An_agent_that_goes_down_marks_its_node_stale_keeps_its_history_and_recovers()
    {
        await _backend.Poller.PollOnceAsync(Ct);
        var before = await _backend.Queries.GetNodeAsync("ip-10-0-7-7", Ct);
        Assert.NotNull(before?.SnapshotId);

        await _farm.StopAsync("ip-10-0-7-7");
        var down = await _backend.Poller.PollOnceAsync(Ct);

        Assert.Equal((1, 2), (down.Failed, down.Unchanged));
        var stale = await _backend.Queries.GetNodeAsync("ip-10-0-7-7", Ct);
        Assert.NotNull(stale);
        Assert.Equal(AgentState.Stale, stale.Summary.Agent.State);
        Assert.Equal("connection refused", stale.Summary.Agent.Reason);
        Assert.NotNull(stale.Summary.Agent.StaleSince);
        Assert.Equal(before.SnapshotId, stale.SnapshotId);
        Assert.Equal(3, stale.Files.Count);
        Assert.Equal(1, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots WHERE node = 'ip-10-0-7-7'"));
        Assert.Equal(1, await _backend.ScalarAsync("SELECT agent_state FROM nodes WHERE name = 'ip-10-0-7-7'"));
        var page = await _backend.Queries.GetNodesAsync(new NodeQuery { Stale = true }, Ct);
        Assert.Equal(["ip-10-0-7-7"], page.Items.Select(i => i.Name));

        // Still down next round: stale since the first failure, not since now.
        var since = stale.Summary.Agent.StaleSince;
        await _backend.Poller.PollOnceAsync(Ct);
        Assert.Equal(since, (await _backend.Queries.GetNodeAsync("ip-10-0-7-7", Ct))!.Summary.Agent.StaleSince);

        await _farm.StartAsync("ip-10-0-7-7");
        var up = await _backend.Poller.PollOnceAsync(Ct);
        Assert.Equal((0, 3), (up.Failed, up.Unchanged));
        var current = await _backend.Queries.GetNodeAsync("ip-10-0-7-7", Ct);
        Assert.Equal(AgentState.Current, current!.Summary.Agent.State);
        Assert.Null(current.Summary.Agent.Reason);
        Assert.Equal(0, await _backend.ScalarAsync("SELECT agent_state FROM nodes WHERE name = 'ip-10-0-7-7'"));
    }

    [Fact]
    public async Task A_node_without_an_agent_pod_or_with_a_rejected_token_gets_the_reason()
    {
        _backend.Cluster.RemovePod("cni-dashboard", "cni-dashboard-agent-ip-10-0-1-10");
        await File.WriteAllTextAsync(_backend.TokenFile, "not-the-token", Ct);

        var round = await _backend.Poller.PollOnceAsync(Ct);

        Assert.Equal(3, round.Failed);
        var noPod = _backend.Fleet.Get("ip-10-0-1-10")!.Agent;
        Assert.Equal((AgentState.Unknown, "no agent pod"), (noPod.State, noPod.Reason));
        Assert.StartsWith("401 Unauthorized", _backend.Fleet.Get("ip-10-0-12-34")!.Agent.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots"));

        // The token file is re-read when it changes (the kubelet rotates projected tokens).
        await File.WriteAllTextAsync(_backend.TokenFile, _farm.Token, Ct);
        var after = await _backend.Poller.PollOnceAsync(Ct);
        Assert.Equal((2, 1), (after.Changed, after.Failed));
    }
}

public sealed class AgentPollerOnSqliteTests() : AgentPollerTests(StoreProvider.Sqlite);

public sealed class AgentPollerOnPostgresTests() : AgentPollerTests(StoreProvider.Postgres);
