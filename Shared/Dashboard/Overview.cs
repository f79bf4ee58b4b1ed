using CniDashboard.Shared.Analysis;

namespace CniDashboard.Shared.Dashboard;

/// <summary>The status bar: which cluster, and whether the dashboard's view of it is current.</summary>
public sealed record ConnectionStatus
{
    /// <summary>The cluster's display name.</summary>
    public required string ClusterName { get; init; }

    /// <summary>Each Kubernetes watch and its health.</summary>
    public IReadOnlyList<WatchHealth> Watches { get; init; } = [];

    /// <summary>When the last agent poll round finished.</summary>
    public DateTimeOffset? LastPollAt { get; init; }

    /// <summary>The poll interval.</summary>
    public TimeSpan PollInterval { get; init; }

    /// <summary>The replica that answered, when several share the store (null with one replica).</summary>
    public string? Replica { get; init; }

    /// <summary>The replica that leads (fetches agents, analyzes, runs remediation), when several share the store; null while none is known.</summary>
    public string? Leader { get; init; }

    /// <summary>True when every watch is up.</summary>
    public bool Healthy => Watches.All(w => w.Healthy);
}

/// <summary>One watch of the Kubernetes API.</summary>
/// <param name="Resource">What is watched (nodes, pods, events, daemonsets).</param>
/// <param name="Healthy">True while the watch is connected.</param>
/// <param name="Since">Since when it has been in this state.</param>
/// <param name="Error">The last error, when down.</param>
public sealed record WatchHealth(string Resource, bool Healthy, DateTimeOffset Since, string? Error);

/// <summary>The Overview page.</summary>
public sealed record ClusterOverview
{
    /// <summary>Nodes by health.</summary>
    public required HealthSummary Health { get; init; }

    /// <summary>The findings on the most nodes, worst first.</summary>
    public IReadOnlyList<FindingSummary> TopFindings { get; init; } = [];

    /// <summary>CNI DaemonSets and their rollouts.</summary>
    public IReadOnlyList<DaemonSetStatus> DaemonSets { get; init; } = [];

    /// <summary>The latest config changes on nodes, newest first.</summary>
    public IReadOnlyList<ConfigChange> RecentChanges { get; init; } = [];

    /// <summary>Sandbox errors in the last hour.</summary>
    public int SandboxErrorsLastHour { get; init; }
}

/// <summary>How many nodes are in each state. A stale node also counts in its last known severity.</summary>
public sealed record HealthSummary(int Total, int Ok, int Warning, int Critical, int Stale);

/// <summary>A rule and how many nodes it fires on.</summary>
public sealed record FindingSummary
{
    /// <summary>The rule id.</summary>
    public required string Rule { get; init; }
    /// <summary>The worst severity it has on any node.</summary>
    public required Severity Severity { get; init; }
    /// <summary>A representative message (one node's, naming that node's files and pods).</summary>
    public required string Message { get; init; }
    /// <summary>What the rule checks, in a line, true of every affected node; null for a rule the analyzer does not know.</summary>
    public string? Title { get; init; }
    /// <summary>The node <see cref="Message"/> was taken from.</summary>
    public string? MessageNode { get; init; }
    /// <summary>How many nodes have it open.</summary>
    public required int AffectedNodes { get; init; }
    /// <summary>A few of those nodes.</summary>
    public IReadOnlyList<string> SampleNodes { get; init; } = [];
}

/// <summary>A CNI DaemonSet and its rollout.</summary>
public sealed record DaemonSetStatus
{
    /// <summary>Namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>The image of the current template.</summary>
    public string? Image { get; init; }
    /// <summary>Nodes that should run it.</summary>
    public int Desired { get; init; }
    /// <summary>Nodes running the current template.</summary>
    public int Updated { get; init; }
    /// <summary>Nodes where it is Ready.</summary>
    public int Ready { get; init; }
    /// <summary>Nodes where it is available.</summary>
    public int Available { get; init; }
    /// <summary>True when a rollout is in progress (updated or ready below desired).</summary>
    public bool RollingOut => Updated < Desired || Ready < Desired;
    /// <summary>True when the rollout has made no progress for longer than the stuck threshold.</summary>
    public bool Stuck { get; init; }
    /// <summary>Nodes where its pod is not Ready.</summary>
    public IReadOnlyList<string> NotReadyNodes { get; init; } = [];
}

/// <summary>A change of a node's CNI files.</summary>
public sealed record ConfigChange
{
    /// <summary>The node.</summary>
    public required string Node { get; init; }
    /// <summary>When the dashboard saw it.</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>The snapshot that holds the new state.</summary>
    public required long SnapshotId { get; init; }
    /// <summary>Files added, removed or changed; for a first snapshot, every file then.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
    /// <summary>True for the node's first snapshot: its files were first seen then, not changed.</summary>
    public bool FirstSeen { get; init; }
    /// <summary>A line, e.g. <c>05-cilium.conflist: linkerd-cni removed at position 4</c>.</summary>
    public string? Summary { get; init; }
}
