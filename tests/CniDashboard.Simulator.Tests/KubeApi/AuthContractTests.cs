using System.Net;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class AuthContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_without_a_token_is_401_unauthorized()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => harness.AnonymousClient().CoreV1.ListNodeAsync(cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal(("Failure", "Unauthorized", "Unauthorized", 401), (status.Status, status.Reason, status.Message, status.Code));
    }

    [Fact]
    public async Task An_unknown_or_forged_token_is_401()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var genuine = harness.Emulator.IssueToken(KubeIdentities.DashboardServiceAccount);
        var forged = genuine[..genuine.LastIndexOf('.')] + ".c2lnbmF0dXJl";

        foreach (var token in new[] { "not-a-token", forged })
        {
            var error = await Assert.ThrowsAsync<HttpOperationException>(() => harness.ClientWithToken(token).CoreV1.ListNodeAsync(cancellationToken: Ct));
            Assert.Equal(HttpStatusCode.Unauthorized, error.Response.StatusCode);
        }
    }

    [Fact]
    public async Task The_agent_identity_listing_nodes_is_403_forbidden_in_the_real_words()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => harness.AgentClient().CoreV1.ListNodeAsync(cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("Forbidden", status.Reason);
        Assert.Equal(
            "nodes is forbidden: User \"system:serviceaccount:cni-dashboard:cni-dashboard-agent\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
            status.Message);
    }

    [Fact]
    public async Task The_dashboard_may_watch_and_cordon_but_not_create_daemonsets_or_delete_nodes()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-a");
        var dashboard = harness.DashboardClient();

        await dashboard.CoreV1.ListNodeAsync(cancellationToken: Ct);
        await dashboard.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: Ct);
        await dashboard.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "node-a", cancellationToken: Ct);

        var create = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.AppsV1.CreateNamespacedDaemonSetAsync(
            new V1DaemonSet { Metadata = new V1ObjectMeta { Name = "x" }, Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector(), Template = new V1PodTemplateSpec() } },
            "kube-system",
            cancellationToken: Ct));
        Assert.Equal(
            "daemonsets.apps is forbidden: User \"system:serviceaccount:cni-dashboard:cni-dashboard\" cannot create resource \"daemonsets\" in API group \"apps\" in the namespace \"kube-system\"",
            KubernetesJson.Deserialize<V1Status>(create.Response.Content).Message);

        var delete = await Assert.ThrowsAsync<HttpOperationException>(() => dashboard.CoreV1.DeleteNodeAsync("node-a", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, delete.Response.StatusCode);
        Assert.NotNull(harness.Cluster.Nodes.Get("node-a"));
    }

    [Fact]
    public async Task A_token_bound_to_a_pod_stops_working_when_the_pod_is_deleted()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var pod = harness.AddPod(KubeIdentities.ProductNamespace, "cni-dashboard-0", "node-a");
        var token = harness.Emulator.Tokens.IssueServiceAccountToken(
            KubeIdentities.ProductNamespace, KubeIdentities.DashboardServiceAccount, pod: new BoundObjectReference(pod.Metadata.Name, pod.Metadata.Uid));
        var client = harness.ClientWithToken(token);
        await client.CoreV1.ListNodeAsync(cancellationToken: Ct);

        harness.Cluster.Pods.Delete(KubeIdentities.ProductNamespace, "cni-dashboard-0");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNodeAsync(cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Response.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_401_once_the_clock_passes_its_expiry()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false);
        var token = harness.Emulator.Tokens.IssueServiceAccountToken(
            KubeIdentities.ProductNamespace, KubeIdentities.DashboardServiceAccount, lifetime: TimeSpan.FromMinutes(10));
        var client = harness.ClientWithToken(token);
        await client.CoreV1.ListNodeAsync(cancellationToken: Ct);

        harness.Time!.Advance(TimeSpan.FromMinutes(10));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNodeAsync(cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Response.StatusCode);
    }
}
