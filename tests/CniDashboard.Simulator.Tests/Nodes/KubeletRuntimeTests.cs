using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;
using CniDashboard.Simulator.Tests.Scenarios;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.Nodes;

/// <summary>The simulated kubelet and runtime deciding from a node's real files, and the DaemonSet pods they run.</summary>
public sealed class KubeletRuntimeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_invalid_primary_makes_the_node_NetworkNotReady_until_it_is_fixed()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 4, configure: o => o with { Scenario = SimulationScenario.Healthy });
        var node = sim.Cluster.Nodes[2];
        await sim.AdvanceAsync(TimeSpan.FromSeconds(40));
        var primary = Path.Combine(node.CniDir, "05-cilium.conflist");
        var good = await File.ReadAllBytesAsync(primary, Ct);

        // A half-written primary: the runtime does not fall back to 10-aws.conflist, the node has no network.
        await sim.EditAsync(node, () => File.WriteAllTextAsync(primary, "{\n  \"cniVersion\": \"0.4.0\",\n  \"name\": \"aws-cni\",\n  \"plugins\": [\n", Ct));
        var notReady = await sim.AdvanceUntilAsync(
            () => ReadyCondition(sim, node) is { Status: "False" } c ? c : null,
            TimeSpan.FromSeconds(5),
            "the node's Ready condition to turn False");
        Assert.Equal(("KubeletNotReady", "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"), (notReady.Reason, notReady.Message));
        Assert.Contains(sim.Cluster.Cluster.Nodes.Get(node.Name)!.Spec.Taints, t => t.Key == "node.kubernetes.io/not-ready" && t.Effect == "NoSchedule");

        // Its pods stay: a new linkerd-cni pod (not host network) cannot get a sandbox.
        var linkerd = await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.LinkerdCni, Ct);
        await sim.AdvanceAsync(TimeSpan.FromSeconds(30));
        var stuck = sim.LinkerdPod(node.Name);
        Assert.NotEqual(linkerd.Metadata.Uid, stuck.Metadata.Uid);
        Assert.Equal("ContainerCreating", stuck.Status.ContainerStatuses.Single().State.Waiting.Reason);
        var networkNotReady = Assert.Single(sim.SandboxEvents(node.Name, "NetworkNotReady"), e => e.InvolvedObject.Uid == stuck.Metadata.Uid);
        Assert.StartsWith("network is not ready: container runtime network not ready: NetworkReady=false", networkNotReady.Message, StringComparison.Ordinal);
        Assert.True(networkNotReady.Count > 1);
        Assert.Empty(sim.SandboxEvents(node.Name));

        // The scheduler places no new workload pods on it.
        Assert.DoesNotContain(
            sim.Cluster.Cluster.Pods.List(fieldSelector: $"spec.nodeName={node.Name}"),
            p => CniDaemonSets.OwnerOf(p) is null && p.Metadata.CreationTimestamp > notReady.LastTransitionTime);

        // A hostNetwork pod starts regardless: Cilium's replacement rewrites its file from 10-aws.conflist, which fixes the node.
        var cilium = await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.Cilium, Ct);
        await sim.AdvanceUntilAsync(
            () => sim.Cluster.DaemonSetPod(node.Name, CniDaemonSets.Cilium) is { Status.Phase: "Running" } p && p.Metadata.Uid != cilium.Metadata.Uid ? p : null,
            TimeSpan.FromSeconds(5),
            "cilium's replacement to run on the NotReady node");
        Assert.NotEqual(good, await File.ReadAllBytesAsync(primary, Ct));
        await sim.AdvanceUntilAsync(() => ReadyCondition(sim, node) is { Status: "True" } c ? c : null, TimeSpan.FromSeconds(5), "the node to be Ready again");
        await sim.AdvanceUntilAsync(
            () => sim.LinkerdPod(node.Name) is { Status.Phase: "Running" } p ? p : null,
            TimeSpan.FromSeconds(30),
            "the stuck linkerd-cni pod to start once the network is back");
        Assert.Null(sim.Cluster.Cluster.Nodes.Get(node.Name)!.Spec.Taints);
    }

    [Fact]
    public async Task A_node_whose_CNI_folder_disappears_goes_NotReady_without_disturbing_the_others_and_recovers()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 3, configure: o => o with { Scenario = SimulationScenario.Healthy });
        var node = sim.Cluster.Nodes[1];
        var moved = node.CniDir + ".moved";

        await sim.EditAsync(node, () => Task.Run(() => Directory.Move(node.CniDir, moved), Ct));
        await sim.AdvanceUntilAsync(() => ReadyCondition(sim, node) is { Status: "False" } c ? c : null, TimeSpan.FromSeconds(5), "the node without a CNI folder to go NotReady");
        await sim.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("True", ReadyCondition(sim, sim.Cluster.Nodes[0])!.Status);
        Assert.Contains(
            sim.Cluster.Cluster.Pods.List(fieldSelector: $"spec.nodeName={sim.Cluster.Nodes[0].Name}"),
            p => CniDaemonSets.OwnerOf(p) is null && p.Status.Phase == "Running");

        await sim.EditAsync(node, () => Task.Run(() => Directory.Move(moved, node.CniDir), Ct));
        await sim.AdvanceUntilAsync(() => ReadyCondition(sim, node) is { Status: "True" } c ? c : null, TimeSpan.FromSeconds(5), "the node to be Ready once its folder is back");
    }

    [Fact]
    public async Task A_chain_plugin_without_its_binary_fails_every_new_sandbox_with_failed_to_find_plugin()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 3, configure: o => o with { Scenario = SimulationScenario.Healthy });
        var node = sim.Cluster.Nodes[0];
        await sim.AdvanceAsync(TimeSpan.FromSeconds(40));
        Assert.Empty(sim.SandboxEvents(node.Name));

        File.Delete(Path.Combine(node.BinDir, "linkerd-cni"));
        await sim.AdvanceAsync(TimeSpan.FromMinutes(2));

        var events = sim.SandboxEvents(node.Name);
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Matches(
            "^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"[0-9a-f]{64}\": failed to find plugin \"linkerd-cni\" in path \\[/opt/cni/bin\\]$",
            e.Message));
        // The other nodes still have the binary and start their pods.
        Assert.Empty(sim.SandboxEvents(sim.Cluster.Nodes[1].Name));
    }

    [Fact]
    public async Task A_deleted_daemonset_pod_is_recreated_started_and_its_installer_rewrites_the_files_for_it()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 3, configure: o => o with { Scenario = SimulationScenario.Healthy });
        var node = sim.Cluster.Nodes[1];
        var before = sim.LinkerdPod(node.Name);
        var chain = SimulationHarness.ChainOf(node, "05-cilium.conflist");

        var deleted = await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.LinkerdCni, Ct);
        Assert.Equal(before.Metadata.Uid, deleted.Metadata.Uid);

        // The v1.6.2 cleanup removed its entries and kubeconfig; the replacement starts (no linkerd-cni in the chain) and installs again.
        var replacement = await sim.AdvanceUntilAsync(
            () => sim.LinkerdPod(node.Name) is { } p && p.Metadata.Uid != before.Metadata.Uid && IsReady(p) ? p : null,
            TimeSpan.FromSeconds(30),
            "the replacement linkerd-cni pod to be Ready");
        Assert.Matches("^linkerd-cni-[bcdfghjklmnpqrstvwxz2456789]{5}$", replacement.Metadata.Name);
        Assert.Equal(node.Name, replacement.Spec.NodeName);
        Assert.Equal(chain, SimulationHarness.ChainOf(node, "05-cilium.conflist"));
        var kubeconfig = await File.ReadAllTextAsync(Path.Combine(node.CniDir, "ZZZ-linkerd-cni-kubeconfig"), Ct);
        Assert.Equal(replacement.Metadata.Name, Shared.Kubeconfig.KubeconfigReader.Read(kubeconfig).Token!.PodName);

        // Cilium's replacement regenerates 05-cilium.conflist; linkerd-cni (running) puts its entry back at the end.
        var oldCilium = await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.Cilium, Ct);
        await sim.AdvanceUntilAsync(
            () => sim.Cluster.DaemonSetPod(node.Name, CniDaemonSets.Cilium) is { } p && p.Metadata.Uid != oldCilium.Metadata.Uid && IsReady(p) ? p : null,
            TimeSpan.FromSeconds(30),
            "the replacement cilium pod to be Ready");
        await sim.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], SimulationHarness.ChainOf(node, "05-cilium.conflist"));

        var status = sim.Cluster.Cluster.DaemonSets.Get("linkerd-cni", "linkerd-cni")!.Status;
        Assert.Equal((3, 3, 3), (status.DesiredNumberScheduled, status.NumberReady, status.UpdatedNumberScheduled));
    }

    [Fact]
    public async Task A_pod_created_by_anyone_gets_its_sandbox_decided_from_its_nodes_files_and_is_left_alone()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 4);
        var healthy = sim.Cluster.NodesWithRole(NodeRole.Healthy)[0];
        var incident = sim.Cluster.NodesWithRole(NodeRole.Incident)[0];
        using var admin = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(sim.Cluster.AdminKubeconfigPath));
        V1Pod PodOn(SimulatedNode node) => new()
        {
            Metadata = new V1ObjectMeta { Name = "debug-" + node.Name.Split('.')[0], NamespaceProperty = "default" },
            Spec = new V1PodSpec { NodeName = node.Name, Containers = [new V1Container { Name = "shell", Image = "public.ecr.aws/docker/library/busybox:1.37" }] },
        };
        var onHealthy = await admin.CoreV1.CreateNamespacedPodAsync(PodOn(healthy), "default", cancellationToken: Ct);
        var onIncident = await admin.CoreV1.CreateNamespacedPodAsync(PodOn(incident), "default", cancellationToken: Ct);

        await sim.AdvanceAsync(TimeSpan.FromMinutes(5));

        var started = sim.Cluster.Cluster.Pods.Get("default", onHealthy.Metadata.Name)!;
        Assert.Equal("Running", started.Status.Phase);
        Assert.StartsWith("10.0.", started.Status.PodIP, StringComparison.Ordinal);
        var stuck = sim.Cluster.Cluster.Pods.Get("default", onIncident.Metadata.Name)!;
        Assert.Equal("Pending", stuck.Status.Phase);
        var failure = Assert.Single(sim.SandboxEvents(incident.Name), e => e.InvolvedObject.Uid == stuck.Metadata.Uid);
        Assert.EndsWith("plugin type=\"linkerd-cni\" name=\"linkerd-cni\" failed (add): Unauthorized", failure.Message, StringComparison.Ordinal);
    }

    private static V1NodeCondition? ReadyCondition(SimulationHarness sim, SimulatedNode node) =>
        sim.Cluster.Cluster.Nodes.Get(node.Name)!.Status.Conditions.Single(c => c.Type == "Ready");

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
