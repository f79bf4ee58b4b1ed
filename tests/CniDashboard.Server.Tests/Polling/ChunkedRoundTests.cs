using System.Globalization;
using CniDashboard.Server.Analysis;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;
using Microsoft.Data.Sqlite;

namespace CniDashboard.Server.Tests.Polling;

/// <summary>
/// A round with more changed nodes than <c>RoundChunkSize</c> stores and analyzes them a chunk at a
/// time while the other agents are still asked: nothing is lost, duplicated or left unpublished, and
/// a store that fails mid-round fails the round instead of leaving requests waiting.
/// </summary>
public sealed class ChunkedRoundTests : IAsyncLifetime
{
    private const int ChunkSize = 2;
    private readonly AgentFarm _farm = new();
    private readonly List<string> _names = [];
    private BackendHarness _backend = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // 7 nodes, chunks of 2: three full chunks and a last one of one.
        for (var i = 0; i < 7; i++)
        {
            var name = $"ip-10-0-3-{i + 1}";
            await _farm.AddAsync(name, i % 3 == 0 ? "incident" : "healthy");
            _names.Add(name);
        }

        _backend = new BackendHarness(new Dictionary<string, string?>
        {
            ["Dashboard:Poller:AgentPort"] = _farm.Port.ToString(CultureInfo.InvariantCulture),
            ["Dashboard:Poller:RoundChunkSize"] = ChunkSize.ToString(CultureInfo.InvariantCulture),
            ["Dashboard:Poller:Concurrency"] = "3",
        }, agentToken: _farm.Token);
        await _backend.StartStoreAsync();
        _farm.Register(_backend.Cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        await _farm.DisposeAsync();
    }

    [Fact]
    public async Task A_round_with_more_changed_nodes_than_a_chunk_stores_analyzes_and_publishes_every_one_once()
    {
        var changes = _backend.CollectChanges(Ct);

        var round = await _backend.Poller.PollOnceAsync(Ct);

        Assert.Equal((7, 7, 0, 0), (round.Nodes, round.Changed, round.Unchanged, round.Failed));
        // One snapshot per node, ids handed out in the order the chunks were stored, no gap.
        Assert.Equal(7, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
        Assert.Equal(7, await _backend.ScalarAsync("SELECT COUNT(DISTINCT node) FROM snapshots"));
        Assert.Equal(7, await _backend.ScalarAsync("SELECT MAX(id) FROM snapshots"));
        Assert.Equal(7, await _backend.ScalarAsync("SELECT COUNT(*) FROM nodes n JOIN snapshots s ON s.id = n.latest_snapshot_id AND s.node = n.name WHERE n.agent_state = 0"));
        foreach (var name in _names)
        {
            var node = _backend.Fleet.Get(name)!;
            Assert.Equal(AgentState.Current, node.Agent.State);
            Assert.NotNull(node.Latest);
        }

        // Every chunk was analyzed, each node once: the incident nodes' findings are open.
        Assert.Equal(7, _backend.Get<NodeAnalysisService>().Runs);
        var incident = _names.Where((_, i) => i % 3 == 0).ToArray();
        Assert.All(incident, n => Assert.NotEmpty(_backend.Fleet.Get(n)!.Findings));

        await Eventually.WaitAsync(() => NodeChangedWithFiles(changes).Count == 7, "a NodeChanged with files for every node");
        Assert.Equal(_names.Order(StringComparer.Ordinal), NodeChangedWithFiles(changes).Order(StringComparer.Ordinal));
        await Eventually.WaitAsync(() => { lock (changes) return incident.All(n => changes.Any(c => c.Kind == ClusterChangeKind.FindingOpened && c.Node == n)); }, "the incident nodes' findings opened");
    }

    [Fact]
    public async Task A_later_round_stores_only_the_edited_nodes_across_chunks_after_the_first_rounds_snapshots()
    {
        await _backend.Poller.PollOnceAsync(Ct);
        var edited = _names.Take(5).ToArray();
        foreach (var name in edited)
        {
            await _farm.EditAsync(name, "05-cilium.conflist", text => text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal));
        }

        var changes = _backend.CollectChanges(Ct);
        var round = await _backend.Poller.PollOnceAsync(Ct);

        Assert.Equal((5, 2, 0), (round.Changed, round.Unchanged, round.Failed));
        Assert.Equal(12, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
        foreach (var name in _names)
        {
            var history = await _backend.Queries.GetHistoryAsync(name, 10, Ct);
            if (edited.Contains(name))
            {
                Assert.Equal(2, history.Snapshots.Count);
                Assert.True(history.Snapshots[0].Id > 7, "the second round's snapshots come after the first round's");
                Assert.Equal(["05-cilium.conflist"], history.Snapshots[0].ChangedFiles);
            }
            else
            {
                Assert.Single(history.Snapshots);
            }
        }

        await Eventually.WaitAsync(() => NodeChangedWithFiles(changes).Count == 5, "a NodeChanged for every edited node");
        Assert.Equal(edited.Order(StringComparer.Ordinal), NodeChangedWithFiles(changes).Order(StringComparer.Ordinal));
        lock (changes) Assert.All(changes.Where(c => c.Summary?.StartsWith("files changed", StringComparison.Ordinal) == true), c => Assert.Equal("files changed: 05-cilium.conflist", c.Summary));
    }

    [Fact]
    public async Task A_store_that_fails_mid_round_fails_the_round_and_marks_no_node_current()
    {
        // Every write of the round fails; the agents still answering must not be left waiting on a full channel.
        await _backend.ScalarAsync("DROP TABLE snapshot_files");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        var failure = await Record.ExceptionAsync(() => _backend.Poller.PollOnceAsync(deadline.Token));

        Assert.False(deadline.IsCancellationRequested, "the round must fail by itself, not hang until cancelled");
        Assert.IsType<SqliteException>(failure);
        Assert.All(_names, n => Assert.NotEqual(AgentState.Current, _backend.Fleet.Get(n)?.Agent.State));
    }

    private static List<string> NodeChangedWithFiles(List<ClusterChange> changes)
    {
        lock (changes)
        {
            return changes.Where(c => c.Kind == ClusterChangeKind.NodeChanged && c.Summary?.StartsWith("files changed", StringComparison.Ordinal) == true)
                .Select(c => c.Node!)
                .ToList();
        }
    }
}
