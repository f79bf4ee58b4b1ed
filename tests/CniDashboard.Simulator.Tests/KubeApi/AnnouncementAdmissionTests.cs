using System.Net;
using CniDashboard.Shared.Agent;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

/// <summary>
/// The emulator enforces the chart's ValidatingAdmissionPolicy on the agent's announcements: an agent
/// changes one annotation, to a hash, on its own node's Pod, and nothing else anywhere.
/// </summary>
public sealed class AnnouncementAdmissionTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(EmulatorHarness Harness, Kubernetes Agent)> StartAsync()
    {
        var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var nodeA = harness.AddNode("node-a");
        harness.AddNode("node-b");
        var labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "cni-dashboard-agent" };
        var own = harness.AddPod(KubeIdentities.ProductNamespace, "cni-dashboard-agent-aaaaa", "node-a", labels);
        harness.AddPod(KubeIdentities.ProductNamespace, "cni-dashboard-agent-bbbbb", "node-b", labels);
        // As the kubelet projects it: bound to the agent's pod and to its node.
        var token = harness.Emulator.Tokens.IssueServiceAccountToken(
            KubeIdentities.ProductNamespace,
            KubeIdentities.AgentServiceAccount,
            pod: new BoundObjectReference(own.Metadata.Name, own.Metadata.Uid),
            node: new BoundObjectReference(nodeA.Metadata.Name, nodeA.Metadata.Uid));
        return (harness, harness.ClientWithToken(token));
    }

    private static V1Patch Annotation(string key, string value) =>
        new("{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}", V1Patch.PatchType.MergePatch);

    [Fact]
    public async Task An_agent_announces_its_hash_on_its_own_pod_and_watchers_see_it()
    {
        var (harness, agent) = await StartAsync();
        await using var _ = harness;

        var patched = await agent.CoreV1.PatchNamespacedPodAsync(Annotation(ManifestAnnouncement.AnnotationKey, Hash), "cni-dashboard-agent-aaaaa", KubeIdentities.ProductNamespace, cancellationToken: Ct);

        Assert.Equal(Hash, patched.Metadata.Annotations[ManifestAnnouncement.AnnotationKey]);
        Assert.Equal(Hash, harness.Cluster.Pods.Get(KubeIdentities.ProductNamespace, "cni-dashboard-agent-aaaaa")!.Metadata.Annotations[ManifestAnnouncement.AnnotationKey]);
    }

    [Fact]
    public async Task An_agent_cannot_announce_for_another_nodes_pod()
    {
        var (harness, agent) = await StartAsync();
        await using var _ = harness;

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            agent.CoreV1.PatchNamespacedPodAsync(Annotation(ManifestAnnouncement.AnnotationKey, Hash), "cni-dashboard-agent-bbbbb", KubeIdentities.ProductNamespace, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
        Assert.Contains("denied request: the agent may only announce on the Pod of its own node", error.Response.Content, StringComparison.Ordinal);
        Assert.Null(harness.Cluster.Pods.Get(KubeIdentities.ProductNamespace, "cni-dashboard-agent-bbbbb")!.Metadata.Annotations);
    }

    [Theory]
    [InlineData("labels", "the agent may only change the annotation cni-dashboard.io/manifest-hash")]
    [InlineData("other-annotation", "the agent may only change the annotation cni-dashboard.io/manifest-hash")]
    [InlineData("not-a-hash", "the manifest hash must be 64 lower-case hex digits")]
    public async Task An_agent_changes_nothing_else_on_its_own_pod(string change, string refusal)
    {
        var (harness, agent) = await StartAsync();
        await using var _ = harness;
        var patch = change switch
        {
            "labels" => new V1Patch("""{"metadata":{"labels":{"app.kubernetes.io/name":"web"}}}""", V1Patch.PatchType.MergePatch),
            "other-annotation" => Annotation("example.com/owner", "agent"),
            _ => Annotation(ManifestAnnouncement.AnnotationKey, "$(curl evil)"),
        };

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            agent.CoreV1.PatchNamespacedPodAsync(patch, "cni-dashboard-agent-aaaaa", KubeIdentities.ProductNamespace, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
        Assert.Contains(refusal, error.Response.Content, StringComparison.Ordinal);
        var pod = harness.Cluster.Pods.Get(KubeIdentities.ProductNamespace, "cni-dashboard-agent-aaaaa")!;
        Assert.Null(pod.Metadata.Annotations);
        Assert.Equal("cni-dashboard-agent", pod.Metadata.Labels["app.kubernetes.io/name"]);
    }

    [Fact]
    public async Task An_agent_may_patch_no_pod_outside_its_namespace_and_nothing_but_pods()
    {
        var (harness, agent) = await StartAsync();
        await using var _ = harness;
        harness.AddPod("kube-system", "cilium-aaaaa", "node-a");

        var otherNamespace = await Assert.ThrowsAsync<HttpOperationException>(() =>
            agent.CoreV1.PatchNamespacedPodAsync(Annotation(ManifestAnnouncement.AnnotationKey, Hash), "cilium-aaaaa", "kube-system", cancellationToken: Ct));
        var node = await Assert.ThrowsAsync<HttpOperationException>(() =>
            agent.CoreV1.PatchNodeAsync(Annotation(ManifestAnnouncement.AnnotationKey, Hash), "node-a", cancellationToken: Ct));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (otherNamespace.Response.StatusCode, node.Response.StatusCode));
        Assert.Contains("cannot patch resource", otherNamespace.Response.Content, StringComparison.Ordinal);
    }
}
