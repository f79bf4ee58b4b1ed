using System.Diagnostics;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

/// <summary>
/// The emulator at the size of a scale run: 5,000 nodes and 30,000 pods. Asserts what must hold at
/// that size; the timings are printed for the record, not asserted (they are benchmark material).
/// </summary>
public sealed class ScaleTests
{
    private const int NodeCount = 5_000;
    private const int PodsPerNode = 6;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Five_thousand_nodes_and_thirty_thousand_pods_list_completely_and_select_by_node_through_the_index()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var clock = Stopwatch.StartNew();
        harness.Cluster.EnsureNamespace("kube-system");
        for (var n = 0; n < NodeCount; n++)
        {
            var node = $"ip-10-{n / 250}-{n % 250}-1.ec2.internal";
            harness.AddNode(node, new Dictionary<string, string> { ["eks.amazonaws.com/nodegroup"] = $"group-{n % 4}" });
            for (var p = 0; p < PodsPerNode; p++)
            {
                harness.Cluster.Pods.Create(new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = $"pod-{n}-{p}", NamespaceProperty = "kube-system", Labels = new Dictionary<string, string> { ["k8s-app"] = $"app-{p}" } },
                    Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "main", Image = "busybox" }] },
                });
            }
        }

        var created = clock.Elapsed;
        var client = harness.DashboardClient();

        clock.Restart();
        var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: Ct);
        var listNodes = clock.Elapsed;

        clock.Restart();
        var group = await client.CoreV1.ListNodeAsync(labelSelector: "eks.amazonaws.com/nodegroup=group-1", cancellationToken: Ct);
        var onOneNode = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=ip-10-3-7-1.ec2.internal", cancellationToken: Ct);
        var selective = clock.Elapsed;

        clock.Restart();
        var pages = 0;
        var pods = 0;
        string? next = null;
        do
        {
            var page = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 5_000, continueParameter: next, cancellationToken: Ct);
            pods += page.Items.Count;
            pages++;
            next = page.Metadata.ContinueProperty;
        }
        while (next is not null);

        var pagedPods = clock.Elapsed;

        Assert.Equal(NodeCount, nodes.Items.Count);
        Assert.Equal(NodeCount / 4, group.Items.Count);
        Assert.Equal(PodsPerNode, onOneNode.Items.Count);
        Assert.All(onOneNode.Items, p => Assert.Equal("ip-10-3-7-1.ec2.internal", p.Spec.NodeName));
        Assert.Equal(NodeCount * PodsPerNode, pods);
        Assert.Equal(NodeCount * PodsPerNode / 5_000, pages);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"create {NodeCount} nodes + {NodeCount * PodsPerNode} pods: {created.TotalMilliseconds:0} ms; list all nodes: {listNodes.TotalMilliseconds:0} ms; " +
            $"node group + pods of one node: {selective.TotalMilliseconds:0} ms; all pods in {pages} pages: {pagedPods.TotalMilliseconds:0} ms");
    }
}
