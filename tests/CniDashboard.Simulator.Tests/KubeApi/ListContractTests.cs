using System.Net;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class ListContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Nodes_are_listed_by_label_selector_with_every_operator()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-a", new Dictionary<string, string> { ["group"] = "workers", ["os"] = "bottlerocket", ["zone"] = "a" });
        harness.AddNode("node-b", new Dictionary<string, string> { ["group"] = "workers", ["os"] = "al2", ["zone"] = "b" });
        harness.AddNode("node-c", new Dictionary<string, string> { ["group"] = "system", ["zone"] = "c", ["legacy"] = "yes" });
        var client = harness.DashboardClient();

        async Task<string[]> Names(string selector) =>
            [.. (await client.CoreV1.ListNodeAsync(labelSelector: selector, cancellationToken: Ct)).Items.Select(n => n.Metadata.Name)];

        Assert.Equal(["node-a", "node-b"], await Names("group=workers"));
        Assert.Equal(["node-a", "node-b"], await Names("group==workers"));
        Assert.Equal(["node-b", "node-c"], await Names("os!=bottlerocket"));
        Assert.Equal(["node-a", "node-c"], await Names("zone in (a, c)"));
        Assert.Equal(["node-b"], await Names("zone notin (a,c)"));
        Assert.Equal(["node-a", "node-b"], await Names("os"));
        Assert.Equal(["node-a", "node-b"], await Names("!legacy"));
        Assert.Equal(["node-a"], await Names("group=workers,zone in (a,c),!legacy"));
    }

    [Fact]
    public async Task Pods_are_listed_by_field_selector_cluster_wide_and_per_namespace()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddPod("kube-system", "aws-node-1", "node-a");
        harness.AddPod("kube-system", "aws-node-2", "node-b");
        harness.AddPod("apps", "web-1", "node-a");
        harness.Cluster.SetPodStatus("apps", "web-1", new V1PodStatus { Phase = "Running" });
        var client = harness.DashboardClient();

        var onNodeA = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=node-a", cancellationToken: Ct);
        Assert.Equal(["aws-node-1", "web-1"], onNodeA.Items.Select(p => p.Metadata.Name).Order());

        var notRunning = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "status.phase!=Running", cancellationToken: Ct);
        Assert.Equal(["aws-node-1", "aws-node-2"], notRunning.Items.Select(p => p.Metadata.Name));
        Assert.All(notRunning.Items, p => Assert.Equal("Pending", p.Status.Phase));

        var byName = await client.CoreV1.ListNamespacedPodAsync("kube-system", fieldSelector: "metadata.name==aws-node-2", cancellationToken: Ct);
        Assert.Equal("node-b", Assert.Single(byName.Items).Spec.NodeName);

        var inNamespace = await client.CoreV1.ListNamespacedPodAsync("kube-system", fieldSelector: "spec.nodeName=node-a,metadata.namespace=kube-system", cancellationToken: Ct);
        Assert.Equal("aws-node-1", Assert.Single(inNamespace.Items).Metadata.Name);
    }

    [Fact]
    public async Task Events_are_selected_by_involved_object_reason_and_type()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("apps");
        Corev1Event Event(string name, string kind, string objectName, string reason, string type) => new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "apps" },
            InvolvedObject = new V1ObjectReference { Kind = kind, Name = objectName, NamespaceProperty = "apps" },
            Reason = reason,
            Type = type,
            Message = "text",
        };
        harness.Cluster.Events.Create(Event("e1", "Pod", "web-1", "FailedCreatePodSandBox", "Warning"));
        harness.Cluster.Events.Create(Event("e2", "Pod", "web-2", "Scheduled", "Normal"));
        harness.Cluster.Events.Create(Event("e3", "Node", "node-a", "FailedCreatePodSandBox", "Warning"));
        var client = harness.DashboardClient();

        async Task<string[]> Names(string selector) =>
            [.. (await client.CoreV1.ListEventForAllNamespacesAsync(fieldSelector: selector, cancellationToken: Ct)).Items.Select(e => e.Metadata.Name)];

        Assert.Equal(["e1", "e3"], await Names("reason=FailedCreatePodSandBox"));
        Assert.Equal(["e1"], await Names("reason=FailedCreatePodSandBox,involvedObject.kind=Pod"));
        Assert.Equal(["e2"], await Names("involvedObject.name=web-2"));
        Assert.Equal(["e3"], await Names("involvedObject.kind=Node,type==Warning"));
        Assert.Equal(["e1", "e2"], await Names("involvedObject.namespace=apps,involvedObject.kind!=Node"));
    }

    [Fact]
    public async Task An_unknown_field_selector_is_a_bad_request()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var client = harness.DashboardClient();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CoreV1.ListNodeAsync(fieldSelector: "spec.nodeName=x", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
        Assert.Contains("field label not supported: spec.nodeName", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_with_limit_and_continue_returns_every_item_once_at_one_resource_version()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        for (var i = 1; i <= 5; i++)
        {
            harness.AddNode($"node-{i}");
        }

        var client = harness.DashboardClient();

        var first = await client.CoreV1.ListNodeAsync(limit: 2, cancellationToken: Ct);
        Assert.Equal(["node-1", "node-2"], first.Items.Select(n => n.Metadata.Name));
        Assert.Equal(3, first.Metadata.RemainingItemCount);
        Assert.False(string.IsNullOrEmpty(first.Metadata.ContinueProperty));

        // A node added between pages is not in this list: the pages share the first page's point in time.
        harness.AddNode("node-0");

        var second = await client.CoreV1.ListNodeAsync(limit: 2, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct);
        var third = await client.CoreV1.ListNodeAsync(limit: 2, continueParameter: second.Metadata.ContinueProperty, cancellationToken: Ct);

        Assert.Equal(["node-3", "node-4"], second.Items.Select(n => n.Metadata.Name));
        Assert.Equal(["node-5"], third.Items.Select(n => n.Metadata.Name));
        Assert.Null(third.Metadata.ContinueProperty);
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Equal(first.Metadata.ResourceVersion, third.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_continue_token_from_before_a_compaction_is_answered_410_expired()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-1");
        harness.AddNode("node-2");
        var client = harness.DashboardClient();
        var first = await client.CoreV1.ListNodeAsync(limit: 1, cancellationToken: Ct);

        harness.AddNode("node-3");
        harness.Emulator.ExpireHistory();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CoreV1.ListNodeAsync(limit: 1, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Gone, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("Expired", status.Reason);
        Assert.Equal(410, status.Code);
        Assert.StartsWith("The provided continue parameter is too old", status.Message, StringComparison.Ordinal);
    }
}
