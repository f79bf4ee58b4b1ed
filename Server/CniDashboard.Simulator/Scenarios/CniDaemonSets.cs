using k8s.Models;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// The DaemonSets of the simulated EKS cluster, with the images, selectors and host networking of
/// the real ones: the CNI ones, the dashboard's agent, and kured (<see cref="KuredDaemonSet"/>).
/// aws-node, cilium and the agent use the host network, so they start even when the node's CNI is
/// broken; linkerd-cni (and kured) do not: they need a sandbox like any pod, which is the incident's deadlock.
/// </summary>
public static class CniDaemonSets
{
    public const string AwsNode = "aws-node";
    public const string Cilium = "cilium";
    public const string LinkerdCni = "linkerd-cni";
    public const string Agent = "cni-dashboard-agent";

    public const string KubeSystem = "kube-system";
    public const string LinkerdNamespace = "linkerd-cni";
    public const string AgentNamespace = "cni-dashboard";

    public const string AwsNodeImage = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2";
    public const string CiliumImage = "quay.io/cilium/cilium:v1.16.5";

    /// <summary>linkerd-cni of chart 2025.3.1: the image the cluster is upgrading to.</summary>
    public const string LinkerdCniImage = "cr.l5d.io/linkerd/cni-plugin:v1.6.2";

    /// <summary>linkerd-cni of chart 2025.2.3, whose cleanup leaves its entries behind.</summary>
    public const string LinkerdCniBrokenImage = "cr.l5d.io/linkerd/cni-plugin:v1.6.0";

    public const string AgentImage = "ghcr.io/cni-dashboard/cni-dashboard-agent:0.1.0";

    /// <summary>The agent's port on every node (its pod IP is the node's address).</summary>
    public const int AgentContainerPort = 9440;

    /// <summary>(namespace, name) of every DaemonSet the simulator runs, in creation order.</summary>
    public static IReadOnlyList<(string Namespace, string Name)> All { get; } =
    [
        (KubeSystem, AwsNode),
        (KubeSystem, Cilium),
        (LinkerdNamespace, LinkerdCni),
        (AgentNamespace, Agent),
        (KuredDaemonSet.Namespace, KuredDaemonSet.Name),
    ];

    /// <summary>The DaemonSet named <paramref name="name"/>; linkerd-cni with the given image and rollout budget.</summary>
    public static V1DaemonSet Create(string name, string? linkerdImage = null, int linkerdMaxUnavailable = 1) => name switch
    {
        AwsNode => Build(KubeSystem, AwsNode, "k8s-app", AwsNode, "aws-node", AwsNodeImage, hostNetwork: true, serviceAccount: "aws-node", maxUnavailable: "10%",
            labels: new() { ["app.kubernetes.io/name"] = "aws-node", ["app.kubernetes.io/instance"] = "aws-vpc-cni" }),
        Cilium => Build(KubeSystem, Cilium, "k8s-app", Cilium, "cilium-agent", CiliumImage, hostNetwork: true, serviceAccount: "cilium", maxUnavailable: "2",
            labels: new() { ["app.kubernetes.io/name"] = "cilium-agent", ["app.kubernetes.io/part-of"] = "cilium" }),
        LinkerdCni => Build(LinkerdNamespace, LinkerdCni, "k8s-app", LinkerdCni, "install-cni", linkerdImage ?? LinkerdCniImage, hostNetwork: false, serviceAccount: "linkerd-cni",
            maxUnavailable: linkerdMaxUnavailable.ToString(System.Globalization.CultureInfo.InvariantCulture),
            labels: new() { ["linkerd.io/cni-resource"] = "true" },
            annotations: new() { ["linkerd.io/inject"] = "disabled", ["linkerd.io/helm-release-version"] = linkerdImage == LinkerdCniBrokenImage ? "2025.2.3" : "2025.3.1" }),
        Agent => Build(AgentNamespace, Agent, "app.kubernetes.io/name", Agent, "agent", AgentImage, hostNetwork: true, serviceAccount: Agent, maxUnavailable: "10%",
            labels: new() { ["app.kubernetes.io/part-of"] = "cni-dashboard" }, port: AgentContainerPort),
        KuredDaemonSet.Name => KuredDaemonSet.Create(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a DaemonSet of the simulated cluster"),
    };

    /// <summary>The name of the DaemonSet that owns the pod, when one does.</summary>
    public static string? OwnerOf(V1Pod pod) =>
        pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "DaemonSet")?.Name;

    /// <summary>The main container's image.</summary>
    public static string? ImageOf(V1Pod pod) => pod.Spec?.Containers?.FirstOrDefault()?.Image;

    private static V1DaemonSet Build(
        string @namespace,
        string name,
        string selectorKey,
        string selectorValue,
        string container,
        string image,
        bool hostNetwork,
        string serviceAccount,
        string maxUnavailable,
        Dictionary<string, string> labels,
        Dictionary<string, string>? annotations = null,
        int? port = null)
    {
        var podLabels = new Dictionary<string, string>(labels) { [selectorKey] = selectorValue };
        return new V1DaemonSet
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = @namespace,
                Labels = new Dictionary<string, string> { [selectorKey] = selectorValue },
            },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [selectorKey] = selectorValue } },
                UpdateStrategy = new V1DaemonSetUpdateStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDaemonSet { MaxUnavailable = maxUnavailable, MaxSurge = 0 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = podLabels, Annotations = annotations },
                    Spec = new V1PodSpec
                    {
                        HostNetwork = hostNetwork,
                        DnsPolicy = hostNetwork ? "ClusterFirstWithHostNet" : "ClusterFirst",
                        PriorityClassName = "system-node-critical",
                        ServiceAccountName = serviceAccount,
                        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
                        Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
                        TerminationGracePeriodSeconds = 30,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = container,
                                Image = image,
                                ImagePullPolicy = "IfNotPresent",
                                Ports = port is { } p ? [new V1ContainerPort { Name = "http", ContainerPort = p, Protocol = "TCP" }] : null,
                                VolumeMounts =
                                [
                                    new V1VolumeMount { Name = "cni-net-dir", MountPath = "/host/etc/cni/net.d" },
                                    new V1VolumeMount { Name = "cni-bin-dir", MountPath = "/host/opt/cni/bin" },
                                ],
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume { Name = "cni-net-dir", HostPath = new V1HostPathVolumeSource { Path = "/etc/cni/net.d" } },
                            new V1Volume { Name = "cni-bin-dir", HostPath = new V1HostPathVolumeSource { Path = "/opt/cni/bin" } },
                        ],
                    },
                },
            },
        };
    }
}
