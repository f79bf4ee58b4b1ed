using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.Controllers;

public sealed class DaemonSetControllerTests
{
    private const string Namespace = "kube-system";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Creates_one_pending_pod_per_matching_node_named_labelled_and_owned_like_the_real_controller()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.AddNode("node-a", Linux);
        harness.AddNode("node-b", Linux);
        harness.AddNode("node-win", new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" });
        var daemonSet = harness.Cluster.DaemonSets.Create(AwsNode(nodeSelector: Linux));

        await harness.DaemonSetsSettledAsync();

        var pods = harness.Cluster.Pods.List(Namespace);
        Assert.Equal(["node-a", "node-b"], pods.Select(p => p.Spec.NodeName).Order());
        Assert.All(pods, pod =>
        {
            Assert.Matches("^aws-node-[bcdfghjklmnpqrstvwxz2456789]{5}$", pod.Metadata.Name);
            Assert.Equal("Pending", pod.Status.Phase);
            Assert.Equal("aws-node", pod.Metadata.Labels["k8s-app"]);
            Assert.False(string.IsNullOrEmpty(pod.Metadata.Labels["controller-revision-hash"]));
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "DaemonSet", "aws-node", daemonSet.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller));
            Assert.Equal("amazon-k8s-cni:v1.18.1", Assert.Single(pod.Spec.Containers).Image);
        });

        var status = harness.Cluster.DaemonSets.Get(Namespace, "aws-node")!.Status;
        Assert.Equal((2, 2, 0, 2, 2, 1L), (status.DesiredNumberScheduled, status.CurrentNumberScheduled, status.NumberReady, status.UpdatedNumberScheduled, status.NumberUnavailable, status.ObservedGeneration));
    }

    [Fact]
    public async Task Cordoned_nodes_keep_their_pods_and_untolerated_taints_keep_pods_away()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.AddNode("node-cordoned");
        harness.Cluster.Nodes.Update(null, "node-cordoned", n => n.Spec.Unschedulable = true);
        harness.AddNode("node-gpu");
        harness.Cluster.Nodes.Update(null, "node-gpu", n => n.Spec.Taints = [new V1Taint { Key = "gpu", Value = "true", Effect = "NoSchedule" }]);
        harness.Cluster.DaemonSets.Create(AwsNode(name: "plain"));
        var tolerant = AwsNode(name: "tolerant");
        tolerant.Spec.Template.Spec.Tolerations = [new V1Toleration { OperatorProperty = "Exists" }];
        harness.Cluster.DaemonSets.Create(tolerant);

        await harness.DaemonSetsSettledAsync();

        string[] NodesOf(string owner) => [.. harness.Cluster.Pods.List(Namespace)
            .Where(p => p.Metadata.OwnerReferences[0].Name == owner)
            .Select(p => p.Spec.NodeName)
            .Order()];
        Assert.Equal(["node-cordoned"], NodesOf("plain"));
        Assert.Equal(["node-cordoned", "node-gpu"], NodesOf("tolerant"));
    }

    [Fact]
    public async Task A_deleted_pod_is_recreated_on_the_same_node_with_a_new_name_and_uid()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.AddNode("node-a");
        harness.AddNode("node-b");
        harness.Cluster.DaemonSets.Create(AwsNode());
        await harness.DaemonSetsSettledAsync();
        var client = harness.DashboardClient();
        var victim = Assert.Single((await client.CoreV1.ListNamespacedPodAsync(Namespace, fieldSelector: "spec.nodeName=node-a", cancellationToken: Ct)).Items);

        await client.CoreV1.DeleteNamespacedPodAsync(victim.Metadata.Name, Namespace, cancellationToken: Ct);

        var replacement = await Eventually.ValueAsync(
            () => harness.Cluster.Pods.List(Namespace, fieldSelector: "spec.nodeName=node-a").SingleOrDefault(p => p.Metadata.Name != victim.Metadata.Name),
            "a replacement pod on node-a");
        Assert.NotEqual(victim.Metadata.Uid, replacement.Metadata.Uid);
        Assert.StartsWith("aws-node-", replacement.Metadata.Name, StringComparison.Ordinal);
        await harness.DaemonSetsSettledAsync();
        Assert.Single(harness.Cluster.Pods.List(Namespace, fieldSelector: "spec.nodeName=node-a"));
        Assert.Null(harness.Cluster.Pods.Get(Namespace, victim.Metadata.Name));
    }

    [Fact]
    public async Task A_new_node_gets_a_pod_and_a_removed_node_loses_it()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.AddNode("node-a");
        harness.Cluster.DaemonSets.Create(AwsNode());
        await harness.DaemonSetsSettledAsync();

        harness.AddNode("node-b");
        harness.Cluster.Nodes.Delete(null, "node-a");
        await harness.DaemonSetsSettledAsync();

        Assert.Equal(["node-b"], harness.Cluster.Pods.List(Namespace).Select(p => p.Spec.NodeName));
        Assert.Equal(1, harness.Cluster.DaemonSets.Get(Namespace, "aws-node")!.Status.DesiredNumberScheduled);
    }

    [Fact]
    public async Task A_rolling_update_replaces_one_node_at_a_time_and_stalls_on_a_replacement_that_never_gets_ready()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        foreach (var node in new[] { "node-a", "node-b", "node-c" })
        {
            harness.AddNode(node);
        }

        harness.Cluster.DaemonSets.Create(AwsNode());
        await harness.DaemonSetsSettledAsync();
        MakeAllReady(harness);
        await harness.DaemonSetsSettledAsync();
        var original = harness.Cluster.Pods.List(Namespace).ToDictionary(p => p.Spec.NodeName, p => p.Metadata.Name);
        Assert.Equal(3, harness.Cluster.DaemonSets.Get(Namespace, "aws-node")!.Status.NumberReady);

        harness.Cluster.DaemonSets.Update(Namespace, "aws-node", d => d.Spec.Template.Spec.Containers[0].Image = "amazon-k8s-cni:v1.19.0");
        await harness.DaemonSetsSettledAsync();

        // One node got the new pod; it is never made Ready, so the other two keep their old pods.
        var pods = harness.Cluster.Pods.List(Namespace);
        var updated = Assert.Single(pods, p => p.Spec.Containers[0].Image == "amazon-k8s-cni:v1.19.0");
        Assert.Equal("Pending", updated.Status.Phase);
        Assert.Equal(2, pods.Count(p => original.ContainsValue(p.Metadata.Name)));
        var stalled = harness.Cluster.DaemonSets.Get(Namespace, "aws-node")!;
        Assert.Equal(2L, stalled.Metadata.Generation);
        Assert.Equal((3, 1, 2, 1, 2L), (stalled.Status.DesiredNumberScheduled, stalled.Status.UpdatedNumberScheduled, stalled.Status.NumberReady, stalled.Status.NumberUnavailable, stalled.Status.ObservedGeneration));

        // Once it is Ready the rollout moves on, one node at a time, to the end.
        for (var step = 2; step <= 3; step++)
        {
            MakeAllReady(harness);
            await harness.DaemonSetsSettledAsync();
            Assert.Equal(step, harness.Cluster.Pods.List(Namespace).Count(p => p.Spec.Containers[0].Image == "amazon-k8s-cni:v1.19.0"));
        }

        MakeAllReady(harness);
        await harness.DaemonSetsSettledAsync();
        var done = harness.Cluster.DaemonSets.Get(Namespace, "aws-node")!.Status;
        Assert.Equal((3, 3, 3, 0), (done.UpdatedNumberScheduled, done.NumberReady, done.NumberAvailable, done.NumberUnavailable));
        Assert.DoesNotContain(harness.Cluster.Pods.List(Namespace), p => original.ContainsValue(p.Metadata.Name));
    }

    [Fact]
    public async Task Deleting_the_daemonset_deletes_its_pods()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.AddNode("node-a");
        harness.Cluster.DaemonSets.Create(AwsNode());
        await harness.DaemonSetsSettledAsync();
        Assert.Single(harness.Cluster.Pods.List(Namespace));

        harness.Cluster.DaemonSets.Delete(Namespace, "aws-node");
        await harness.DaemonSetsSettledAsync();

        Assert.Empty(harness.Cluster.Pods.List(Namespace));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_pod_names()
    {
        async Task<string[]> PodNames()
        {
            await using var harness = await EmulatorHarness.StartAsync();
            foreach (var node in new[] { "node-a", "node-b", "node-c" })
            {
                harness.AddNode(node);
            }

            harness.Cluster.DaemonSets.Create(AwsNode());
            await harness.DaemonSetsSettledAsync();
            return [.. harness.Cluster.Pods.List(Namespace).OrderBy(p => p.Spec.NodeName).Select(p => p.Metadata.Name)];
        }

        Assert.Equal(await PodNames(), await PodNames());
    }

    [Fact]
    public async Task The_kubelet_side_can_follow_pods_of_one_node_through_an_in_process_watch()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.AddNode("node-a");
        harness.AddNode("node-b");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // From a known version, so the watch sees every change after it however late it starts reading.
        var from = harness.Cluster.ResourceVersion.ToString();
        var seen = new List<(WatchEventType, string)>();
        var reader = Task.Run(async () =>
        {
            await foreach (var change in harness.Cluster.Pods.WatchAsync(fieldSelector: "spec.nodeName=node-a", resourceVersion: from, cancellationToken: stop.Token))
            {
                lock (seen)
                {
                    seen.Add((change.Type, change.Object.Metadata.Name));
                }
            }
        }, Ct);

        harness.Cluster.DaemonSets.Create(AwsNode());
        await harness.DaemonSetsSettledAsync();
        var pod = Assert.Single(harness.Cluster.Pods.List(Namespace, fieldSelector: "spec.nodeName=node-a"));
        harness.Cluster.Pods.Delete(Namespace, pod.Metadata.Name);
        await harness.DaemonSetsSettledAsync();

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count >= 3; } }, "added, deleted and re-added pod events for node-a");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader);
        lock (seen)
        {
            Assert.Equal((WatchEventType.Added, pod.Metadata.Name), seen[0]);
            Assert.Equal((WatchEventType.Deleted, pod.Metadata.Name), seen[1]);
            Assert.Equal(WatchEventType.Added, seen[2].Item1);
            Assert.NotEqual(pod.Metadata.Name, seen[2].Item2);
        }
    }

    private static Dictionary<string, string> Linux => new() { ["kubernetes.io/os"] = "linux" };

    private static void MakeAllReady(EmulatorHarness harness)
    {
        foreach (var pod in harness.Cluster.Pods.List(Namespace))
        {
            harness.Cluster.SetPodStatus(Namespace, pod.Metadata.Name, new V1PodStatus
            {
                Phase = "Running",
                Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }],
            });
        }
    }

    private static V1DaemonSet AwsNode(string name = "aws-node", IDictionary<string, string>? nodeSelector = null)
    {
        var labels = new Dictionary<string, string> { ["k8s-app"] = name == "aws-node" ? "aws-node" : name };
        return new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        NodeSelector = nodeSelector,
                        Containers = [new V1Container { Name = "aws-node", Image = "amazon-k8s-cni:v1.18.1" }],
                    },
                },
            },
        };
    }
}
