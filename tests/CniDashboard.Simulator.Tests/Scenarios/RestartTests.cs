using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;

namespace CniDashboard.Simulator.Tests.Scenarios;

/// <summary>A restart with the same data dir resumes the same cluster: healthy nodes stay healthy, broken ones stay broken.</summary>
public sealed class RestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The seeder and the API server draw uids from generators of their own: a pod the controller
    /// creates after seeding (or after a restart) never takes a seeded pod's uid, which would leave it
    /// unseen by the kubelet (it tracks pods by uid) and never started.
    /// </summary>
    [Fact]
    public async Task Pods_created_after_seeding_and_after_a_restart_never_reuse_a_uid()
    {
        await using var sim = await SimulationHarness.StartAsync();
        var incident = sim.Cluster.NodesWithRole(NodeRole.Incident)[0];
        // The first pod the controller creates (with the default seed, this one once took aws-node's uid).
        await sim.Cluster.RestartPodAsync(incident.Name, CniDaemonSets.LinkerdCni, Ct);
        foreach (var node in sim.Cluster.Nodes) await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.Cilium, Ct);
        await sim.AdvanceAsync(TimeSpan.FromSeconds(10));
        var beforeRestart = sim.Cluster.Cluster.Pods.List();
        Assert.Equal(beforeRestart.Count, beforeRestart.Select(p => p.Metadata.Uid).Distinct().Count());
        // The kubelet saw the new pod: it tried its sandbox (the node is still broken).
        Assert.NotNull(sim.LinkerdPod(incident.Name).Status.Conditions);
        await sim.RestartAsync();
        foreach (var node in sim.Cluster.Nodes) await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.AwsNode, Ct);
        await sim.AdvanceAsync(TimeSpan.FromSeconds(10));

        var pods = sim.Cluster.Cluster.Pods.List();
        Assert.Equal(pods.Count, pods.Select(p => p.Metadata.Uid).Distinct().Count());
        Assert.All(sim.Cluster.Nodes, n => Assert.Equal("Running", sim.Cluster.DaemonSetPod(n.Name, CniDaemonSets.AwsNode)!.Status.Phase));
    }

    [Fact]
    public async Task A_restart_resumes_every_node_with_the_same_pods_tokens_and_health()
    {
        await using var sim = await SimulationHarness.StartAsync();
        await sim.AdvanceAsync(TimeSpan.FromSeconds(30));
        var incident = sim.Cluster.NodesWithRole(NodeRole.Incident);

        // Fix one incident node before the restart: its new pod and token must survive it too.
        var fixedNode = incident[0];
        SimulationHarness.RemovePlugin(fixedNode, "05-cilium.conflist", "linkerd-cni");
        SimulationHarness.RemovePlugin(fixedNode, "10-aws.conflist", "linkerd-cni");
        await sim.Cluster.RestartPodAsync(fixedNode.Name, CniDaemonSets.LinkerdCni, Ct);
        await sim.AdvanceUntilAsync(
            () => KubeconfigFacts(fixedNode).Token?.PodName == sim.LinkerdPod(fixedNode.Name).Metadata.Name ? "fixed" : null,
            TimeSpan.FromSeconds(30),
            "the fixed node's new linkerd-cni pod to install");
        await sim.AdvanceAsync(TimeSpan.FromSeconds(30));

        var pods = sim.Cluster.Nodes.ToDictionary(n => n.Name, n => (sim.LinkerdPod(n.Name).Metadata.Name, sim.LinkerdPod(n.Name).Metadata.Uid, sim.LinkerdPod(n.Name).Status.Phase));
        var nodeUids = sim.Cluster.Nodes.ToDictionary(n => n.Name, n => sim.Cluster.Cluster.Nodes.Get(n.Name)!.Metadata.Uid);
        var files = sim.Cluster.Nodes.ToDictionary(n => n.Name, n => File.ReadAllText(Path.Combine(n.CniDir, "05-cilium.conflist")));
        var broken = sim.Cluster.Nodes.Where(n => pods[n.Name].Phase == "Pending").Select(n => n.Name).ToHashSet();
        Assert.Equal(3, broken.Count);
        Assert.DoesNotContain(fixedNode.Name, broken);

        await sim.RestartAsync();

        var cluster = sim.Cluster;
        Assert.True(cluster.Resumed);
        Assert.Equal(pods.Keys.Order(), cluster.Nodes.Select(n => n.Name).Order());
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(nodeUids[node.Name], cluster.Cluster.Nodes.Get(node.Name)!.Metadata.Uid);
            var pod = sim.LinkerdPod(node.Name);
            Assert.Equal(pods[node.Name], (pod.Metadata.Name, pod.Metadata.Uid, pod.Status.Phase));
            Assert.Equal(files[node.Name], File.ReadAllText(Path.Combine(node.CniDir, "05-cilium.conflist")));
            var token = TokenOf(node);
            Assert.Equal(!broken.Contains(node.Name), cluster.Emulator.Authenticate(token).Authenticated);
        }

        var failures = cluster.Nodes.ToDictionary(n => n.Name, n => sim.SandboxFailureCount(n.Name));
        await sim.AdvanceAsync(TimeSpan.FromMinutes(1));
        foreach (var node in cluster.Nodes)
        {
            if (broken.Contains(node.Name))
            {
                Assert.True(sim.SandboxFailureCount(node.Name) > failures[node.Name], $"{node.Name} should still fail its sandboxes");
                Assert.Equal("Pending", sim.LinkerdPod(node.Name).Status.Phase);
            }
            else
            {
                Assert.Empty(sim.SandboxEvents(node.Name));
            }
        }

        // The rollout is where it was (the fixed node's pod is updated and Ready; three are stuck).
        var status = cluster.Cluster.DaemonSets.Get("linkerd-cni", "linkerd-cni")!.Status;
        Assert.Equal((12, 9), (status.DesiredNumberScheduled, status.NumberReady));
    }

    [Fact]
    public async Task A_restart_with_more_nodes_keeps_the_old_ones_and_adds_healthy_ones()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 4);
        var names = sim.Cluster.Nodes.Select(n => n.Name).ToList();

        await sim.RestartAsync(o => o with { NodeCount = 6, Seed = 999 });

        Assert.Equal(names, sim.Cluster.Nodes.Take(4).Select(n => n.Name));
        Assert.Equal(1, sim.Cluster.Seed);
        foreach (var added in sim.Cluster.Nodes.Skip(4))
        {
            Assert.Equal(NodeRole.Healthy, added.Role);
            var pod = sim.LinkerdPod(added.Name);
            Assert.Equal(pod.Metadata.Name, KubeconfigFacts(added).Token!.PodName);
            Assert.True(sim.Cluster.Emulator.Authenticate(TokenOf(added)).Authenticated);
        }

        await sim.AdvanceAsync(TimeSpan.FromSeconds(40));
        Assert.All(sim.Cluster.Nodes.Skip(4), n => Assert.Empty(sim.SandboxEvents(n.Name)));
    }

    private static KubeconfigFacts KubeconfigFacts(SimulatedNode node) =>
        KubeconfigReader.Read(File.ReadAllText(Path.Combine(node.CniDir, "ZZZ-linkerd-cni-kubeconfig")));

    private static string TokenOf(SimulatedNode node) =>
        File.ReadAllLines(Path.Combine(node.CniDir, "ZZZ-linkerd-cni-kubeconfig")).Select(l => l.Trim()).Single(l => l.StartsWith("token: ", StringComparison.Ordinal))["token: ".Length..];
}
