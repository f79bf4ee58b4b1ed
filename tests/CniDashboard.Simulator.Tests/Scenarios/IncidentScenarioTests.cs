using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;
using k8s;

namespace CniDashboard.Simulator.Tests.Scenarios;

/// <summary>The default scenario: the linkerd-cni upgrade incident on 3 of 12 nodes, and the fix for the real reason.</summary>
public sealed class IncidentScenarioTests
{
    private const string Unauthorized = "plugin type=\"linkerd-cni\" name=\"linkerd-cni\" failed (add): Unauthorized";

    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Scenarios", "Fixtures");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_default_cluster_has_the_incident_on_three_of_twelve_nodes_with_the_reference_files_and_a_stuck_rollout()
    {
        await using var sim = await SimulationHarness.StartAsync();
        var cluster = sim.Cluster;

        Assert.Equal(12, cluster.Nodes.Count);
        Assert.Equal(3, cluster.NodesWithRole(NodeRole.Incident).Count);
        Assert.Single(cluster.NodesWithRole(NodeRole.Drift));
        Assert.All(cluster.Nodes, n => Assert.Matches(@"^ip-10-0-\d+-\d+\.us-west-2\.compute\.internal$", n.Name));
        Assert.Equal(2, cluster.Nodes.Select(n => n.NodeGroup).Distinct().Count());

        foreach (var node in cluster.NodesWithRole(NodeRole.Incident))
        {
            // Byte for byte the reference incident folder's conflists.
            Assert.Equal(File.ReadAllBytes(Path.Combine(Fixtures, "incident", "05-cilium.conflist")), File.ReadAllBytes(Path.Combine(node.CniDir, "05-cilium.conflist")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(Fixtures, "incident", "10-aws.conflist")), File.ReadAllBytes(Path.Combine(node.CniDir, "10-aws.conflist")));

            // The token is bound to a linkerd-cni pod that no longer exists, and the API server rejects it.
            var (claims, token) = KubeconfigOf(node);
            Assert.StartsWith("linkerd-cni-", claims.PodName, StringComparison.Ordinal);
            Assert.Null(cluster.Cluster.Pods.Get("linkerd-cni", claims.PodName!));
            Assert.False(cluster.Emulator.Authenticate(token).Authenticated);

            // Its replacement (the new image) waits for a sandbox.
            var replacement = sim.LinkerdPod(node.Name);
            Assert.Equal(CniDaemonSets.LinkerdCniImage, replacement.Spec.Containers[0].Image);
            Assert.NotEqual(claims.PodName, replacement.Metadata.Name);
        }

        foreach (var node in cluster.Nodes.Where(n => n.Role != NodeRole.Incident))
        {
            var (claims, token) = KubeconfigOf(node);
            var running = sim.LinkerdPod(node.Name);
            Assert.Equal((running.Metadata.Name, running.Metadata.Uid), (claims.PodName, claims.PodUid));
            Assert.Equal(CniDaemonSets.LinkerdCniBrokenImage, running.Spec.Containers[0].Image);
            Assert.True(cluster.Emulator.Authenticate(token).Authenticated);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node.CniDir, "ZZZ-linkerd-cni-kubeconfig")));
            }
        }

        var drift = cluster.NodesWithRole(NodeRole.Drift).Single();
        Assert.True(File.Exists(Path.Combine(drift.CniDir, "10-aws.conflist.cilium_bak")));

        await sim.AdvanceAsync(TimeSpan.FromMinutes(2));
        foreach (var node in cluster.NodesWithRole(NodeRole.Incident))
        {
            var stuck = sim.LinkerdPod(node.Name);
            Assert.Equal("Pending", stuck.Status.Phase);
            Assert.Equal("ContainerCreating", stuck.Status.ContainerStatuses.Single().State.Waiting.Reason);
        }

        // The rollout is stuck: the three updated pods never become Ready, so no other node is touched.
        var linkerd = cluster.Cluster.DaemonSets.Get("linkerd-cni", "linkerd-cni")!.Status;
        Assert.Equal((12, 3, 9, 3), (linkerd.DesiredNumberScheduled, linkerd.UpdatedNumberScheduled, linkerd.NumberReady, linkerd.NumberUnavailable));
    }

    [Fact]
    public async Task Incident_nodes_fail_every_sandbox_with_Unauthorized_at_the_kubelets_pace_while_the_others_start_pods()
    {
        await using var sim = await SimulationHarness.StartAsync();
        var window = TimeSpan.FromMinutes(5);
        await sim.AdvanceAsync(window);

        foreach (var node in sim.Cluster.NodesWithRole(NodeRole.Incident))
        {
            var events = sim.SandboxEvents(node.Name);
            Assert.All(events, e =>
            {
                Assert.EndsWith(Unauthorized, e.Message, StringComparison.Ordinal);
                Assert.Matches("^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"[0-9a-f]{64}\": ", e.Message);
                Assert.Equal((node.Name, node.Name, "kubelet", "Warning"), (e.Source.Host, e.ReportingInstance, e.ReportingComponent, e.Type));
                Assert.Equal(("Pod", e.Metadata.NamespaceProperty), (e.InvolvedObject.Kind, e.InvolvedObject.NamespaceProperty));
            });

            // One event per stuck pod, counting its retries: the linkerd-cni pod has been retried all along.
            var linkerd = sim.LinkerdPod(node.Name);
            var series = Assert.Single(events, e => e.InvolvedObject.Uid == linkerd.Metadata.Uid);
            // Retries after 5 s, 10 s, then every 15 s: 1 + 2 + (300 - 15) / 15 attempts in five minutes.
            Assert.InRange(series.Count ?? 0, 21, 23);
            Assert.InRange(series.LastTimestamp!.Value - series.FirstTimestamp!.Value, window - TimeSpan.FromSeconds(16), window);

            // A new workload pod lands every 30 s (±20 %) and fails the same way.
            var failedWorkloads = events.Where(e => e.InvolvedObject.Uid != linkerd.Metadata.Uid).Select(e => e.InvolvedObject.Uid).Distinct().Count();
            Assert.InRange(failedWorkloads, (int)(window / TimeSpan.FromSeconds(36)), (int)(window / TimeSpan.FromSeconds(24)) + 1);
            Assert.Equal(events.Count, events.Select(e => e.InvolvedObject.Uid).Distinct().Count());
        }

        foreach (var node in sim.Cluster.Nodes.Where(n => n.Role != NodeRole.Incident))
        {
            Assert.Empty(sim.SandboxEvents(node.Name));
            var workloads = sim.Cluster.Cluster.Pods.List(fieldSelector: $"spec.nodeName={node.Name}").Where(p => CniDaemonSets.OwnerOf(p) is null).ToList();
            Assert.InRange(workloads.Count, 1, 4);
            Assert.Contains(workloads, p => p.Status.Phase == "Running" && p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"));
        }
    }

    [Fact]
    public async Task Removing_the_stale_entry_and_restarting_linkerd_cni_stops_the_errors_and_the_new_pod_writes_a_fresh_token()
    {
        await using var sim = await SimulationHarness.StartAsync();
        await sim.AdvanceAsync(TimeSpan.FromMinutes(1));
        var node = sim.Cluster.NodesWithRole(NodeRole.Incident)[0];
        var stuck = sim.LinkerdPod(node.Name);

        // The fix, as done by hand in the incident: edit the files, delete the node's linkerd-cni pod.
        SimulationHarness.RemovePlugin(node, "05-cilium.conflist", "linkerd-cni");
        SimulationHarness.RemovePlugin(node, "10-aws.conflist", "linkerd-cni");
        using (var client = sim.DashboardClient())
        {
            await client.CoreV1.DeleteNamespacedPodAsync(stuck.Metadata.Name, "linkerd-cni", cancellationToken: Ct);
        }

        var replacement = await sim.AdvanceUntilAsync(
            () => sim.LinkerdPod(node.Name) is { } p && p.Metadata.Uid != stuck.Metadata.Uid && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? p : null,
            TimeSpan.FromMinutes(1),
            "the new linkerd-cni pod to become Ready");

        // Its installer put the entry back with a token bound to the new pod, which the API server accepts.
        var (claims, token) = KubeconfigOf(node);
        Assert.Equal((replacement.Metadata.Name, replacement.Metadata.Uid), (claims.PodName, claims.PodUid));
        Assert.True(sim.Cluster.Emulator.Authenticate(token).Authenticated);
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], SimulationHarness.ChainOf(node, "05-cilium.conflist"));
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "linkerd-cni"], SimulationHarness.ChainOf(node, "10-aws.conflist"));

        // From now on the node's sandboxes succeed: no new failures, and new workload pods run.
        var before = sim.SandboxFailureCount(node.Name);
        await sim.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(before, sim.SandboxFailureCount(node.Name));
        var workloads = sim.Cluster.Cluster.Pods.List(fieldSelector: $"spec.nodeName={node.Name}").Where(p => CniDaemonSets.OwnerOf(p) is null).ToList();
        Assert.NotEmpty(workloads);
        Assert.All(workloads, p => Assert.Equal("Running", p.Status.Phase));

        // The other incident nodes are still broken.
        var other = sim.Cluster.NodesWithRole(NodeRole.Incident)[1];
        var otherBefore = sim.SandboxFailureCount(other.Name);
        await sim.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.True(sim.SandboxFailureCount(other.Name) > otherBefore);
    }

    [Fact]
    public async Task A_fixed_node_frees_the_rollout_which_then_breaks_the_next_node_through_the_old_images_cleanup_bug()
    {
        await using var sim = await SimulationHarness.StartAsync();
        var node = sim.Cluster.NodesWithRole(NodeRole.Incident)[0];
        SimulationHarness.RemovePlugin(node, "05-cilium.conflist", "linkerd-cni");
        SimulationHarness.RemovePlugin(node, "10-aws.conflist", "linkerd-cni");
        await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.LinkerdCni, Ct);

        // One more updated pod is Ready, so the controller replaces the next v1.6.0 pod, whose cleanup fails.
        var next = await sim.AdvanceUntilAsync(
            () => sim.Cluster.Nodes.FirstOrDefault(n => n.Role != NodeRole.Incident && sim.LinkerdPod(n.Name).Spec.Containers[0].Image == CniDaemonSets.LinkerdCniImage),
            TimeSpan.FromMinutes(1),
            "the rollout to move to another node");
        await sim.AdvanceAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("linkerd-cni", SimulationHarness.ChainOf(next, "05-cilium.conflist"));
        var (claims, token) = KubeconfigOf(next);
        Assert.Null(sim.Cluster.Cluster.Pods.Get("linkerd-cni", claims.PodName!));
        Assert.False(sim.Cluster.Emulator.Authenticate(token).Authenticated);
        Assert.Equal("Pending", sim.LinkerdPod(next.Name).Status.Phase);
        Assert.Contains(sim.SandboxEvents(next.Name), e => e.Message.EndsWith(Unauthorized, StringComparison.Ordinal));
        var status = sim.Cluster.Cluster.DaemonSets.Get("linkerd-cni", "linkerd-cni")!.Status;
        Assert.Equal(4, status.UpdatedNumberScheduled);
    }

    private static (TokenClaims Claims, string Token) KubeconfigOf(SimulatedNode node)
    {
        var text = File.ReadAllText(Path.Combine(node.CniDir, "ZZZ-linkerd-cni-kubeconfig"));
        var token = text.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("token: ", StringComparison.Ordinal))["token: ".Length..];
        return (KubeconfigReader.Read(text).Token!, token);
    }
}
