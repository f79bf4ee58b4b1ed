using System.Net;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

/// <summary>core/v1 ConfigMaps with the real KubernetesClient: the verbs, selectors and watch, and the dashboard's one-name grant.</summary>
public sealed class ConfigMapContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1ConfigMap CiliumConfig(string exclusive = "false", string @namespace = "kube-system", string name = "cilium-config") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "cilium" } },
        Data = new Dictionary<string, string> { ["cni-exclusive"] = exclusive, ["cni-chaining-mode"] = "aws-cni" },
    };

    [Fact]
    public async Task Create_get_list_by_name_and_label_replace_patch_and_delete_are_seen_by_a_watch_in_order()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var admin = harness.AdminClient();
        var created = await admin.CoreV1.CreateNamespacedConfigMapAsync(CiliumConfig(), "kube-system", cancellationToken: Ct);
        await admin.CoreV1.CreateNamespacedConfigMapAsync(CiliumConfig(name: "coredns"), "kube-system", cancellationToken: Ct);
        Assert.Equal(("v1", "ConfigMap", "false"), (created.ApiVersion, created.Kind, created.Data["cni-exclusive"]));
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));

        var byName = await admin.CoreV1.ListNamespacedConfigMapAsync("kube-system", fieldSelector: "metadata.name=cilium-config", cancellationToken: Ct);
        var byLabel = await admin.CoreV1.ListNamespacedConfigMapAsync("kube-system", labelSelector: "app.kubernetes.io/part-of=cilium", cancellationToken: Ct);
        Assert.Equal(["cilium-config"], byName.Items.Select(c => c.Metadata.Name));
        Assert.Equal(["cilium-config", "coredns"], byLabel.Items.Select(c => c.Metadata.Name));
        Assert.Equal("aws-cni", (await admin.CoreV1.ReadNamespacedConfigMapAsync("cilium-config", "kube-system", cancellationToken: Ct)).Data["cni-chaining-mode"]);

        await using var watch = WatchRecorder<V1ConfigMap>.Start((onError, ct) => admin.CoreV1.WatchListNamespacedConfigMapAsync(
            "kube-system", fieldSelector: "metadata.name=cilium-config", resourceVersion: byName.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));

        var current = await admin.CoreV1.ReadNamespacedConfigMapAsync("cilium-config", "kube-system", cancellationToken: Ct);
        current.Data["cni-exclusive"] = "true";
        var replaced = await admin.CoreV1.ReplaceNamespacedConfigMapAsync(current, "cilium-config", "kube-system", cancellationToken: Ct);
        // The copy read before the replace is stale now: optimistic concurrency refuses it.
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.ReplaceNamespacedConfigMapAsync(current, "cilium-config", "kube-system", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        await admin.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"cni-exclusive":"false"}}""", V1Patch.PatchType.MergePatch), "cilium-config", "kube-system", cancellationToken: Ct);
        // A change to another ConfigMap does not reach a watch selecting this one by name.
        await admin.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"Corefile":".:53"}}""", V1Patch.PatchType.StrategicMergePatch), "coredns", "kube-system", cancellationToken: Ct);
        var deleted = await admin.CoreV1.DeleteNamespacedConfigMapAsync("cilium-config", "kube-system", cancellationToken: Ct);
        Assert.Equal("Success", deleted.Status);

        var events = new[] { await watch.NextChangeAsync(), await watch.NextChangeAsync(), await watch.NextChangeAsync() };
        Assert.Equal(
            [(WatchEventType.Modified, "true"), (WatchEventType.Modified, "false"), (WatchEventType.Deleted, "false")],
            events.Select(e => (e.Type, e.Object.Data["cni-exclusive"])));
        Assert.Equal(replaced.Metadata.ResourceVersion, events[0].Object.Metadata.ResourceVersion);
        Assert.Equal(["coredns"], (await admin.CoreV1.ListNamespacedConfigMapAsync("kube-system", cancellationToken: Ct)).Items.Select(c => c.Metadata.Name));
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.ReadNamespacedConfigMapAsync("cilium-config", "kube-system", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_reads_and_watches_cilium_config_by_name_and_no_other_configmap()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("kube-system");
        harness.Cluster.EnsureNamespace("cilium");
        harness.Cluster.ConfigMaps.Create(CiliumConfig());
        harness.Cluster.ConfigMaps.Create(CiliumConfig(name: "aws-auth"));
        harness.Cluster.ConfigMaps.Create(CiliumConfig(@namespace: "cilium"));
        var dashboard = harness.DashboardClient();

        // What its Role allows: get it, and list/watch it when the request names it with a field selector.
        Assert.Equal("false", (await dashboard.CoreV1.ReadNamespacedConfigMapAsync("cilium-config", "kube-system", cancellationToken: Ct)).Data["cni-exclusive"]);
        var list = await dashboard.CoreV1.ListNamespacedConfigMapAsync("kube-system", fieldSelector: "metadata.name=cilium-config", cancellationToken: Ct);
        Assert.Equal(["cilium-config"], list.Items.Select(c => c.Metadata.Name));
        await using var watch = WatchRecorder<V1ConfigMap>.Start((onError, ct) => dashboard.CoreV1.WatchListNamespacedConfigMapAsync(
            "kube-system", fieldSelector: "metadata.name=cilium-config", resourceVersion: list.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        harness.Cluster.ConfigMaps.Update("kube-system", "cilium-config", c => c.Data["cni-exclusive"] = "true");
        var modified = await watch.NextChangeAsync();
        Assert.Equal((WatchEventType.Modified, "true"), (modified.Type, modified.Object.Data["cni-exclusive"]));

        // And nothing more, in the real server's words.
        var everything = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.ListNamespacedConfigMapAsync("kube-system", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, everything.Response.StatusCode);
        Assert.Equal(
            "configmaps is forbidden: User \"system:serviceaccount:cni-dashboard:cni-dashboard\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"kube-system\"",
            KubernetesJson.Deserialize<V1Status>(everything.Response.Content).Message);
        var other = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.ReadNamespacedConfigMapAsync("aws-auth", "kube-system", cancellationToken: Ct));
        Assert.Equal(
            "configmaps \"aws-auth\" is forbidden: User \"system:serviceaccount:cni-dashboard:cni-dashboard\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"kube-system\"",
            KubernetesJson.Deserialize<V1Status>(other.Response.Content).Message);
        var elsewhere = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.ListNamespacedConfigMapAsync("cilium", fieldSelector: "metadata.name=cilium-config", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.Response.StatusCode);
        var clusterWide = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=cilium-config", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, clusterWide.Response.StatusCode);
        var write = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"cni-exclusive":"false"}}""", V1Patch.PatchType.MergePatch), "cilium-config", "kube-system", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, write.Response.StatusCode);
        Assert.Equal("true", harness.Cluster.ConfigMaps.Get("kube-system", "cilium-config")!.Data["cni-exclusive"]);
    }
}
