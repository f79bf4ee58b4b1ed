using CniDashboard.Shared.Remediation;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.Scenarios;

/// <summary>
/// The simulated cluster does what the remediation engine will call, through the dashboard's own
/// kubeconfig: probe pods that the kubelet runs from the node's real files, and kured's lock.
/// </summary>
public sealed class RemediationScenarioTests
{
    private const string PlanId = "rp-incident-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_probe_pod_runs_on_a_healthy_node_and_fails_its_sandbox_on_an_incident_node_from_the_real_files_then_is_deleted()
    {
        await using var sim = await SimulationHarness.StartAsync();
        var healthy = sim.Cluster.NodesWithRole(NodeRole.Healthy)[0].Name;
        var incident = sim.Cluster.NodesWithRole(NodeRole.Incident)[0].Name;
        using var dashboard = sim.DashboardClient();

        var onHealthy = await dashboard.CoreV1.CreateNamespacedPodAsync(Probe(healthy), DashboardNamespace, cancellationToken: Ct);
        var onIncident = await dashboard.CoreV1.CreateNamespacedPodAsync(Probe(incident), DashboardNamespace, cancellationToken: Ct);
        Assert.Equal(("Pending", healthy), (onHealthy.Status.Phase, onHealthy.Spec.NodeName));

        await sim.AdvanceUntilAsync(
            () => Phase(sim, onHealthy) == "Running" && ProbeEvents(sim, onIncident).Count > 0 ? "both decided" : null,
            TimeSpan.FromSeconds(30),
            "the kubelet to run the healthy node's probe and fail the incident node's");

        var failure = Assert.Single(ProbeEvents(sim, onIncident));
        Assert.Equal(("Warning", incident), (failure.Type, failure.Source.Host));
        Assert.Contains("plugin type=\"linkerd-cni\" name=\"linkerd-cni\" failed (add): Unauthorized", failure.Message, StringComparison.Ordinal);
        Assert.Equal("Pending", Phase(sim, onIncident));
        Assert.Empty(ProbeEvents(sim, onHealthy));
        var listed = await dashboard.CoreV1.ListNamespacedPodAsync(DashboardNamespace, labelSelector: $"{RemediationKeys.ProbeLabel}={PlanId}", cancellationToken: Ct);
        Assert.Equal(2, listed.Items.Count);

        await dashboard.CoreV1.DeleteNamespacedPodAsync(onIncident.Metadata.Name, DashboardNamespace, cancellationToken: Ct);
        await dashboard.CoreV1.DeleteNamespacedPodAsync(onHealthy.Metadata.Name, DashboardNamespace, cancellationToken: Ct);
        var attempts = ProbeEvents(sim, onIncident).Sum(e => e.Count ?? 1);
        await sim.AdvanceAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(sim.Cluster.Cluster.Pods.List(DashboardNamespace, labelSelector: $"{RemediationKeys.ProbeLabel}={PlanId}"));
        // The kubelet forgot it: no more sandbox attempts for the deleted pod.
        Assert.Equal(attempts, ProbeEvents(sim, onIncident).Sum(e => e.Count ?? 1));
    }

    [Fact]
    public async Task Kured_runs_on_every_node_and_its_lock_can_be_taken_and_released_and_survives_a_restart()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 3);
        using var dashboard = sim.DashboardClient();
        var node = sim.Cluster.Nodes[1].Name;

        var kured = await dashboard.AppsV1.ReadNamespacedDaemonSetAsync(KuredDaemonSet.Name, KuredDaemonSet.Namespace, cancellationToken: Ct);
        Assert.False(kured.Metadata.Annotations?.ContainsKey(RemediationKeys.KuredLockAnnotation) ?? false);
        Assert.All(sim.Cluster.Nodes, n => Assert.Equal("Running", sim.Cluster.DaemonSetPod(n.Name, KuredDaemonSet.Name)!.Status.Phase));
        Assert.Null(sim.Cluster.KuredLockHolder);

        sim.Cluster.SetKuredLock(node);
        var locked = await dashboard.AppsV1.ReadNamespacedDaemonSetAsync(KuredDaemonSet.Name, KuredDaemonSet.Namespace, cancellationToken: Ct);
        Assert.Equal(node, KuredLock.Holder(locked.Metadata.Annotations[RemediationKeys.KuredLockAnnotation], sim.Time!.GetUtcNow()));

        await sim.RestartAsync();
        Assert.Equal(node, sim.Cluster.KuredLockHolder);

        sim.Cluster.ReleaseKuredLock();
        using var after = sim.DashboardClient();
        var released = await after.AppsV1.ReadNamespacedDaemonSetAsync(KuredDaemonSet.Name, KuredDaemonSet.Namespace, cancellationToken: Ct);
        Assert.False(released.Metadata.Annotations?.ContainsKey(RemediationKeys.KuredLockAnnotation) ?? false);
        Assert.Null(sim.Cluster.KuredLockHolder);
    }

    private static string DashboardNamespace => Simulator.KubeApi.Auth.KubeIdentities.ProductNamespace;

    private static V1Pod Probe(string node) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = RemediationKeys.ProbePodName(PlanId, node, 1),
            Labels = new Dictionary<string, string> { [RemediationKeys.ProbeLabel] = PlanId },
        },
        Spec = new V1PodSpec
        {
            NodeName = node,
            RestartPolicy = "Never",
            Containers = [new V1Container { Name = "probe", Image = "registry.k8s.io/pause:3.10" }],
        },
    };

    private static string? Phase(SimulationHarness sim, V1Pod pod) =>
        sim.Cluster.Cluster.Pods.Get(pod.Metadata.NamespaceProperty, pod.Metadata.Name)?.Status?.Phase;

    private static IReadOnlyList<Corev1Event> ProbeEvents(SimulationHarness sim, V1Pod pod) =>
        [.. sim.Cluster.Cluster.Events.List(pod.Metadata.NamespaceProperty, fieldSelector: "reason=FailedCreatePodSandBox").Where(e => e.InvolvedObject.Uid == pod.Metadata.Uid)];
}
