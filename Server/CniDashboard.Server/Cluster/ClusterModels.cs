namespace CniDashboard.Server.Cluster;

/// <summary>What the dashboard keeps of a Kubernetes Node.</summary>
public sealed record NodeFacts
{
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>Node group (EKS, Karpenter, GKE, AKS labels, in that order).</summary>
    public string? NodeGroup { get; init; }
    /// <summary>OS image.</summary>
    public string? OsImage { get; init; }
    /// <summary>Instance type.</summary>
    public string? InstanceType { get; init; }
    /// <summary>Kubelet version.</summary>
    public string? KubeletVersion { get; init; }
    /// <summary>Cordoned.</summary>
    public bool Unschedulable { get; init; }
    /// <summary>Network up, from NetworkReady (or the Ready condition's network reason).</summary>
    public bool? NetworkReady { get; init; }
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>True when a difference matters to a person looking at the node (not heartbeat noise).</summary>
    public bool DiffersFrom(NodeFacts? other) =>
        other is null
        || NodeGroup != other.NodeGroup || OsImage != other.OsImage || InstanceType != other.InstanceType
        || KubeletVersion != other.KubeletVersion || Unschedulable != other.Unschedulable || NetworkReady != other.NetworkReady
        || Labels.Count != other.Labels.Count || Labels.Any(l => !other.Labels.TryGetValue(l.Key, out var v) || v != l.Value);
}

/// <summary>A pod of a CNI DaemonSet or of the agent.</summary>
public sealed record CniPodFacts
{
    /// <summary>Namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>UID.</summary>
    public string? Uid { get; init; }
    /// <summary>The configured component it was selected by.</summary>
    public required string Component { get; init; }
    /// <summary>True for an agent pod.</summary>
    public bool IsAgent { get; init; }
    /// <summary>Owning DaemonSet.</summary>
    public string? DaemonSet { get; init; }
    /// <summary>The node it runs on.</summary>
    public string? Node { get; init; }
    /// <summary>Pod IP (where an agent is polled).</summary>
    public string? PodIp { get; init; }
    /// <summary>Main container image.</summary>
    public string? Image { get; init; }
    /// <summary>Phase.</summary>
    public string? Phase { get; init; }
    /// <summary>Ready condition.</summary>
    public bool Ready { get; init; }
    /// <summary>Start time.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>Being deleted.</summary>
    public bool Terminating { get; init; }
    /// <summary>An agent pod's announced manifest hash (its <c>cni-dashboard.io/manifest-hash</c> annotation), when valid.</summary>
    public string? AnnouncedManifestHash { get; init; }
}

/// <summary>A pod waiting for its sandbox.</summary>
/// <param name="Namespace">Namespace.</param>
/// <param name="Name">Name.</param>
/// <param name="Node">Node it is scheduled on.</param>
public sealed record PendingPodFacts(string Namespace, string Name, string Node);

/// <summary>A CNI DaemonSet and its rollout.</summary>
public sealed record DaemonSetFacts
{
    /// <summary>Namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>Main container image.</summary>
    public string? Image { get; init; }
    /// <summary>Desired.</summary>
    public int Desired { get; init; }
    /// <summary>Updated.</summary>
    public int Updated { get; init; }
    /// <summary>Ready.</summary>
    public int Ready { get; init; }
    /// <summary>Available.</summary>
    public int Available { get; init; }
    /// <summary>When the rollout last moved (or the DaemonSet was first seen).</summary>
    public DateTimeOffset LastProgressAt { get; init; }
}
