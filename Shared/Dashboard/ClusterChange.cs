using CniDashboard.Shared.Analysis;

namespace CniDashboard.Shared.Dashboard;

/// <summary>Something changed in the cluster's CNI state. Pages re-read what a change touches.</summary>
public sealed record ClusterChange
{
    /// <summary>What happened.</summary>
    public required ClusterChangeKind Kind { get; init; }

    /// <summary>When the dashboard learnt of it.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The node concerned, when one is.</summary>
    public string? Node { get; init; }

    /// <summary>The finding's rule, for finding changes.</summary>
    public string? Rule { get; init; }

    /// <summary>The severity, for finding changes and node state changes (the node's worst).</summary>
    public Severity? Severity { get; init; }

    /// <summary>The remediation plan concerned, for plan changes.</summary>
    public string? Plan { get; init; }

    /// <summary>A line for humans (e.g. the files that changed, the error text).</summary>
    public string? Summary { get; init; }

    /// <summary>
    /// The cluster the change is in when it is not the dashboard's own: a collector's write, relayed
    /// through the shared store (issue 14). Null for the dashboard's own cluster.
    /// </summary>
    public string? Cluster { get; init; }
}

/// <summary>Kinds of change on the feed.</summary>
public enum ClusterChangeKind
{
    /// <summary>A node appeared.</summary>
    NodeAdded,
    /// <summary>A node left the cluster (its history stays).</summary>
    NodeRemoved,
    /// <summary>A node's files, status, or cluster facts changed.</summary>
    NodeChanged,
    /// <summary>A node's agent stopped answering, or answers again.</summary>
    AgentStatusChanged,
    /// <summary>A finding appeared on a node.</summary>
    FindingOpened,
    /// <summary>A finding went away.</summary>
    FindingResolved,
    /// <summary>A FailedCreatePodSandBox event arrived or was counted again.</summary>
    SandboxError,
    /// <summary>A CNI DaemonSet's rollout changed.</summary>
    DaemonSetChanged,
    /// <summary>A watch or the poller changed health.</summary>
    ConnectionChanged,
    /// <summary>A remediation plan changed (state, a node's step, an approval); <see cref="ClusterChange.Plan"/> names it, <see cref="ClusterChange.Node"/> the node when a step moved.</summary>
    PlanChanged,
    /// <summary>Changes were dropped because this subscriber fell behind: re-read everything.</summary>
    Resync,
}
