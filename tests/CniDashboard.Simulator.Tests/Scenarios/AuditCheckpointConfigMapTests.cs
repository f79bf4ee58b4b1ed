using System.Net;
using CniDashboard.Simulator.Scenarios;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.Scenarios;

/// <summary>
/// The ConfigMap the dashboard's chart creates for the audit checkpoint: seeded, patched by the
/// dashboard's own identity (and nothing else it may do there), and kept across a restart with its annotation.
/// </summary>
public sealed class AuditCheckpointConfigMapTests
{
    private const string Annotation = "cni-dashboard.io/audit-checkpoint";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_dashboard_gets_and_patches_its_checkpoint_configmap_which_survives_a_restart_and_may_do_nothing_else_there()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 1);
        using var client = sim.DashboardClient();

        var seeded = await client.CoreV1.ReadNamespacedConfigMapAsync(AuditCheckpointConfigMap.Name, AuditCheckpointConfigMap.Namespace, cancellationToken: Ct);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"annotations\":{\"" + Annotation + "\":\"{\\\"sequence\\\":7}\"}}}", V1Patch.PatchType.MergePatch),
            AuditCheckpointConfigMap.Name, AuditCheckpointConfigMap.Namespace, cancellationToken: Ct);

        Assert.False(seeded.Metadata.Annotations?.ContainsKey(Annotation) ?? false);
        foreach (var forbidden in new Func<Task>[]
        {
            () => client.CoreV1.ListNamespacedConfigMapAsync(AuditCheckpointConfigMap.Namespace, cancellationToken: Ct),
            () => client.CoreV1.DeleteNamespacedConfigMapAsync(AuditCheckpointConfigMap.Name, AuditCheckpointConfigMap.Namespace, cancellationToken: Ct),
            () => client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, AuditCheckpointConfigMap.Namespace, cancellationToken: Ct),
            () => client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"b"}}""", V1Patch.PatchType.MergePatch), CiliumConfig.Name, CiliumConfig.Namespace, cancellationToken: Ct),
        })
        {
            var error = await Assert.ThrowsAsync<HttpOperationException>(forbidden);
            Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
        }

        await sim.RestartAsync();

        var kept = sim.Cluster.Cluster.ConfigMaps.Get(AuditCheckpointConfigMap.Namespace, AuditCheckpointConfigMap.Name)!;
        Assert.Equal("{\"sequence\":7}", kept.Metadata.Annotations[Annotation]);
        Assert.Equal(seeded.Metadata.Uid, kept.Metadata.Uid);
    }
}
