using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Dashboard;

/// <summary>Filters, sort and paging for the Nodes page (all of it fits in a shareable URL).</summary>
public sealed record NodeQuery
{
    /// <summary>Substring of node name, node group, primary file or a chain plugin.</summary>
    public string? Search { get; init; }
    /// <summary>Only nodes whose worst finding has this severity.</summary>
    public Severity? Severity { get; init; }
    /// <summary>Only nodes without any warning or critical finding.</summary>
    public bool? OnlyHealthy { get; init; }
    /// <summary>Only this node group.</summary>
    public string? NodeGroup { get; init; }
    /// <summary>Only nodes with an open finding of this rule.</summary>
    public string? Rule { get; init; }
    /// <summary>Only nodes whose agent is stale (true) or current (false).</summary>
    public bool? Stale { get; init; }
    /// <summary>The column to sort by.</summary>
    public NodeSort Sort { get; init; } = NodeSort.Severity;
    /// <summary>Sort descending.</summary>
    public bool Descending { get; init; } = true;
    /// <summary>Rows to skip.</summary>
    public int Offset { get; init; }
    /// <summary>Rows to return (capped by the server).</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>Sortable columns of the Nodes page.</summary>
public enum NodeSort
{
    /// <summary>Worst finding, then sandbox errors, then name.</summary>
    Severity,
    /// <summary>Node name.</summary>
    Name,
    /// <summary>Node group.</summary>
    NodeGroup,
    /// <summary>Sandbox errors in the last hour.</summary>
    SandboxErrors,
    /// <summary>Last config change.</summary>
    LastChange,
}

/// <summary>A page of nodes.</summary>
/// <param name="Items">The rows.</param>
/// <param name="Total">Rows matching the filters, over all pages.</param>
public sealed record NodePage(IReadOnlyList<NodeSummary> Items, int Total);

/// <summary>Values present in the data, for filter pickers.</summary>
/// <param name="NodeGroups">Node groups.</param>
/// <param name="Rules">Rules with open findings.</param>
public sealed record NodeFacets(IReadOnlyList<string> NodeGroups, IReadOnlyList<string> Rules);

/// <summary>A row of the Nodes page.</summary>
public sealed record NodeSummary
{
    /// <summary>Node name.</summary>
    public required string Name { get; init; }
    /// <summary>Node group (from <c>eks.amazonaws.com/nodegroup</c> or similar labels).</summary>
    public string? NodeGroup { get; init; }
    /// <summary>OS image.</summary>
    public string? OsImage { get; init; }
    /// <summary>Instance type.</summary>
    public string? InstanceType { get; init; }
    /// <summary>Kubelet version.</summary>
    public string? KubeletVersion { get; init; }
    /// <summary>True when cordoned.</summary>
    public bool Unschedulable { get; init; }
    /// <summary>The node's NetworkReady/Ready condition says the network is up.</summary>
    public bool? NetworkReady { get; init; }
    /// <summary>The file the runtime loads.</summary>
    public string? PrimaryFile { get; init; }
    /// <summary>Whether that file loads.</summary>
    public PrimaryStatus? PrimaryStatus { get; init; }
    /// <summary>Plugin types in ADD order.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];
    /// <summary>The worst open finding's severity; null when there is none.</summary>
    public Severity? WorstSeverity { get; init; }
    /// <summary>The worst open finding's rule.</summary>
    public string? WorstRule { get; init; }
    /// <summary>The worst open finding's message.</summary>
    public string? WorstMessage { get; init; }
    /// <summary>Open findings at warning or above.</summary>
    public int FindingCount { get; init; }
    /// <summary>Sandbox failures in the last hour (summing event counts).</summary>
    public int SandboxErrorsLastHour { get; init; }
    /// <summary>Pods stuck in ContainerCreating.</summary>
    public int PodsStuckCreating { get; init; }
    /// <summary>Whether the dashboard's copy of the node's files is current.</summary>
    public required AgentStatus Agent { get; init; }
    /// <summary>When the files last changed.</summary>
    public DateTimeOffset? LastChangeAt { get; init; }
}

/// <summary>Whether the dashboard can read a node's files now.</summary>
public sealed record AgentStatus
{
    /// <summary>Current, stale, or never reached.</summary>
    public required AgentState State { get; init; }
    /// <summary>Since when it has been stale.</summary>
    public DateTimeOffset? StaleSince { get; init; }
    /// <summary>Why (timeout, connection refused, 401, no agent pod…).</summary>
    public string? Reason { get; init; }
    /// <summary>The last successful poll.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }
    /// <summary>The agent's version.</summary>
    public string? Version { get; init; }
    /// <summary>
    /// Stale although the agent answered when last asked: its files were read, but changes may not
    /// be announced (its pod is not Ready, or its announcements stopped arriving), so they are seen late.
    /// </summary>
    public bool Answers { get; init; }
}

/// <summary>Whether the dashboard's copy of a node's files is current.</summary>
public enum AgentState
{
    /// <summary>Polled successfully in the last round.</summary>
    Current,
    /// <summary>The agent stopped answering, or its changes are no longer announced; the last known state is shown.</summary>
    Stale,
    /// <summary>Never polled successfully.</summary>
    Unknown,
}
