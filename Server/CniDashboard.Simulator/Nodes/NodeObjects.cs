using System.Globalization;
using k8s.Models;

namespace CniDashboard.Simulator.Nodes;

/// <summary>The Node objects of simulated nodes, shaped like an EKS node running Bottlerocket.</summary>
internal static class NodeObjects
{
    /// <summary>The Ready condition's message when the runtime finds no working CNI configuration (reference events/messages.txt).</summary>
    public const string NetworkNotReadyMessage =
        "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized";

    /// <summary>The taint the node lifecycle controller puts on a NotReady node; DaemonSet pods tolerate it.</summary>
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";

    public static V1Node Create(NodeIdentity node, DateTime createdAt)
    {
        var labels = new Dictionary<string, string>
        {
            ["beta.kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/instance-type"] = node.Group.InstanceType,
            ["beta.kubernetes.io/os"] = "linux",
            ["eks.amazonaws.com/capacityType"] = "ON_DEMAND",
            ["eks.amazonaws.com/nodegroup"] = node.Group.Name,
            ["eks.amazonaws.com/nodegroup-image"] = "ami-0c2d3e4f5a6b7c8d9",
            ["failure-domain.beta.kubernetes.io/region"] = NodeIdentity.Region,
            ["failure-domain.beta.kubernetes.io/zone"] = node.Zone,
            ["kubernetes.io/arch"] = "amd64",
            ["kubernetes.io/hostname"] = node.Name,
            ["kubernetes.io/os"] = "linux",
            ["node.kubernetes.io/instance-type"] = node.Group.InstanceType,
            ["topology.k8s.aws/zone-id"] = "usw2-az" + (node.Zone[^1] - 'a' + 1).ToString(CultureInfo.InvariantCulture),
            ["topology.kubernetes.io/region"] = NodeIdentity.Region,
            ["topology.kubernetes.io/zone"] = node.Zone,
        };
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(node.Group.Cpu.ToString(CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new("18242267924"),
            ["memory"] = new(node.Group.MemoryKi.ToString(CultureInfo.InvariantCulture) + "Ki"),
            ["pods"] = new(node.Group.MaxPods.ToString(CultureInfo.InvariantCulture)),
        };
        return new V1Node
        {
            Metadata = new V1ObjectMeta
            {
                Name = node.Name,
                Uid = node.Uid,
                CreationTimestamp = createdAt,
                Labels = labels,
                Annotations = new Dictionary<string, string>
                {
                    ["alpha.kubernetes.io/provided-node-ip"] = node.Address.ToString(),
                    ["node.alpha.kubernetes.io/ttl"] = "0",
                    ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true",
                },
            },
            Spec = new V1NodeSpec { ProviderID = $"aws:///{node.Zone}/{node.InstanceId}" },
            Status = new V1NodeStatus
            {
                Addresses =
                [
                    new V1NodeAddress { Type = "InternalIP", Address = node.Address.ToString() },
                    new V1NodeAddress { Type = "InternalDNS", Address = node.Name },
                    new V1NodeAddress { Type = "Hostname", Address = node.Name },
                ],
                Allocatable = resources,
                Capacity = resources,
                Conditions = Conditions(createdAt, networkReady: true),
                DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 10250 } },
                NodeInfo = new V1NodeSystemInfo
                {
                    Architecture = "amd64",
                    BootID = Guid(node, "boot"),
                    ContainerRuntimeVersion = "containerd://1.7.24+bottlerocket",
                    KernelVersion = node.Group.KernelVersion,
                    KubeProxyVersion = node.Group.KubeletVersion,
                    KubeletVersion = node.Group.KubeletVersion,
                    MachineID = Guid(node, "machine").Replace("-", "", StringComparison.Ordinal),
                    OperatingSystem = "linux",
                    OsImage = node.Group.OsImage,
                    SystemUUID = "ec2" + Guid(node, "system")[3..],
                },
            },
        };
    }

    /// <summary>True when the node's Ready condition says the network is not ready.</summary>
    public static bool IsNetworkNotReady(V1Node node) =>
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "False" && c.Message == NetworkNotReadyMessage) == true;

    /// <summary>Sets the Ready condition (and the not-ready taint) as the kubelet and the node lifecycle controller would.</summary>
    public static void SetNetworkReady(V1Node node, bool ready, DateTime now)
    {
        var status = node.Status ??= new V1NodeStatus();
        var previous = status.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        status.Conditions = Conditions(now, ready, previous);
        var taints = node.Spec.Taints?.Where(t => t.Key != NotReadyTaint).ToList() ?? [];
        if (!ready)
        {
            taints.Add(new V1Taint { Key = NotReadyTaint, Effect = "NoSchedule", TimeAdded = now });
        }

        node.Spec.Taints = taints.Count == 0 ? null : taints;
    }

    private static List<V1NodeCondition> Conditions(DateTime now, bool networkReady, V1NodeCondition? previousReady = null)
    {
        var transitioned = previousReady is null || (previousReady.Status == "True") != networkReady;
        var readySince = transitioned ? now : previousReady!.LastTransitionTime ?? now;
        return
        [
            Healthy("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
            Healthy("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
            Healthy("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
            networkReady
                ? new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "kubelet is posting ready status", LastHeartbeatTime = now, LastTransitionTime = readySince }
                : new V1NodeCondition { Type = "Ready", Status = "False", Reason = "KubeletNotReady", Message = NetworkNotReadyMessage, LastHeartbeatTime = now, LastTransitionTime = readySince },
        ];
    }

    private static V1NodeCondition Healthy(string type, string reason, string message, DateTime now) =>
        new() { Type = type, Status = "False", Reason = reason, Message = message, LastHeartbeatTime = now, LastTransitionTime = now };

    private static string Guid(NodeIdentity node, string purpose)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{purpose}/{node.Name}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
