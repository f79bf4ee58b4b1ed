using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Shared.Dashboard;

/// <summary>The Node detail page.</summary>
public sealed record NodeDetail
{
    /// <summary>The row as on the Nodes page.</summary>
    public required NodeSummary Summary { get; init; }

    /// <summary>The snapshot shown (the latest), or null when the node was never polled.</summary>
    public long? SnapshotId { get; init; }

    /// <summary>When that snapshot was taken.</summary>
    public DateTimeOffset? SnapshotAt { get; init; }

    /// <summary>Every entry of the CNI folder, in the runtime's order.</summary>
    public IReadOnlyList<NodeFileView> Files { get; init; } = [];

    /// <summary>The primary's plugins in ADD order, each with the worst finding on it.</summary>
    public IReadOnlyList<ChainEntry> Chain { get; init; } = [];

    /// <summary>Open findings, worst first.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];

    /// <summary>Sandbox errors on this node, newest first, each linked to the chain entry and finding behind it.</summary>
    public IReadOnlyList<SandboxErrorView> SandboxErrors { get; init; } = [];

    /// <summary>CNI pods on the node.</summary>
    public IReadOnlyList<NodePod> Pods { get; init; } = [];

    /// <summary>Node labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>One entry of the folder as the UI shows it.</summary>
public sealed record NodeFileView
{
    /// <summary>The entry as the agent reported it (content redacted).</summary>
    public required CniFolderFile File { get; init; }
    /// <summary>True for the file the runtime loads.</summary>
    public bool IsPrimary { get; init; }
    /// <summary>Why the runtime skips it, for ignored entries.</summary>
    public string? IgnoredReason { get; init; }
    /// <summary>Why a config does not load, when it does not.</summary>
    public ConfigLoadError? LoadError { get; init; }
    /// <summary>Kubeconfig facts (token claims, never the token).</summary>
    public KubeconfigFacts? Kubeconfig => File.Kubeconfig;
}

/// <summary>A plugin of the primary chain, for drawing the chain.</summary>
public sealed record ChainEntry
{
    /// <summary>0-based position.</summary>
    public required int Index { get; init; }
    /// <summary>Plugin type.</summary>
    public required string Type { get; init; }
    /// <summary>Plugin name, when set.</summary>
    public string? Name { get; init; }
    /// <summary>The file it is in.</summary>
    public required string File { get; init; }
    /// <summary>Its pointer in that file.</summary>
    public required string JsonPointer { get; init; }
    /// <summary>The worst open finding on this plugin.</summary>
    public Severity? Severity { get; init; }
    /// <summary>Sandbox failures in the last hour naming this plugin type.</summary>
    public int SandboxErrorsLastHour { get; init; }
}

/// <summary>A CNI pod on a node.</summary>
public sealed record NodePod
{
    /// <summary>Namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>Owning DaemonSet.</summary>
    public string? DaemonSet { get; init; }
    /// <summary>Image.</summary>
    public string? Image { get; init; }
    /// <summary>Phase.</summary>
    public string? Phase { get; init; }
    /// <summary>Ready.</summary>
    public bool Ready { get; init; }
    /// <summary>Started at.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>A node's snapshots, newest first.</summary>
public sealed record SnapshotHistory
{
    /// <summary>Snapshots in which something changed, newest first.</summary>
    public IReadOnlyList<SnapshotSummary> Snapshots { get; init; } = [];
    /// <summary>Snapshots before this time were removed by retention.</summary>
    public DateTimeOffset? PrunedBefore { get; init; }
}

/// <summary>One stored snapshot.</summary>
public sealed record SnapshotSummary
{
    /// <summary>Snapshot id.</summary>
    public required long Id { get; init; }
    /// <summary>When it was taken.</summary>
    public required DateTimeOffset TakenAt { get; init; }
    /// <summary>The manifest hash.</summary>
    public required string ManifestHash { get; init; }
    /// <summary>The primary file then.</summary>
    public string? PrimaryFile { get; init; }
    /// <summary>The chain then.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];
    /// <summary>Files that differ from the previous snapshot (all files for the first).</summary>
    public IReadOnlyList<string> ChangedFiles { get; init; } = [];
}
