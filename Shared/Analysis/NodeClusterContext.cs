using System.Text.Json.Serialization;

namespace CniDashboard.Shared.Analysis;

/// <summary>
/// What the cluster knows about a node, for the rules that need more than files: which CNI pods
/// run on it now, the DaemonSets' rollout, recent sandbox errors. Every field is optional.
/// This is also the JSON of <c>analyze --context FILE</c>.
/// </summary>
public sealed record NodeClusterContext
{
    // Absent or null lists read as empty: a hand-written context may leave any of them out, and the
    // source-generated deserializer assigns every init property, present in the JSON or not.
    private readonly IReadOnlyList<ContextPod> _pods = [];
    private readonly IReadOnlyList<ContextDaemonSet> _daemonSets = [];
    private readonly IReadOnlyDictionary<string, string> _ciliumConfig = new Dictionary<string, string>();
    private readonly IReadOnlyList<ContextSandboxError> _sandboxErrors = [];
    private readonly IReadOnlyList<string> _watchedDaemonSets = [];

    /// <summary>The node's name.</summary>
    public string? Node { get; init; }

    /// <summary>The node's OS image (e.g. <c>Bottlerocket OS 1.29.0 (aws-k8s-1.31)</c>).</summary>
    public string? OsImage { get; init; }

    /// <summary>Pods on the node that belong to CNI-related DaemonSets.</summary>
    public IReadOnlyList<ContextPod> Pods { get => _pods; init => _pods = value ?? []; }

    /// <summary>CNI-related DaemonSets of the cluster.</summary>
    public IReadOnlyList<ContextDaemonSet> DaemonSets { get => _daemonSets; init => _daemonSets = value ?? []; }

    /// <summary>Cilium's configuration (the <c>cilium-config</c> ConfigMap), e.g. <c>cni-exclusive</c>.</summary>
    [JsonConverter(typeof(Json.LenientStringMapConverter))]
    public IReadOnlyDictionary<string, string> CiliumConfig { get => _ciliumConfig; init => _ciliumConfig = value ?? new Dictionary<string, string>(); }

    /// <summary>Sandbox failures seen on the node recently.</summary>
    public IReadOnlyList<ContextSandboxError> SandboxErrors { get => _sandboxErrors; init => _sandboxErrors = value ?? []; }

    /// <summary>
    /// DaemonSets (by name) whose pods on this node <see cref="Pods"/> lists in full, so a name here with
    /// no Ready pod in <see cref="Pods"/> means none runs on the node. The DaemonSets of
    /// <see cref="DaemonSets"/> count as watched too. The dashboard fills it with the components it watches.
    /// </summary>
    public IReadOnlyList<string> WatchedDaemonSets { get => _watchedDaemonSets; init => _watchedDaemonSets = value ?? []; }

    /// <summary>What most nodes of this node's group run, for the drift check; null when unknown or when no majority exists.</summary>
    public ContextNodeGroup? NodeGroup { get; init; }
}

/// <summary>
/// The primary file and chain that most nodes of a node group run (more than half of the group's
/// nodes whose files are known). Computed by <see cref="NodeGroupMajority"/>.
/// </summary>
public sealed record ContextNodeGroup
{
    private readonly IReadOnlyList<string> _chain = [];

    /// <summary>The node group's name (e.g. <c>ng-general</c>).</summary>
    public string? Name { get; init; }

    /// <summary>The majority's primary file; null when the majority has none.</summary>
    public string? Primary { get; init; }

    /// <summary>The majority's chain: plugin types in ADD order.</summary>
    public IReadOnlyList<string> Chain { get => _chain; init => _chain = value ?? []; }

    /// <summary>How many nodes run exactly that primary and chain.</summary>
    public int Majority { get; init; }

    /// <summary>How many nodes of the group have known files.</summary>
    public int Nodes { get; init; }
}

/// <summary>A pod on the node.</summary>
public sealed record ContextPod
{
    /// <summary>Namespace.</summary>
    public string? Namespace { get; init; }
    /// <summary>Name.</summary>
    public string? Name { get; init; }
    /// <summary>UID.</summary>
    public string? Uid { get; init; }
    /// <summary>The DaemonSet that owns it (e.g. <c>linkerd-cni</c>).</summary>
    public string? DaemonSet { get; init; }
    /// <summary>The main container's image.</summary>
    public string? Image { get; init; }
    /// <summary><c>Pending</c>, <c>Running</c>, …</summary>
    public string? Phase { get; init; }
    /// <summary>True when the pod is Ready.</summary>
    public bool? Ready { get; init; }
}

/// <summary>A DaemonSet and its rollout.</summary>
public sealed record ContextDaemonSet
{
    /// <summary>Namespace.</summary>
    public string? Namespace { get; init; }
    /// <summary>Name.</summary>
    public string? Name { get; init; }
    /// <summary>The main container's image in the current template.</summary>
    public string? Image { get; init; }
    /// <summary><c>desiredNumberScheduled</c>.</summary>
    public int? Desired { get; init; }
    /// <summary><c>updatedNumberScheduled</c>.</summary>
    public int? Updated { get; init; }
    /// <summary><c>numberReady</c>.</summary>
    public int? Ready { get; init; }
}

/// <summary>A group of sandbox failures on the node (from <c>FailedCreatePodSandBox</c> events).</summary>
public sealed record ContextSandboxError
{
    /// <summary>The plugin type the runtime named.</summary>
    public string? PluginType { get; init; }
    /// <summary>The failure class (see <c>SandboxErrorClass</c>).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Sandbox.SandboxErrorClass>))]
    public Sandbox.SandboxErrorClass ErrorClass { get; init; }
    /// <summary>How many times it happened.</summary>
    public int Count { get; init; } = 1;
    /// <summary>When it last happened.</summary>
    public DateTimeOffset? LastSeen { get; init; }
}
