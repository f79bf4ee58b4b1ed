using System.Net;
using System.Text.Json.Nodes;
using CniDashboard.Shared.Remediation;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

/// <summary>
/// What the remediation engine will call, through the real KubernetesClient as the dashboard's
/// ServiceAccount: cordon and annotate a node in one patch and release it, create node Events,
/// requests carrying Audit-ID and a user agent, and exactly the grants the chart gives.
/// </summary>
public sealed class RemediationContractTests
{
    private const string PlanId = "rp-incident-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_node_is_cordoned_and_annotated_in_one_patch_guarded_by_its_version_and_released_in_another()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var read = harness.AddNode("node-a");
        var dashboard = harness.DashboardClient();

        var cordoned = await dashboard.CoreV1.PatchNodeAsync(new V1Patch(
            Json(new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = read.Metadata.ResourceVersion, ["annotations"] = new JsonObject { [RemediationKeys.PlanAnnotation] = PlanId, [RemediationKeys.CordonedAnnotation] = "true" } }, ["spec"] = new JsonObject { ["unschedulable"] = true } }),
            V1Patch.PatchType.MergePatch), "node-a", cancellationToken: Ct);
        Assert.True(cordoned.Spec.Unschedulable);
        Assert.Equal(PlanId, cordoned.Metadata.Annotations[RemediationKeys.PlanAnnotation]);

        // The same patch again, with the version read before: the node moved on, so it is refused rather than applied twice.
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.PatchNodeAsync(new V1Patch(
            Json(new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = read.Metadata.ResourceVersion }, ["spec"] = new JsonObject { ["unschedulable"] = true } }), V1Patch.PatchType.MergePatch), "node-a", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);

        var released = await dashboard.CoreV1.PatchNodeAsync(new V1Patch(
            Json(new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RemediationKeys.PlanAnnotation] = null, [RemediationKeys.CordonedAnnotation] = null } }, ["spec"] = new JsonObject { ["unschedulable"] = null } }),
            V1Patch.PatchType.MergePatch), "node-a", cancellationToken: Ct);
        Assert.NotEqual(true, released.Spec.Unschedulable);
        Assert.False(released.Metadata.Annotations?.ContainsKey(RemediationKeys.PlanAnnotation) ?? false);
        Assert.False(released.Metadata.Annotations?.ContainsKey(RemediationKeys.CordonedAnnotation) ?? false);
    }

    [Fact]
    public async Task A_json_patch_tests_the_plans_annotation_before_removing_it()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-a");
        harness.Cluster.Nodes.Update(null, "node-a", n =>
        {
            n.Spec.Unschedulable = true;
            n.Metadata.Annotations = new Dictionary<string, string> { [RemediationKeys.PlanAnnotation] = "rp-other" };
        });
        var dashboard = harness.DashboardClient();
        var path = "/metadata/annotations/" + RemediationKeys.PlanAnnotation.Replace("/", "~1", StringComparison.Ordinal);

        // Another plan's node: the test op fails, nothing changes.
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.PatchNodeAsync(new V1Patch(
            $$"""[{"op":"test","path":"{{path}}","value":"{{PlanId}}"},{"op":"remove","path":"{{path}}"},{"op":"replace","path":"/spec/unschedulable","value":false}]""",
            V1Patch.PatchType.JsonPatch), "node-a", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        var node = harness.Cluster.Nodes.Get("node-a")!;
        Assert.Equal((true, "rp-other"), (node.Spec.Unschedulable, node.Metadata.Annotations[RemediationKeys.PlanAnnotation]));
    }

    [Fact]
    public async Task Node_events_are_created_in_default_where_describe_node_finds_them_and_a_replayed_name_is_a_conflict()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("default");
        var node = harness.AddNode("node-a");
        var dashboard = harness.DashboardClient();
        var name = RemediationKeys.EventName(PlanId, "node-a", "started");
        var started = NodeEvent(name, node, "default");

        var created = await dashboard.CoreV1.CreateNamespacedEventAsync(started, "default", cancellationToken: Ct);

        Assert.Equal((name, "default", "RemediationStarted"), (created.Metadata.Name, created.Metadata.NamespaceProperty, created.Reason));
        var found = await dashboard.CoreV1.ListEventForAllNamespacesAsync(fieldSelector: "involvedObject.kind=Node,involvedObject.name=node-a", cancellationToken: Ct);
        Assert.Equal([name], found.Items.Select(e => e.Metadata.Name));
        // After a crash the engine creates it again under the same name: one event, and the engine reads 409 as done.
        var again = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.CreateNamespacedEventAsync(NodeEvent(name, node, "default"), "default", cancellationToken: Ct));
        Assert.Equal(("AlreadyExists", HttpStatusCode.Conflict), (KubernetesJson.Deserialize<V1Status>(again.Response.Content).Reason, again.Response.StatusCode));
        Assert.Single(harness.Cluster.Events.List("default"));
    }

    [Fact]
    public async Task An_event_in_the_wrong_namespace_is_refused_as_the_real_server_does()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("apps");
        var node = harness.AddNode("node-a");
        var admin = harness.AdminClient();

        var nodeEvent = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.CreateNamespacedEventAsync(NodeEvent("n1", node, "apps"), "apps", cancellationToken: Ct));
        var podEvent = NodeEvent("p1", node, "apps");
        podEvent.InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1", NamespaceProperty = "other" };
        var wrongPod = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.CreateNamespacedEventAsync(podEvent, "apps", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, nodeEvent.Response.StatusCode);
        Assert.Equal("Event \"n1\" is invalid: involvedObject.namespace: Invalid value: \"\": does not match event.namespace", KubernetesJson.Deserialize<V1Status>(nodeEvent.Response.Content).Message);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongPod.Response.StatusCode);
        Assert.Empty(harness.Cluster.Events.List());
    }

    [Fact]
    public async Task Every_request_is_recorded_with_its_user_verb_path_audit_id_and_user_agent_and_the_audit_id_comes_back()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-a");
        var auditId = "0f6b7c5e-audit-42";
        var userAgent = RemediationKeys.UserAgent("0.1.0", PlanId);
        var dashboard = harness.ClientWithHandlers(harness.Emulator.IssueToken(KubeIdentities.DashboardServiceAccount), new HeaderHandler(auditId, userAgent));

        await dashboard.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "node-a", cancellationToken: Ct);
        await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.DeleteNodeAsync("node-a", cancellationToken: Ct));

        var patch = Assert.Single(harness.Emulator.Requests.Where(r => r.Verb == "patch"));
        Assert.Equal(
            (KubeIdentities.Dashboard.Username, "PATCH", "/api/v1/nodes/node-a", 200, auditId, userAgent),
            (patch.User, patch.Method, patch.Path, patch.StatusCode, patch.AuditId, patch.UserAgent));
        var denied = Assert.Single(harness.Emulator.Requests.Where(r => r.Verb == "delete"));
        Assert.Equal((403, auditId), (denied.StatusCode, denied.AuditId));

        using var http = harness.HttpClient();
        using var withId = new HttpRequestMessage(HttpMethod.Get, "version");
        withId.Headers.Add("Audit-ID", "echo-me");
        Assert.Equal(["echo-me"], (await http.SendAsync(withId, Ct)).Headers.GetValues("Audit-Id"));
        var generated = (await http.GetAsync(new Uri("version", UriKind.Relative), Ct)).Headers.GetValues("Audit-Id").Single();
        Assert.True(Guid.TryParse(generated, out _));
        Assert.Null(harness.Emulator.Requests.Snapshot()[^1].AuditId);
        Assert.Null(harness.Emulator.Requests.Snapshot()[^1].User);
    }

    [Fact]
    public async Task The_request_log_keeps_the_latest_requests_up_to_its_capacity()
    {
        await using var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { RunDaemonSetController = false, RequestLogCapacity = 3 }, Ct);
        using var client = new Kubernetes(api.ClientConfiguration(api.AdminToken));

        for (var i = 0; i < 5; i++) await client.CoreV1.ListNodeAsync(limit: i + 1, cancellationToken: Ct);

        var kept = api.Requests.Snapshot();
        Assert.Equal((5, 3), (api.Requests.Total, kept.Count));
        Assert.Equal(["?limit=3&watch=false", "?limit=4&watch=false", "?limit=5&watch=false"], kept.Select(r => r.Query));
        api.Requests.Clear();
        Assert.Empty(api.Requests.Snapshot());
    }

    /// <summary>The chart's grants, as the engine uses them: each allowed call succeeds, and its neighbours are refused.</summary>
    [Fact]
    public async Task The_dashboard_may_do_exactly_what_the_engine_needs_and_no_more()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        foreach (var ns in new[] { "default", "kube-system", "linkerd-cni", "cni-dashboard", "apps" }) harness.Cluster.EnsureNamespace(ns);
        var node = harness.AddNode("node-a");
        harness.AddPod("linkerd-cni", "linkerd-cni-x1", "node-a");
        harness.AddPod("kube-system", "coredns-1", "node-a");
        harness.AddPod("apps", "web-1", "node-a");
        harness.Cluster.DaemonSets.Create(new V1DaemonSet { Metadata = new V1ObjectMeta { Name = "kured", NamespaceProperty = "kube-system" }, Spec = new V1DaemonSetSpec() });
        var dashboard = harness.DashboardClient();
        var probe = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = RemediationKeys.ProbePodName(PlanId, "node-a", 1), Labels = new Dictionary<string, string> { [RemediationKeys.ProbeLabel] = PlanId } },
            Spec = new V1PodSpec { NodeName = "node-a", Containers = [new V1Container { Name = "probe", Image = "registry.k8s.io/pause:3.10" }] },
        };
        var lease = new V1Lease { Metadata = new V1ObjectMeta { Name = RemediationKeys.LeaseName }, Spec = new V1LeaseSpec { HolderIdentity = "dashboard-0", LeaseDurationSeconds = 15 } };

        await dashboard.AppsV1.ReadNamespacedDaemonSetAsync("kured", "kube-system", cancellationToken: Ct);
        await dashboard.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "node-a", cancellationToken: Ct);
        await dashboard.CoreV1.DeleteNamespacedPodAsync("linkerd-cni-x1", "linkerd-cni", cancellationToken: Ct);
        await dashboard.CoreV1.CreateNamespacedEventAsync(NodeEvent("e1", node, "default"), "default", cancellationToken: Ct);
        await dashboard.CoreV1.CreateNamespacedPodAsync(probe, "cni-dashboard", cancellationToken: Ct);
        await dashboard.CoreV1.ReadNamespacedPodAsync(probe.Metadata.Name, "cni-dashboard", cancellationToken: Ct);
        await dashboard.CoreV1.DeleteNamespacedPodAsync(probe.Metadata.Name, "cni-dashboard", cancellationToken: Ct);
        var held = await dashboard.CoordinationV1.CreateNamespacedLeaseAsync(lease, "cni-dashboard", cancellationToken: Ct);
        held.Spec.RenewTime = DateTime.UtcNow;
        await dashboard.CoordinationV1.ReplaceNamespacedLeaseAsync(held, RemediationKeys.LeaseName, "cni-dashboard", cancellationToken: Ct);
        await dashboard.CoordinationV1.ReadNamespacedLeaseAsync(RemediationKeys.LeaseName, "cni-dashboard", cancellationToken: Ct);

        await Forbidden(() => dashboard.CoreV1.DeleteNamespacedPodAsync("web-1", "apps", cancellationToken: Ct));
        await Forbidden(() => dashboard.CoreV1.CreateNamespacedPodAsync(probe, "kube-system", cancellationToken: Ct));
        await Forbidden(() => dashboard.CoreV1.CreateNamespacedEventAsync(NodeEvent("e2", node, "kube-system"), "kube-system", cancellationToken: Ct));
        await Forbidden(() => dashboard.CoordinationV1.ReadNamespacedLeaseAsync("another-lease", "cni-dashboard", cancellationToken: Ct));
        await Forbidden(() => dashboard.CoordinationV1.DeleteNamespacedLeaseAsync(RemediationKeys.LeaseName, "cni-dashboard", cancellationToken: Ct));
        await Forbidden(() => dashboard.CoordinationV1.CreateNamespacedLeaseAsync(lease, "kube-system", cancellationToken: Ct));
        await Forbidden(() => dashboard.AppsV1.PatchNamespacedDaemonSetAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "kured", "kube-system", cancellationToken: Ct));
        await Forbidden(() => dashboard.CoreV1.PatchNamespacedPodAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "coredns-1", "kube-system", cancellationToken: Ct));
        Assert.NotNull(harness.Cluster.Pods.Get("apps", "web-1"));
    }

    [Fact]
    public async Task A_pod_without_containers_is_refused()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("cni-dashboard");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => harness.DashboardClient().CoreV1.CreateNamespacedPodAsync(
            new V1Pod { Metadata = new V1ObjectMeta { Name = "empty" }, Spec = new V1PodSpec { NodeName = "node-a", Containers = [] } }, "cni-dashboard", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("Pod \"empty\" is invalid: spec.containers: Required value", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message);
    }

    private static Corev1Event NodeEvent(string name, V1Node node, string @namespace) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace },
        InvolvedObject = new V1ObjectReference { Kind = "Node", Name = node.Metadata.Name, Uid = node.Metadata.Name, ApiVersion = "v1" },
        Reason = "RemediationStarted",
        Message = $"plan {PlanId}: fixing 05-cilium.conflist, 10-aws.conflist",
        Type = "Normal",
        Source = new V1EventSource { Component = "cni-dashboard" },
        ReportingComponent = "cni-dashboard",
        ReportingInstance = "cni-dashboard-0",
        FirstTimestamp = DateTime.UtcNow,
        LastTimestamp = DateTime.UtcNow,
        Count = 1,
    };

    private static string Json(JsonObject patch) => patch.ToJsonString();

    private static async Task Forbidden(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
    }

    /// <summary>What the engine's handler will add to each call it makes for a person.</summary>
    private sealed class HeaderHandler(string auditId, string userAgent) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove("Audit-ID");
            request.Headers.Add("Audit-ID", auditId);
            request.Headers.UserAgent.Clear();
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
