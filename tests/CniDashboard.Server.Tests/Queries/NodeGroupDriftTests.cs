using CniDashboard.Server.Analysis;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Server.Tests.Queries;

/// <summary>
/// Drift from the node group, across the fleet: the dashboard works out what most nodes of a group run,
/// gives it to the analyzer with each node's context, and judges the group's other nodes again when
/// that majority moves. The drifting node shows up on the Overview.
/// </summary>
public sealed class NodeGroupDriftTests : IAsyncLifetime
{
    private const string Cilium = "05-cilium.conflist";
    private const string Rule = "node-group-drift";
    private readonly BackendHarness _backend = new();
    private readonly TempDir _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _backend.StartStoreAsync();

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        _dir.Dispose();
    }

    private static string HealthyCilium => Fixtures.Text($"healthy/{Cilium}");

    /// <summary>The healthy folder with <c>05-cilium.conflist</c> replaced by <paramref name="cilium"/>.</summary>
    private static IReadOnlyList<CniFolderFile> Folder(string cilium) =>
        [.. CniFolderReader.Read(Fixtures.Dir("healthy")).Where(f => f.Name != Cilium), CniFolderReader.FromText(Cilium, cilium)];

    /// <summary>The conflist without the first plugin of <paramref name="type"/> (and the comma before the next).</summary>
    private static string Without(string conflist, string type)
    {
        var config = CniConfigParser.Load(Cilium, conflist).Config!;
        var plugin = config.Plugins.First(p => p.Type == type);
        return plugin.Index == 0
            ? conflist[..plugin.Span.Start] + conflist[config.Plugins[1].Span.Start..]
            : conflist[..config.Plugins[plugin.Index - 1].Span.End] + conflist[plugin.Span.End..];
    }

    private async Task PollAsync(params (string Node, string Cilium)[] nodes)
    {
        foreach (var (node, _) in nodes) _backend.Cluster.UpsertNode(new NodeFacts { Name = node, NodeGroup = "ng-general" });
        await _backend.Get<SnapshotIngestor>().IngestAsync([.. nodes.Select(n => Fixtures.Snapshot(n.Node, Folder(n.Cilium)))], Ct);
        // As a poll round does: only the nodes whose files changed are handed to the analysis.
        await _backend.Get<NodeAnalysisService>().AnalyzeAsync([.. nodes.Select(n => n.Node)], Ct);
    }

    private Finding? DriftOn(string node) => _backend.Fleet.Get(node)!.Findings.SingleOrDefault(f => f.Rule == Rule);

    [Fact]
    public async Task A_node_that_lost_aws_cni_is_a_warning_naming_its_group_and_shows_on_the_overview()
    {
        var lost = Without(HealthyCilium, "aws-cni");
        await PollAsync(("node-1", HealthyCilium), ("node-2", HealthyCilium), ("node-3", HealthyCilium), ("node-4", lost));

        var drift = DriftOn("node-4")!;
        Assert.Equal((Severity.Warning, "aws-cni missing from the chain, unlike 3 of 4 nodes of ng-general"), (drift.Severity, drift.Message));
        Assert.All(new[] { "node-1", "node-2", "node-3" }, n => Assert.Null(DriftOn(n)));
        var top = Assert.Single((await _backend.Queries.GetOverviewAsync(Ct)).TopFindings, f => f.Rule == Rule);
        Assert.Equal((1, "node-4", AnalyzerRules.TitleOf(Rule)), (top.AffectedNodes, top.MessageNode, top.Title));

        // The node gets its aws-cni back: the finding resolves.
        await PollAsync(("node-4", HealthyCilium));
        Assert.Null(DriftOn("node-4"));
    }

    [Fact]
    public async Task When_the_majority_moves_the_groups_other_nodes_are_judged_again()
    {
        var meshless = Without(HealthyCilium, "linkerd-cni");
        await PollAsync(("node-1", HealthyCilium), ("node-2", HealthyCilium), ("node-3", HealthyCilium), ("node-4", HealthyCilium), ("node-5", HealthyCilium));
        Assert.All(Enumerable.Range(1, 5), i => Assert.Null(DriftOn($"node-{i}")));

        // linkerd-cni is uninstalled on three nodes: only they are polled as changed, yet the two
        // that still carry it now differ from the group and must say so.
        await PollAsync(("node-1", meshless), ("node-2", meshless), ("node-3", meshless));

        Assert.All(new[] { "node-1", "node-2", "node-3" }, n => Assert.Null(DriftOn(n)));
        Assert.All(new[] { "node-4", "node-5" }, n => Assert.Equal("extra linkerd-cni in the chain, unlike 3 of 5 nodes of ng-general", DriftOn(n)?.Message));
    }

    [Fact]
    public async Task A_node_without_its_cilium_agent_is_judged_only_because_ciliums_pods_are_watched()
    {
        await PollAsync(("node-1", HealthyCilium));
        var context = _backend.Get<NodeContextBuilder>().Build("node-1");
        Assert.Contains("cilium", context.WatchedDaemonSets);
        Assert.Contains("aws-node", context.WatchedDaemonSets);
        Assert.DoesNotContain("cni-dashboard-agent", context.WatchedDaemonSets);

        // No Cilium (nor aws-node) pod on the node, though both are watched: both plugins lack their daemon.
        var missing = _backend.Fleet.Get("node-1")!.Findings.Where(f => f.Rule == "plugin-daemon-not-running").Select(f => f.Plugin).Order(StringComparer.Ordinal);
        Assert.Equal(["aws-cni", "cilium-cni"], missing);

        _backend.Cluster.UpsertPod(new CniPodFacts { Namespace = "kube-system", Name = "cilium-x", Component = "cilium", DaemonSet = "cilium", Node = "node-1", Phase = "Running", Ready = true });
        _backend.Cluster.UpsertPod(new CniPodFacts { Namespace = "kube-system", Name = "aws-node-x", Component = "aws-node", DaemonSet = "aws-node", Node = "node-1", Phase = "Running", Ready = true });
        await _backend.Get<NodeAnalysisService>().AnalyzeAsync(["node-1"], Ct);
        Assert.DoesNotContain(_backend.Fleet.Get("node-1")!.Findings, f => f.Rule == "plugin-daemon-not-running");
    }
}
