using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Analysis.Rules;
using CniDashboard.Shared.Cni;
using static CniDashboard.Shared.Tests.Analysis.Scenario;

namespace CniDashboard.Shared.Tests.Analysis;

/// <summary>What the node-daemon and node-group-drift findings say, and how a group's majority is found.</summary>
public class DaemonAndDriftTests
{
    private static readonly string[] HealthyChain = ["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"];

    private static (string? Primary, IReadOnlyList<string> Chain) Node(string? primary, params string[] chain) => (primary, chain);

    [Fact]
    public void A_group_majority_is_more_than_half_of_its_nodes_with_known_files()
    {
        var lost = HealthyChain.Skip(1).ToArray();
        var members = Enumerable.Repeat(Node(CiliumConflist, HealthyChain), 9).Append(Node(CiliumConflist, lost)).ToArray();

        var majority = NodeGroupMajority.Of("ng-general", members)!;

        Assert.Equal(("ng-general", CiliumConflist, 9, 10), (majority.Name, majority.Primary, majority.Majority, majority.Nodes));
        Assert.Equal(HealthyChain, majority.Chain);
        Assert.True(NodeGroupMajority.Matches(majority, CiliumConflist, HealthyChain));
        Assert.False(NodeGroupMajority.Matches(majority, CiliumConflist, lost));
        Assert.False(NodeGroupMajority.Matches(majority, AwsConflist, HealthyChain));
    }

    [Fact]
    public void A_split_group_or_a_small_one_has_no_majority()
    {
        // Half is not more than half.
        Assert.Null(NodeGroupMajority.Of("ng", [Node(CiliumConflist, "aws-cni"), Node(CiliumConflist, "aws-cni"), Node(AwsConflist, "aws-cni"), Node(null)]));
        Assert.Null(NodeGroupMajority.Of("ng", [Node(CiliumConflist, "aws-cni"), Node(CiliumConflist, "aws-cni")]));
        Assert.NotNull(NodeGroupMajority.Of("ng", [Node(CiliumConflist, "aws-cni"), Node(CiliumConflist, "aws-cni"), Node(null)]));
        // The primary counts as much as the chain: the same chain from another file is another configuration.
        Assert.Equal(AwsConflist, NodeGroupMajority.Of("ng", [Node(AwsConflist, "aws-cni"), Node(AwsConflist, "aws-cni"), Node(CiliumConflist, "aws-cni")])!.Primary);
    }

    [Fact]
    public void Drift_names_the_majority_and_what_the_node_lacks()
    {
        var context = HealthyContext with { NodeGroup = new ContextNodeGroup { Name = "ng-general", Primary = CiliumConflist, Chain = HealthyChain, Majority = 9, Nodes = 10 } };

        var report = HealthyWith(context, (CiliumConflist, WithoutPlugin(HealthyCilium, "aws-cni"))).Run();

        var drift = Assert.Single(report.Findings, f => f.Rule == "node-group-drift");
        Assert.Equal("aws-cni missing from the chain, unlike 9 of 10 nodes of ng-general", drift.Message);
        Assert.Equal(
            [
                "this node: 05-cilium.conflist: egress-cni → portmap → cilium-cni → linkerd-cni",
                "9 of 10 nodes of ng-general: 05-cilium.conflist: aws-cni → egress-cni → portmap → cilium-cni → linkerd-cni",
            ],
            drift.Evidence);
    }

    [Fact]
    public void Drift_names_a_different_primary_an_extra_plugin_and_a_changed_order()
    {
        var majority = new ContextNodeGroup { Name = "ng-batch", Primary = AwsConflist, Chain = ["aws-cni", "portmap"], Majority = 4, Nodes = 5 };
        string MessageFor(string? primary, params string[] chain) =>
            Assert.Single(new NodeGroupDriftRule().Evaluate(Input(primary, chain, majority))).Message;

        Assert.Equal("primary is 05-cilium.conflist, not 10-aws.conflist, unlike 4 of 5 nodes of ng-batch", MessageFor(CiliumConflist, "aws-cni", "portmap"));
        Assert.Equal("extra linkerd-cni in the chain, unlike 4 of 5 nodes of ng-batch", MessageFor(AwsConflist, "aws-cni", "portmap", "linkerd-cni"));
        Assert.Equal("the chain's order differs, unlike 4 of 5 nodes of ng-batch", MessageFor(AwsConflist, "portmap", "aws-cni"));
        Assert.Empty(new NodeGroupDriftRule().Evaluate(Input(AwsConflist, ["aws-cni", "portmap"], majority)));
    }

    /// <summary>A folder whose primary is <paramref name="primary"/> with <paramref name="chain"/> (each plugin bare).</summary>
    private static AnalysisInput Input(string? primary, string[] chain, ContextNodeGroup majority)
    {
        var plugins = string.Join(", ", chain.Select(t => $"{{\"type\": \"{t}\"}}"));
        var files = primary is null ? Fixture.Folder() : Fixture.Folder((primary, $"{{\"cniVersion\": \"0.4.0\", \"name\": \"n\", \"plugins\": [{plugins}]}}"));
        return new AnalysisInput(CniFolder.Read(files), null, new NodeClusterContext { NodeGroup = majority }, IncidentTime, CniAnalyzer.DefaultHostCniDir);
    }

    [Fact]
    public void A_missing_daemon_names_the_daemonset_and_the_plugin_entry()
    {
        var context = HealthyContext with
        {
            Pods = HealthyContext.Pods.Where(p => p.DaemonSet != "cilium").ToArray(),
            DaemonSets = HealthyContext.DaemonSets.Where(d => d.Name != "cilium").ToArray(),
            WatchedDaemonSets = ["cilium"],
        };

        var finding = Assert.Single((Healthy() with { Context = context }).Run().Findings, f => f.Rule == "plugin-daemon-not-running");

        Assert.Equal("cilium-cni is in the primary chain but no cilium DaemonSet in the cluster and no cilium pod on the node", finding.Message);
        Assert.Equal(("/plugins/3", Severity.Warning), (finding.JsonPointer, finding.Severity));
        Assert.Contains("05-cilium.conflist /plugins/3 (position 4 of 5)", finding.Evidence);
        Assert.Contains("no pod of DaemonSet cilium on the node", finding.Evidence);
    }
}
