using CniDashboard.Server.Cluster;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Tests.Cluster;

/// <summary>The watches, with the real KubernetesClient against the Kubernetes API emulator.</summary>
public sealed class ClusterWatcherTests : IAsyncLifetime
{
    private EmulatedApi _k8s = null!;
    private BackendHarness _backend = null!;
    private readonly List<IHostedService> _started = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _k8s = await EmulatedApi.StartAsync();
        _k8s.AddNode("ip-10-0-1-10");
        _k8s.AddNode("ip-10-0-12-34");
        _k8s.AddDaemonSet("linkerd-cni", "linkerd-cni", "cr.l5d.io/linkerd/cni-plugin:v1.6.2", desired: 2, updated: 1, ready: 1);
        _k8s.AddDaemonSet("kube-system", "aws-node", "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2", desired: 2, updated: 2, ready: 2);
        _k8s.AddDaemonSet("kube-system", "kube-proxy", "kube-proxy:v1.31", desired: 2, updated: 2, ready: 2);
        _k8s.AddDaemonPod("linkerd-cni", "linkerd-cni", "linkerd-cni-9qv4d", "ip-10-0-1-10", "k8s-app=linkerd-cni");
        _k8s.AddDaemonPod("linkerd-cni", "linkerd-cni", "linkerd-cni-ltrn6", "ip-10-0-12-34", "k8s-app=linkerd-cni", ready: false, phase: "Pending");
        _k8s.AddDaemonPod("cni-dashboard", "cni-dashboard-agent", "agent-a", "ip-10-0-1-10", "app.kubernetes.io/name=cni-dashboard-agent", podIp: "127.0.0.21", image: "cni-dashboard-agent:1");
        _k8s.AddStuckPod("web-1", "ip-10-0-12-34");
        _k8s.AddSandboxEvent("linkerd-cni-ltrn6.1", "ip-10-0-12-34", count: 27);

        _backend = new BackendHarness(new Dictionary<string, string?>
        {
            ["Dashboard:Kubernetes:Kubeconfig"] = _k8s.Kubeconfig,
            ["Dashboard:Kubernetes:InitialBackoff"] = "00:00:00.050",
            ["Dashboard:Kubernetes:MaxBackoff"] = "00:00:00.200",
        });
        await _backend.StartStoreAsync();
        foreach (var service in new IHostedService[] { _backend.Get<Server.Analysis.AnalysisScheduler>(), _backend.Get<SandboxEventRecorder>(), _backend.Get<ClusterWatcher>(), _backend.Get<SandboxEventWatcher>() })
        {
            await service.StartAsync(Ct);
            _started.Add(service);
        }

        await Eventually.WaitAsync(() => _backend.Get<WatchHealthRegistry>().AllSynced, "every watch to list");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _started) await service.StopAsync(CancellationToken.None);
        await _backend.DisposeAsync();
        await _k8s.DisposeAsync();
    }

    private ClusterState State => _backend.Cluster;

    [Fact]
    public async Task Initial_list_fills_nodes_cni_pods_agents_daemonsets_stuck_pods_and_events()
    {
        Assert.Equal(["ip-10-0-1-10", "ip-10-0-12-34"], State.NodeNames);
        var node = State.GetNode("ip-10-0-12-34")!;
        Assert.Equal(("ng-general", "m6i.large", "Bottlerocket OS 1.29.0 (aws-k8s-1.31)", true), (node.NodeGroup, node.InstanceType, node.OsImage, node.NetworkReady));

        var pods = State.PodsOn("ip-10-0-12-34");
        var linkerd = Assert.Single(pods);
        Assert.Equal(("linkerd-cni-ltrn6", "linkerd-cni", false, "Pending"), (linkerd.Name, linkerd.DaemonSet, linkerd.Ready, linkerd.Phase));
        Assert.Equal("127.0.0.21", State.AgentPodFor("ip-10-0-1-10")?.PodIp);
        Assert.Null(State.AgentPodFor("ip-10-0-12-34"));
        // The workload pod and the replacement linkerd-cni pod are both waiting for a sandbox.
        Assert.Equal(2, State.PendingOn("ip-10-0-12-34"));

        // Only the configured CNI DaemonSets (not kube-proxy).
        Assert.Equal(["aws-node", "linkerd-cni"], State.DaemonSets.Select(d => d.Name).Order(StringComparer.Ordinal));
        var ds = (await _backend.Queries.GetDaemonSetsAsync(Ct)).Single(d => d.Name == "linkerd-cni");
        Assert.True(ds.RollingOut);
        Assert.Equal(["ip-10-0-12-34"], ds.NotReadyNodes);

        await Eventually.WaitAsync(async () => await _backend.ScalarAsync("SELECT COALESCE(SUM(count), 0) FROM sandbox_events WHERE node = 'ip-10-0-12-34'") == 27, "the sandbox event to be stored");
        var report = await _backend.Queries.GetSandboxErrorsAsync(new SandboxErrorQuery { Window = TimeSpan.FromHours(1) }, Ct);
        Assert.Equal(27, report.Total);
        var recent = Assert.Single(report.Recent);
        Assert.Equal(("linkerd-cni", Shared.Sandbox.SandboxErrorClass.Unauthorized, "linkerd-cni-ltrn6"), (recent.Failure.PluginType, recent.Failure.ErrorClass, recent.Pod));
    }

    [Fact]
    public async Task Live_changes_arrive_without_relisting()
    {
        // What relisting would cost: a list request per watch. The emulator counts the requests it served.
        string[] watched = ["nodes", "pods", "daemonsets", "events"];
        var listsBefore = watched.ToDictionary(r => r, r => _k8s.Api.RequestCount("list", r));
        Assert.All(watched, r => Assert.True(listsBefore[r] > 0, $"{r} was never listed"));
        _k8s.AddNode("ip-10-0-9-9", "ng-spot");
        _k8s.Api.Cluster.Nodes.Update(null, "ip-10-0-1-10", n => n.Spec = new k8s.Models.V1NodeSpec { Unschedulable = true });
        _k8s.Api.Cluster.Pods.Delete("default", "web-1");
        _k8s.Api.Cluster.SetPodStatus("linkerd-cni", "linkerd-cni-ltrn6", new k8s.Models.V1PodStatus
        {
            Phase = "Running",
            PodIP = "10.0.3.3",
            Conditions = [new k8s.Models.V1PodCondition { Type = "Ready", Status = "True" }],
        });
        _k8s.Api.Cluster.Nodes.Delete(null, "ip-10-0-12-34");

        await Eventually.WaitAsync(() => State.GetNode("ip-10-0-9-9")?.NodeGroup == "ng-spot", "the new node");
        await Eventually.WaitAsync(() => State.GetNode("ip-10-0-1-10")?.Unschedulable == true, "the cordon");
        await Eventually.WaitAsync(() => State.PendingOn("ip-10-0-12-34") == 0, "the stuck pods to go");
        await Eventually.WaitAsync(() => State.PodsOn("ip-10-0-12-34").SingleOrDefault()?.Ready == true, "the pod to become ready");
        await Eventually.WaitAsync(() => State.GetNode("ip-10-0-12-34") is null, "the node deletion");
        Assert.Equal(listsBefore, watched.ToDictionary(r => r, r => _k8s.Api.RequestCount("list", r)));
        Assert.All(_backend.Get<WatchHealthRegistry>().Snapshot(), w => Assert.True(w.Healthy, $"{w.Resource}: {w.Error}"));
    }

    [Fact]
    public async Task Dropped_watches_resume_from_the_last_resource_version_and_lose_nothing()
    {
        await Eventually.WaitAsync(async () => await _backend.ScalarAsync("SELECT COUNT(*) FROM sandbox_events") == 1, "the first event");
        for (var i = 0; i < 3; i++)
        {
            _k8s.Api.DropWatches();
            _k8s.AddNode($"ip-10-0-20-{i}");
            _k8s.AddSandboxEvent($"evt-drop-{i}", "ip-10-0-1-10", count: 1);
        }

        await Eventually.WaitAsync(() => State.NodeNames.Count == 5, "every node added across the cuts");
        await Eventually.WaitAsync(async () => await _backend.ScalarAsync("SELECT COUNT(*) FROM sandbox_events") == 4, "every event added across the cuts");
        // Resuming is not relisting: replayed events add no failures.
        Assert.Equal(30, await _backend.ScalarAsync("SELECT SUM(count) FROM sandbox_events"));
        Assert.Equal(30, await _backend.ScalarAsync("SELECT SUM(delta) FROM sandbox_event_counts"));
    }

    [Fact]
    public async Task Expired_history_relists_reconciles_deletions_and_loses_no_event()
    {
        var relists = new List<string>();
        _backend.Get<WatchHealthRegistry>().Changed += h =>
        {
            if (h.Error?.StartsWith("410", StringComparison.Ordinal) == true) lock (relists) relists.Add(h.Resource);
        };
        await Eventually.WaitAsync(async () => await _backend.ScalarAsync("SELECT COUNT(*) FROM sandbox_events") == 1, "the first event");

        // Changes while the dashboard is cut off, then history compacted past its resourceVersion.
        _k8s.Api.Cluster.Nodes.Delete(null, "ip-10-0-1-10");
        _k8s.AddNode("ip-10-0-30-1");
        _k8s.Api.Cluster.Events.Update("linkerd-cni", "linkerd-cni-ltrn6.1", e => { e.Count = 40; e.LastTimestamp = DateTime.UtcNow; });
        _k8s.AddSandboxEvent("evt-gap", "ip-10-0-12-34", count: 2);
        _k8s.Api.ExpireHistory();
        _k8s.Api.DropWatches();

        await Eventually.WaitAsync(() => { lock (relists) return relists.Contains("nodes"); }, "the nodes watch to relist after 410");
        await Eventually.WaitAsync(() => State.GetNode("ip-10-0-1-10") is null && State.GetNode("ip-10-0-30-1") is not null, "the relist to reconcile nodes");
        await Eventually.WaitAsync(async () => await _backend.ScalarAsync("SELECT SUM(count) FROM sandbox_events") == 42, "events counted through the gap");
        Assert.Equal(42, await _backend.ScalarAsync("SELECT SUM(delta) FROM sandbox_event_counts"));
        await Eventually.WaitAsync(() => _backend.Get<WatchHealthRegistry>().Snapshot().All(w => w.Healthy), "every watch up again");
    }

    [Fact]
    public async Task Ciliums_configmap_is_watched_by_name_into_every_nodes_context_and_may_be_absent()
    {
        const string Watch = "configmap kube-system/cilium-config";
        var contexts = _backend.Get<Server.Analysis.NodeContextBuilder>();
        // No Cilium ConfigMap is normal: the watch lists nothing and is healthy.
        Assert.Empty(State.CiliumConfig);
        Assert.Contains(_backend.Get<WatchHealthRegistry>().Snapshot(), w => w.Resource == Watch && w.Healthy);

        _k8s.Api.Cluster.ConfigMaps.Create(new k8s.Models.V1ConfigMap
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "cilium-config", NamespaceProperty = "kube-system" },
            Data = new Dictionary<string, string> { ["cni-exclusive"] = "false", ["cni-chaining-mode"] = "aws-cni" },
        });
        await Eventually.WaitAsync(() => State.CiliumConfig.GetValueOrDefault("cni-exclusive") == "false", "the ConfigMap to be read");
        Assert.Equal("aws-cni", contexts.Build("ip-10-0-1-10").CiliumConfig["cni-chaining-mode"]);

        _k8s.Api.Cluster.ConfigMaps.Update("kube-system", "cilium-config", c => c.Data["cni-exclusive"] = "true");
        await Eventually.WaitAsync(() => contexts.Build("ip-10-0-12-34").CiliumConfig.GetValueOrDefault("cni-exclusive") == "true", "the change to reach the nodes' context");

        _k8s.Api.Cluster.ConfigMaps.Delete("kube-system", "cilium-config");
        await Eventually.WaitAsync(() => State.CiliumConfig.Count == 0, "the deletion to clear it");
        Assert.Empty(contexts.Build("ip-10-0-1-10").CiliumConfig);

        // The dashboard's identity may read only that name (as the chart's Role grants): a watch
        // without the name selector would have been refused, and this one never went down.
        var health = Assert.Single(_backend.Get<WatchHealthRegistry>().Snapshot(), w => w.Resource == Watch);
        Assert.True(health.Healthy, health.Error);
    }

    [Fact]
    public async Task With_cilium_config_turned_off_there_is_no_such_watch()
    {
        await using var backend = new BackendHarness(new Dictionary<string, string?>
        {
            ["Dashboard:Kubernetes:Kubeconfig"] = _k8s.Kubeconfig,
            ["Dashboard:Kubernetes:CiliumConfig:Enabled"] = "false",
        });
        var watcher = backend.Get<ClusterWatcher>();
        await watcher.StartAsync(Ct);
        try
        {
            var health = backend.Get<WatchHealthRegistry>();
            await Eventually.WaitAsync(() => health.AllSynced, "every watch to list");
            Assert.DoesNotContain(health.Snapshot(), w => w.Resource.StartsWith("configmap", StringComparison.Ordinal));
            Assert.Contains(_backend.Get<WatchHealthRegistry>().Snapshot(), w => w.Resource == "configmap kube-system/cilium-config");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }
}
