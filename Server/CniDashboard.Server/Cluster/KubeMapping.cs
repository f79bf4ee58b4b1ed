using CniDashboard.Shared.Agent;
using k8s.Models;

namespace CniDashboard.Server.Cluster;

/// <summary>What the dashboard keeps of Kubernetes objects.</summary>
public static class KubeMapping
{
    private static readonly string[] NodeGroupLabels =
    [
        "eks.amazonaws.com/nodegroup",
        "karpenter.sh/nodepool",
        "alpha.eksctl.io/nodegroup-name",
        "cloud.google.com/gke-nodepool",
        "kubernetes.azure.com/agentpool",
        "node.kubernetes.io/nodegroup",
    ];

    /// <summary>A Node's facts.</summary>
    public static NodeFacts ToFacts(V1Node node)
    {
        var labels = node.Metadata?.Labels is { } l ? new Dictionary<string, string>(l, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
        return new NodeFacts
        {
            Name = node.Metadata?.Name ?? "",
            NodeGroup = NodeGroupLabels.Select(labels.GetValueOrDefault).FirstOrDefault(v => !string.IsNullOrEmpty(v)),
            OsImage = node.Status?.NodeInfo?.OsImage,
            InstanceType = labels.GetValueOrDefault("node.kubernetes.io/instance-type") ?? labels.GetValueOrDefault("beta.kubernetes.io/instance-type"),
            KubeletVersion = node.Status?.NodeInfo?.KubeletVersion,
            Unschedulable = node.Spec?.Unschedulable ?? false,
            NetworkReady = NetworkReady(node),
            Labels = labels,
        };
    }

    private static bool? NetworkReady(V1Node node)
    {
        var conditions = node.Status?.Conditions;
        if (conditions is null) return null;
        // Some providers publish NetworkUnavailable; kubelet folds the runtime's NetworkReady into Ready.
        var unavailable = conditions.FirstOrDefault(c => c.Type == "NetworkUnavailable");
        if (unavailable?.Status == "True") return false;
        var ready = conditions.FirstOrDefault(c => c.Type == "Ready");
        if (ready is null) return unavailable is null ? null : true;
        if (ready.Status == "True") return true;
        var text = $"{ready.Reason} {ready.Message}";
        return text.Contains("NetworkReady=false", StringComparison.Ordinal) || text.Contains("NetworkPluginNotReady", StringComparison.Ordinal) || text.Contains("cni plugin not initialized", StringComparison.Ordinal)
            ? false
            : null;
    }

    /// <summary>A CNI or agent pod's facts.</summary>
    public static CniPodFacts ToFacts(V1Pod pod, string component, bool isAgent)
    {
        var owner = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Kind == "DaemonSet");
        var container = pod.Spec?.Containers?.FirstOrDefault();
        return new CniPodFacts
        {
            Namespace = pod.Metadata?.NamespaceProperty ?? "",
            Name = pod.Metadata?.Name ?? "",
            Uid = pod.Metadata?.Uid,
            Component = component,
            IsAgent = isAgent,
            DaemonSet = owner?.Name,
            Node = pod.Spec?.NodeName,
            PodIp = pod.Status?.PodIP,
            Image = container?.Image,
            Phase = pod.Status?.Phase,
            Ready = pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") ?? false,
            StartedAt = pod.Status?.StartTime is { } s ? new DateTimeOffset(DateTime.SpecifyKind(s, DateTimeKind.Utc)) : null,
            Terminating = pod.Metadata?.DeletionTimestamp is not null,
            // Only a well-formed hash: anything else is treated as no announcement (at worst one fetch too few, caught by the safety net).
            AnnouncedManifestHash = isAgent && pod.Metadata?.Annotations?.TryGetValue(ManifestAnnouncement.AnnotationKey, out var hash) == true
                && ManifestAnnouncement.IsValidHash(hash) ? hash : null,
        };
    }

    /// <summary>True for a scheduled pod still waiting for its sandbox/containers (ContainerCreating).</summary>
    public static bool IsStuckCreating(V1Pod pod)
    {
        if (pod.Status?.Phase != "Pending" || string.IsNullOrEmpty(pod.Spec?.NodeName)) return false;
        var statuses = pod.Status?.ContainerStatuses;
        if (statuses is null || statuses.Count == 0) return true;
        return statuses.Any(s => s.State?.Waiting?.Reason == "ContainerCreating");
    }

    /// <summary>A DaemonSet's facts.</summary>
    public static DaemonSetFacts ToFacts(V1DaemonSet ds) => new()
    {
        Namespace = ds.Metadata?.NamespaceProperty ?? "",
        Name = ds.Metadata?.Name ?? "",
        Image = ds.Spec?.Template?.Spec?.Containers?.FirstOrDefault()?.Image,
        Desired = ds.Status?.DesiredNumberScheduled ?? 0,
        Updated = ds.Status?.UpdatedNumberScheduled ?? 0,
        Ready = ds.Status?.NumberReady ?? 0,
        Available = ds.Status?.NumberAvailable ?? 0,
    };
}
