using System.Net;
using CniDashboard.Shared.Remediation;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class MutationContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cordon_by_merge_patch_sets_spec_unschedulable_and_bumps_the_resource_version()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var before = harness.AddNode("node-a");
        var client = harness.DashboardClient();

        var patched = await client.CoreV1.PatchNodeAsync(
            new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "node-a", cancellationToken: Ct);

        Assert.True(patched.Spec.Unschedulable);
        Assert.True((await client.CoreV1.ReadNodeAsync("node-a", cancellationToken: Ct)).Spec.Unschedulable);
        Assert.True(long.Parse(patched.Metadata.ResourceVersion) > long.Parse(before.Metadata.ResourceVersion));
        Assert.Equal(before.Metadata.Uid, patched.Metadata.Uid);
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_labels_and_null_removes_one()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-a", new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "2" });
        var client = harness.DashboardClient();

        var patched = await client.CoreV1.PatchNodeAsync(
            new V1Patch("""{"metadata":{"labels":{"added":"3","drop":null}}}""", V1Patch.PatchType.StrategicMergePatch), "node-a", cancellationToken: Ct);

        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["added"] = "3" }, patched.Metadata.Labels);
    }

    [Fact]
    public async Task Json_patch_applies_when_its_test_holds_and_is_refused_with_422_when_not()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-a");
        var client = harness.DashboardClient();

        var cordoned = await client.CoreV1.PatchNodeAsync(
            new V1Patch("""[{"op":"add","path":"/spec/unschedulable","value":true},{"op":"add","path":"/metadata/labels/cordoned-by","value":"dashboard"}]""", V1Patch.PatchType.JsonPatch),
            "node-a",
            cancellationToken: Ct);
        Assert.True(cordoned.Spec.Unschedulable);
        Assert.Equal("dashboard", cordoned.Metadata.Labels["cordoned-by"]);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNodeAsync(
            new V1Patch("""[{"op":"test","path":"/spec/unschedulable","value":false},{"op":"remove","path":"/spec/unschedulable"}]""", V1Patch.PatchType.JsonPatch),
            "node-a",
            cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.True((await client.CoreV1.ReadNodeAsync("node-a", cancellationToken: Ct)).Spec.Unschedulable);
    }

    [Fact]
    public async Task A_resource_version_inside_a_patch_is_a_precondition()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var node = harness.AddNode("node-a");
        harness.Cluster.Nodes.Update(null, "node-a", n => n.Metadata.Labels["moved"] = "on");
        var client = harness.DashboardClient();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNodeAsync(
            new V1Patch($$$"""{"metadata":{"resourceVersion":"{{{node.Metadata.ResourceVersion}}}"},"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch),
            "node-a",
            cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.StartsWith(
            "Operation cannot be fulfilled on nodes \"node-a\": the object has been modified",
            KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message,
            StringComparison.Ordinal);
        Assert.NotEqual(true, harness.Cluster.Nodes.Get("node-a")!.Spec.Unschedulable);
    }

    [Fact]
    public async Task Status_changes_go_through_the_status_subresource_only()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddPod("apps", "web-1", "node-a");
        var admin = harness.AdminClient();

        var viaMain = await admin.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"labels":{"x":"y"}},"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "web-1", "apps", cancellationToken: Ct);
        Assert.Equal("y", viaMain.Metadata.Labels["x"]);
        Assert.Equal("Pending", viaMain.Status.Phase);

        var viaStatus = await admin.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch("""{"metadata":{"labels":{"x":"z"}},"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "web-1", "apps", cancellationToken: Ct);
        Assert.Equal("Running", viaStatus.Status.Phase);
        Assert.Equal("y", viaStatus.Metadata.Labels["x"]);
    }

    [Fact]
    public async Task Lease_replace_with_a_stale_resource_version_is_a_409_conflict()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("cni-dashboard");
        var client = harness.DashboardClient();
        var created = await client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = RemediationKeys.LeaseName },
                Spec = new V1LeaseSpec { HolderIdentity = "dashboard-1", LeaseDurationSeconds = 15 },
            },
            "cni-dashboard",
            cancellationToken: Ct);

        created.Spec.HolderIdentity = "dashboard-2";
        var renewed = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, RemediationKeys.LeaseName, "cni-dashboard", cancellationToken: Ct);
        Assert.Equal("dashboard-2", renewed.Spec.HolderIdentity);

        // The first holder still has the old version in hand: its write must lose.
        created.Spec.HolderIdentity = "dashboard-1";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, RemediationKeys.LeaseName, "cni-dashboard", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal(
            "Operation cannot be fulfilled on leases.coordination.k8s.io \"cni-dashboard-remediation\": the object has been modified; please apply your changes to the latest version and try again",
            status.Message);
        Assert.Equal("dashboard-2", (await client.CoordinationV1.ReadNamespacedLeaseAsync(RemediationKeys.LeaseName, "cni-dashboard", cancellationToken: Ct)).Spec.HolderIdentity);
    }

    [Fact]
    public async Task Missing_objects_duplicates_and_missing_namespaces_are_refused_in_the_real_words()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddPod("apps", "web-1", "node-a");
        var admin = harness.AdminClient();

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.ReadNamespacedPodAsync("nope", "apps", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        var notFound = KubernetesJson.Deserialize<V1Status>(missing.Response.Content);
        Assert.Equal(("NotFound", "pods \"nope\" not found", 404), (notFound.Reason, notFound.Message, notFound.Code));

        var missingLease = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoordinationV1.ReadNamespacedLeaseAsync("x", "apps", cancellationToken: Ct));
        Assert.Equal("leases.coordination.k8s.io \"x\" not found", KubernetesJson.Deserialize<V1Status>(missingLease.Response.Content).Message);

        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "web-1" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] } };
        var duplicate = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.CreateNamespacedPodAsync(pod, "apps", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Response.StatusCode);
        Assert.Equal("AlreadyExists", KubernetesJson.Deserialize<V1Status>(duplicate.Response.Content).Reason);

        var noNamespace = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.CreateNamespacedPodAsync(pod, "ghost", cancellationToken: Ct));
        Assert.Equal("namespaces \"ghost\" not found", KubernetesJson.Deserialize<V1Status>(noNamespace.Response.Content).Message);
    }

    [Fact]
    public async Task Create_with_generate_name_assigns_name_uid_timestamp_and_version()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("apps");
        var admin = harness.AdminClient();

        var created = await admin.CoreV1.CreateNamespacedPodAsync(
            new V1Pod { Metadata = new V1ObjectMeta { GenerateName = "web-" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] } },
            "apps",
            cancellationToken: Ct);

        Assert.Matches("^web-[bcdfghjklmnpqrstvwxz2456789]{5}$", created.Metadata.Name);
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.Equal(harness.Time!.GetUtcNow().UtcDateTime, created.Metadata.CreationTimestamp);
        Assert.Equal(harness.Cluster.ResourceVersion.ToString(), created.Metadata.ResourceVersion);
        Assert.Equal(("v1", "Pod", "apps"), (created.ApiVersion, created.Kind, created.Metadata.NamespaceProperty));
    }

    [Fact]
    public async Task Deleting_a_pod_returns_the_pod_and_deleting_a_lease_returns_a_success_status()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var pod = harness.AddPod("apps", "web-1", "node-a");
        harness.Cluster.Leases.Create(new V1Lease { Metadata = new V1ObjectMeta { Name = "lock", NamespaceProperty = "apps" }, Spec = new V1LeaseSpec() });
        var admin = harness.AdminClient();

        var deletedPod = await admin.CoreV1.DeleteNamespacedPodAsync("web-1", "apps", cancellationToken: Ct);
        var deletedLease = await admin.CoordinationV1.DeleteNamespacedLeaseAsync("lock", "apps", cancellationToken: Ct);

        Assert.Equal(pod.Metadata.Uid, deletedPod.Metadata.Uid);
        Assert.Null(harness.Cluster.Pods.Get("apps", "web-1"));
        Assert.Equal(("Success", "lock", "leases"), (deletedLease.Status, deletedLease.Details.Name, deletedLease.Details.Kind));
        Assert.Empty(harness.Cluster.Leases.List("apps"));
    }

    [Fact]
    public async Task An_update_that_changes_nothing_keeps_the_resource_version()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var node = harness.AddNode("node-a");

        var same = harness.Cluster.Nodes.Update(null, "node-a", n => n.Metadata.Labels = node.Metadata.Labels);

        Assert.Equal(node.Metadata.ResourceVersion, same.Metadata.ResourceVersion);
        Assert.Equal(long.Parse(node.Metadata.ResourceVersion), harness.Cluster.ResourceVersion);
    }

    [Fact]
    public async Task Deleting_a_namespace_deletes_what_is_in_it()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddPod("apps", "web-1", "node-a");
        harness.AddPod("other", "web-2", "node-a");
        harness.Cluster.Leases.Create(new V1Lease { Metadata = new V1ObjectMeta { Name = "lock", NamespaceProperty = "apps" }, Spec = new V1LeaseSpec() });

        await harness.AdminClient().CoreV1.DeleteNamespaceAsync("apps", cancellationToken: Ct);

        Assert.Null(harness.Cluster.Namespaces.Get("apps"));
        Assert.Empty(harness.Cluster.Pods.List("apps"));
        Assert.Empty(harness.Cluster.Leases.List("apps"));
        Assert.Single(harness.Cluster.Pods.List("other"));
    }

    [Fact]
    public async Task Events_expire_after_their_time_to_live()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("apps");
        harness.Cluster.Events.Create(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "old", NamespaceProperty = "apps" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1" },
            LastTimestamp = harness.Time!.GetUtcNow().UtcDateTime,
        });
        harness.Time.Advance(TimeSpan.FromMinutes(30));
        harness.Cluster.Events.Create(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "recent", NamespaceProperty = "apps" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1" },
            LastTimestamp = harness.Time.GetUtcNow().UtcDateTime,
        });

        harness.Time.Advance(TimeSpan.FromMinutes(31));

        await Eventually.TrueAsync(() => harness.Cluster.Events.Get("apps", "old") is null, "the hour-old event to expire");
        Assert.NotNull(harness.Cluster.Events.Get("apps", "recent"));
    }
}
