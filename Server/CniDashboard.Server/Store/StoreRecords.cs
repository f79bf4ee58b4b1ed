using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Store;

/// <summary>A changed snapshot to store, with the files that differ from the node's previous one.</summary>
/// <param name="Snapshot">What the agent sent (content already redacted).</param>
/// <param name="ReceivedAt">When the dashboard received it: the snapshot's time in history.</param>
/// <param name="ChangedFiles">Entries added, removed or changed since the previous snapshot (all for the first).</param>
/// <param name="FirstOfNode">True for the node's first snapshot: its files are first seen, not changed.</param>
public sealed record SnapshotWrite(NodeSnapshot Snapshot, DateTimeOffset ReceivedAt, IReadOnlyList<string> ChangedFiles, bool FirstOfNode = false);

/// <summary>A stored snapshot's header.</summary>
public sealed record StoredSnapshot
{
    /// <summary>Row id.</summary>
    public required long Id { get; init; }
    /// <summary>Node.</summary>
    public required string Node { get; init; }
    /// <summary>When the dashboard received it.</summary>
    public required DateTimeOffset TakenAt { get; init; }
    /// <summary>When the agent read the folder.</summary>
    public DateTimeOffset? AgentTakenAt { get; init; }
    /// <summary>Manifest hash (the agent's ETag).</summary>
    public required string ManifestHash { get; init; }
    /// <summary>Primary file then.</summary>
    public string? PrimaryFile { get; init; }
    /// <summary>Whether the node had a working configuration.</summary>
    public PrimaryStatus PrimaryStatus { get; init; }
    /// <summary>Chain then.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];
    /// <summary>Files that changed since the previous snapshot.</summary>
    public IReadOnlyList<string> ChangedFiles { get; init; } = [];
    /// <summary>True for the node's first snapshot: <see cref="ChangedFiles"/> lists files first seen, not changed.</summary>
    public bool FirstOfNode { get; init; }
    /// <summary>The folder's host path.</summary>
    public string? CniDir { get; init; }
    /// <summary>Agent version.</summary>
    public string? AgentVersion { get; init; }
    /// <summary>Blob holding the binaries list as JSON.</summary>
    public string? BinariesKey { get; init; }
    /// <summary>Why binaries were not read.</summary>
    public string? BinariesError { get; init; }
}

/// <summary>A stored snapshot with its entries (content restored from blobs).</summary>
/// <param name="Header">The snapshot.</param>
/// <param name="Files">Entries in byte order of names.</param>
/// <param name="Binaries">Plugin binaries, when known.</param>
public sealed record SnapshotContent(StoredSnapshot Header, IReadOnlyList<CniFolderFile> Files, IReadOnlyList<PluginBinary>? Binaries);

/// <summary>A node's persisted state.</summary>
public sealed record NodeRow
{
    /// <summary>Node name.</summary>
    public required string Name { get; init; }
    /// <summary>First seen.</summary>
    public DateTimeOffset FirstSeenAt { get; init; }
    /// <summary>Agent state.</summary>
    public AgentState AgentState { get; init; } = AgentState.Unknown;
    /// <summary>Stale since.</summary>
    public DateTimeOffset? StaleSince { get; init; }
    /// <summary>Why stale.</summary>
    public string? StaleReason { get; init; }
    /// <summary>Last successful poll.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }
    /// <summary>Agent version.</summary>
    public string? AgentVersion { get; init; }
    /// <summary>Manifest hash of the latest snapshot.</summary>
    public string? ManifestHash { get; init; }
    /// <summary>Latest snapshot id.</summary>
    public long? LatestSnapshotId { get; init; }
    /// <summary>When the files last changed.</summary>
    public DateTimeOffset? LastChangeAt { get; init; }
    /// <summary>Worst open finding.</summary>
    public Severity? WorstSeverity { get; init; }
}

/// <summary>How a node's agent answered, to persist.</summary>
/// <param name="Node">Node.</param>
/// <param name="Status">The new status.</param>
public sealed record AgentStateWrite(string Node, AgentStatus Status);

/// <summary>A stored finding with its open/resolved times.</summary>
public sealed record FindingRecord
{
    /// <summary>Row id.</summary>
    public required long Id { get; init; }
    /// <summary>Node.</summary>
    public required string Node { get; init; }
    /// <summary>The finding as last seen.</summary>
    public required Finding Finding { get; init; }
    /// <summary>When it first appeared.</summary>
    public required DateTimeOffset OpenedAt { get; init; }
    /// <summary>The snapshot it appeared with.</summary>
    public long? OpenedSnapshotId { get; init; }
    /// <summary>When it went away; null while open.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }
    /// <summary>The snapshot it went away with.</summary>
    public long? ResolvedSnapshotId { get; init; }
}

/// <summary>What an analysis changed in a node's findings, written in one transaction with others.</summary>
public sealed record FindingChanges
{
    /// <summary>Node.</summary>
    public required string Node { get; init; }
    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>The snapshot analyzed.</summary>
    public long? SnapshotId { get; init; }
    /// <summary>New findings.</summary>
    public IReadOnlyList<Finding> Opened { get; init; } = [];
    /// <summary>Findings still open whose text or severity changed.</summary>
    public IReadOnlyList<Finding> Updated { get; init; } = [];
    /// <summary>Keys of findings that went away.</summary>
    public IReadOnlyList<string> ResolvedKeys { get; init; } = [];
    /// <summary>The node's worst open severity afterwards.</summary>
    public Severity? WorstSeverity { get; init; }
}

/// <summary>A FailedCreatePodSandBox event as the watcher saw it, parsed and linked.</summary>
public sealed record SandboxEventObservation
{
    /// <summary>Event uid.</summary>
    public required string Uid { get; init; }
    /// <summary>Node.</summary>
    public required string Node { get; init; }
    /// <summary>Pod namespace.</summary>
    public string? Namespace { get; init; }
    /// <summary>Pod name.</summary>
    public string? Pod { get; init; }
    /// <summary>The message (sandbox errors carry no secrets; the store still checks).</summary>
    public required string Message { get; init; }
    /// <summary>The parsed message.</summary>
    public required Shared.Sandbox.SandboxFailure Failure { get; init; }
    /// <summary>The event's count.</summary>
    public required int Count { get; init; }
    /// <summary>First time.</summary>
    public required DateTimeOffset FirstSeen { get; init; }
    /// <summary>Last time.</summary>
    public required DateTimeOffset LastSeen { get; init; }
    /// <summary>The config entry behind it.</summary>
    public ConfigEntryLink? Link { get; init; }
    /// <summary>The snapshot the link was made against.</summary>
    public long? LinkedSnapshotId { get; init; }
}

/// <summary>What storing an observation changed.</summary>
/// <param name="Uid">Event uid.</param>
/// <param name="Node">Node.</param>
/// <param name="Delta">Failures added by this observation (0 for a replay).</param>
/// <param name="IsNew">True the first time the uid is seen.</param>
public sealed record SandboxEventChange(string Uid, string Node, int Delta, bool IsNew);

/// <summary>An aggregated group of sandbox failures in a window.</summary>
public sealed record SandboxAggregate(string Key, int Count, int Nodes, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>What the retention job removed.</summary>
/// <param name="Snapshots">Snapshots deleted.</param>
/// <param name="Blobs">Blobs no longer referenced, deleted.</param>
/// <param name="SandboxEvents">Events deleted.</param>
public sealed record RetentionResult(int Snapshots, int Blobs, int SandboxEvents);
