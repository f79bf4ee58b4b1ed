using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using k8s;
using k8s.Models;

namespace CniDashboard.Server.Tests.Support;

/// <summary>The Kubernetes API emulator with helpers that create objects the way the cluster would.</summary>
public sealed class EmulatedApi : IAsyncDisposable
{
    private readonly TempDir _dir = new();

    private EmulatedApi(KubeApiEmulator api) => Api = api;

    public KubeApiEmulator Api { get; }

    /// <summary>A kubeconfig for the dashboard's ServiceAccount (its real, least-privilege identity).</summary>
    public string Kubeconfig { get; private set; } = "";

    public static async Task<EmulatedApi> StartAsync()
    {
        var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { RunDaemonSetController = false, BookmarkInterval = TimeSpan.FromSeconds(1) });
        var cluster = new EmulatedApi(api);
        cluster.Kubeconfig = api.WriteKubeconfig(Path.Combine(cluster._dir.Path, "kubeconfig"), api.IssueToken(KubeIdentities.DashboardServiceAccount));
        foreach (var ns in new[] { "kube-system", "linkerd-cni", "cni-dashboard", "istio-system", "default" }) api.Cluster.EnsureNamespace(ns);
        return cluster;
    }

    public V1Node AddNode(string name, string group = "ng-general") => Api.Cluster.Nodes.Create(new V1Node
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string>
            {
                ["eks.amazonaws.com/nodegroup"] = group,
                ["node.kubernetes.io/instance-type"] = "m6i.large",
                ["kubernetes.io/hostname"] = name,
            },
        },
        Status = new V1NodeStatus
        {
            NodeInfo = new V1NodeSystemInfo { OsImage = "Bottlerocket OS 1.29.0 (aws-k8s-1.31)", KubeletVersion = "v1.31.4-eks-1234" },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
        },
    });

    public V1DaemonSet AddDaemonSet(string ns, string name, string image, int desired, int updated, int ready) => Api.Cluster.DaemonSets.Create(new V1DaemonSet
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["k8s-app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["k8s-app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = name, Image = image }] },
            },
        },
        Status = new V1DaemonSetStatus { DesiredNumberScheduled = desired, UpdatedNumberScheduled = updated, NumberReady = ready, NumberAvailable = ready, CurrentNumberScheduled = desired, NumberMisscheduled = 0 },
    });

    /// <summary>A DaemonSet pod on a node (running and ready unless told otherwise).</summary>
    public V1Pod AddDaemonPod(string ns, string daemonSet, string name, string node, string label, string? podIp = null, string image = "cr.l5d.io/linkerd/cni-plugin:v1.6.2", bool ready = true, string phase = "Running")
    {
        var (key, value) = (label.Split('=')[0], label.Split('=')[1]);
        var pod = Api.Cluster.Pods.Create(new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string> { [key] = value },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = daemonSet, Uid = Guid.NewGuid().ToString(), Controller = true }],
            },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = daemonSet, Image = image }] },
        });
        return Api.Cluster.SetPodStatus(ns, name, new V1PodStatus
        {
            Phase = phase,
            PodIP = podIp ?? "10.0.0.1",
            StartTime = DateTime.UtcNow,
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        });
    }

    /// <summary>A workload pod scheduled on a node and stuck waiting for its sandbox.</summary>
    public V1Pod AddStuckPod(string name, string node)
    {
        Api.Cluster.Pods.Create(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "app", Image = "nginx" }] },
        });
        return Api.Cluster.SetPodStatus("default", name, new V1PodStatus
        {
            Phase = "Pending",
            ContainerStatuses = [new V1ContainerStatus { Name = "app", Image = "nginx", ImageID = "", Ready = false, RestartCount = 0, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }],
        });
    }

    /// <summary>A FailedCreatePodSandBox event from the reference, placed on a node.</summary>
    public Corev1Event AddSandboxEvent(string name, string node, int count, string? message = null)
    {
        var e = KubernetesJson.Deserialize<Corev1Event>(Fixtures.Text("failed-create-pod-sandbox.json"));
        e.Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "linkerd-cni" };
        e.Source = new V1EventSource { Component = "kubelet", Host = node };
        e.ReportingInstance = node;
        e.Count = count;
        e.FirstTimestamp = DateTime.UtcNow.AddMinutes(-5);
        e.LastTimestamp = DateTime.UtcNow;
        if (message is not null) e.Message = message;
        return Api.Cluster.Events.Create(e);
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        _dir.Dispose();
    }
}
