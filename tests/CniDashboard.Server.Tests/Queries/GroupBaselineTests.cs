using System.Text.RegularExpressions;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Queries;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Tests.Queries;

/// <summary>
/// The node-group baseline: per file, the content most of the group's nodes that have it share —
/// and none at all for a file whose content no majority shares, rather than one node's copy.
/// </summary>
public sealed partial class GroupBaselineTests : IDisposable
{
    private const string Kubeconfig = "ZZZ-linkerd-cni-kubeconfig";
    private const string Cilium = "05-cilium.conflist";
    private const string Aws = "10-aws.conflist";

    private readonly StoreHarness _store = new();
    private readonly ClusterState _cluster;
    private readonly FolderDiffer _differ;

    public GroupBaselineTests()
    {
        _cluster = new ClusterState(_store.Time);
        _differ = new FolderDiffer(_store.Fleet, _cluster, _store.Snapshots);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _store.Dispose();

    private static string HealthyCilium => Fixtures.Text($"healthy/{Cilium}");

    private static string HealthyAws => Fixtures.Text($"healthy/{Aws}");

    /// <summary>linkerd-cni's kubeconfig as the agent sends it: each node's token is its own, so its fingerprint differs.</summary>
    private static string KubeconfigOf(int node)
    {
        var redacted = Shared.Kubeconfig.TokenRedactor.Redact(Fixtures.Text($"healthy/{Kubeconfig}"));
        return RedactedToken().Replace(redacted, $"<redacted sha256:{node:x12}>");
    }

    private static CniFolderFile File(string name, string content) =>
        Fixtures.File_(name, content, name == Kubeconfig ? CniFileKind.Kubeconfig : CniFileKind.Config);

    private async Task AddAsync(string group, string node, params CniFolderFile[] files)
    {
        _cluster.UpsertNode(new NodeFacts { Name = node, NodeGroup = group });
        await _store.Ingestor.IngestAsync([Fixtures.Snapshot(node, files)], Ct);
    }

    /// <summary>A group whose nodes share both conflists and each hold their own kubeconfig.</summary>
    private async Task<string[]> MeshGroupAsync(string group, int nodes)
    {
        var names = Enumerable.Range(1, nodes).Select(i => $"{group}-node-{i}").ToArray();
        for (var i = 0; i < names.Length; i++)
            await AddAsync(group, names[i], File(Cilium, HealthyCilium), File(Aws, HealthyAws), File(Kubeconfig, KubeconfigOf(i)));
        return names;
    }

    private Task<FolderDiff> BaselineVsAsync(string group, string node) =>
        _differ.DiffAsync(new DiffRequest(DiffSide.Baseline(group), DiffSide.Latest(node)), Ct);

    [Fact]
    public async Task A_file_that_differs_on_every_node_has_no_baseline_and_is_not_diffed_against_one_nodes_copy()
    {
        var nodes = await MeshGroupAsync("ng-a", 4);

        // Whichever node is looked at (its own copy once stood in for the baseline), the kubeconfig is not compared.
        foreach (var node in nodes)
        {
            var diff = await BaselineVsAsync("ng-a", node);

            Assert.Null(diff.Unavailable);
            Assert.Equal("baseline of ng-a (4 of 4 nodes; no baseline for ZZZ-linkerd-cni-kubeconfig)", diff.LeftLabel);
            var kubeconfig = Assert.Single(diff.Files, f => f.File == Kubeconfig);
            Assert.Equal(FileDiffStatus.NotCompared, kubeconfig.Status);
            Assert.Equal("varies on every node of ng-a (4 of 4 differ): no baseline", kubeconfig.Note);
            Assert.Empty(kubeconfig.Text.Rows);
            Assert.Empty(kubeconfig.ChainChanges);
            Assert.All(diff.Files.Where(f => f.File != Kubeconfig), f => Assert.Equal(FileDiffStatus.Unchanged, f.Status));
        }
    }

    [Fact]
    public async Task The_label_counts_the_nodes_holding_the_baseline_content_of_the_files_that_have_one()
    {
        await MeshGroupAsync("ng-a", 4);
        // A fifth node whose Cilium file lacks linkerd-cni, and its own kubeconfig like everyone's.
        var stripped = System.Text.Json.Nodes.JsonNode.Parse(HealthyCilium)!;
        var plugins = stripped["plugins"]!.AsArray();
        plugins.RemoveAt(plugins.Count - 1);
        await AddAsync("ng-a", "odd-one", File(Cilium, stripped.ToJsonString()), File(Aws, HealthyAws), File(Kubeconfig, KubeconfigOf(99)));

        var diff = await BaselineVsAsync("ng-a", "odd-one");

        Assert.Equal("baseline of ng-a (4 of 5 nodes; no baseline for ZZZ-linkerd-cni-kubeconfig)", diff.LeftLabel);
        var cilium = Assert.Single(diff.Files, f => f.File == Cilium);
        Assert.Equal(FileDiffStatus.Modified, cilium.Status);
        Assert.Contains(cilium.ChainChanges, c => c.Kind == Shared.Diff.ChainChangeKind.PluginRemoved && c.PluginType == "linkerd-cni");
        Assert.Equal("varies on every node of ng-a (5 of 5 differ): no baseline", Assert.Single(diff.Files, f => f.File == Kubeconfig).Note);
    }

    [Fact]
    public async Task Content_shared_by_most_nodes_that_have_the_file_is_the_baseline_and_a_split_has_none()
    {
        var other = HealthyAws.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1480\"", StringComparison.Ordinal);
        Assert.NotEqual(HealthyAws, other);
        // ng-a: 3 of 5 share 10-aws.conflist. ng-b: 2 against 2.
        for (var i = 0; i < 5; i++) await AddAsync("ng-a", $"a-{i}", File(Cilium, HealthyCilium), File(Aws, i < 3 ? HealthyAws : other));
        for (var i = 0; i < 4; i++) await AddAsync("ng-b", $"b-{i}", File(Cilium, HealthyCilium), File(Aws, i < 2 ? HealthyAws : other));

        var majority = await BaselineVsAsync("ng-a", "a-4");
        var split = await BaselineVsAsync("ng-b", "b-3");

        Assert.Equal("baseline of ng-a (3 of 5 nodes)", majority.LeftLabel);
        var aws = Assert.Single(majority.Files, f => f.File == Aws);
        Assert.Equal(FileDiffStatus.Modified, aws.Status);
        Assert.Contains(aws.Text.Rows, r => r.Left?.Text.Contains("9001", StringComparison.Ordinal) == true && r.Right?.Text.Contains("1480", StringComparison.Ordinal) == true);
        Assert.Null(aws.Note);

        Assert.Equal("baseline of ng-b (4 of 4 nodes; no baseline for 10-aws.conflist)", split.LeftLabel);
        var unsettled = Assert.Single(split.Files, f => f.File == Aws);
        Assert.Equal(FileDiffStatus.NotCompared, unsettled.Status);
        Assert.Equal("no content is shared by most nodes of ng-b that have it (at most 2 of 4 agree): no baseline", unsettled.Note);
        Assert.Equal(FileDiffStatus.Unchanged, Assert.Single(split.Files, f => f.File == Cilium).Status);
    }

    [Fact]
    public async Task A_node_without_the_varying_file_shows_it_removed_and_the_baseline_may_be_either_side()
    {
        await MeshGroupAsync("ng-a", 3);
        await AddAsync("ng-a", "no-mesh", File(Cilium, HealthyCilium), File(Aws, HealthyAws));

        var nodeOnRight = await BaselineVsAsync("ng-a", "no-mesh");
        var nodeOnLeft = await _differ.DiffAsync(new DiffRequest(DiffSide.Latest("no-mesh"), DiffSide.Baseline("ng-a"), Kubeconfig), Ct);

        // 3 of the 4 nodes have the file, so it is in the baseline, without content; those 3 hold the baseline.
        Assert.Equal("baseline of ng-a (3 of 4 nodes; no baseline for ZZZ-linkerd-cni-kubeconfig)", nodeOnRight.LeftLabel);
        var removed = Assert.Single(nodeOnRight.Files, f => f.File == Kubeconfig);
        Assert.Equal((FileDiffStatus.Removed, "varies on every node of ng-a that has it (3 of 3 differ): no baseline"), (removed.Status, removed.Note));
        Assert.Empty(removed.Text.Rows);
        var added = Assert.Single(nodeOnLeft.Files);
        Assert.Equal((Kubeconfig, FileDiffStatus.Added), (added.File, added.Status));
        Assert.Equal(removed.Note, added.Note);
    }

    [Fact]
    public async Task A_one_node_group_is_its_own_baseline_and_a_two_node_group_that_disagrees_has_none()
    {
        await MeshGroupAsync("ng-solo", 1);
        await MeshGroupAsync("ng-pair", 2);

        var solo = await BaselineVsAsync("ng-solo", "ng-solo-node-1");
        var pair = await BaselineVsAsync("ng-pair", "ng-pair-node-1");

        Assert.Equal("baseline of ng-solo (1 of 1 nodes)", solo.LeftLabel);
        Assert.All(solo.Files, f => Assert.Equal(FileDiffStatus.Unchanged, f.Status));
        var kubeconfig = Assert.Single(pair.Files, f => f.File == Kubeconfig);
        Assert.Equal((FileDiffStatus.NotCompared, "varies on every node of ng-pair (2 of 2 differ): no baseline"), (kubeconfig.Status, kubeconfig.Note));
    }

    [GeneratedRegex("<redacted sha256:[0-9a-f]{12}>")]
    private static partial Regex RedactedToken();
}
