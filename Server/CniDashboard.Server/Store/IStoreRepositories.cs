using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Store;

/// <summary>Snapshots of nodes' CNI folders, with content-addressed blobs.</summary>
public interface ISnapshotRepository
{
    /// <summary>
    /// Stores changed snapshots in one transaction (blobs once per content, a header, one row per
    /// entry) and points each node at its new latest snapshot. Returns the new ids in order.
    /// </summary>
    Task<IReadOnlyList<long>> AddAsync(IReadOnlyList<SnapshotWrite> writes, CancellationToken cancellationToken);

    /// <summary>One snapshot of a node, or null.</summary>
    Task<StoredSnapshot?> GetAsync(string node, long id, CancellationToken cancellationToken);

    /// <summary>The snapshot of a node just before <paramref name="beforeId"/>, or null.</summary>
    Task<StoredSnapshot?> GetPreviousAsync(string node, long beforeId, CancellationToken cancellationToken);

    /// <summary>A node's snapshots, newest first.</summary>
    Task<IReadOnlyList<StoredSnapshot>> ListAsync(string node, int limit, CancellationToken cancellationToken);

    /// <summary>A snapshot with its entries and content, or null.</summary>
    Task<SnapshotContent?> GetContentAsync(string node, long id, CancellationToken cancellationToken);

    /// <summary>One entry of a snapshot with its content, or null.</summary>
    Task<CniFolderFile?> GetFileAsync(string node, long id, string name, CancellationToken cancellationToken);

    /// <summary>Every node's latest snapshot with content (start-up).</summary>
    Task<IReadOnlyList<SnapshotContent>> GetLatestForAllNodesAsync(CancellationToken cancellationToken);

    /// <summary>The latest config changes across nodes, newest first.</summary>
    Task<IReadOnlyList<StoredSnapshot>> GetRecentChangesAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>Nodes and their agents' status.</summary>
public interface INodeRepository
{
    /// <summary>Every node ever seen.</summary>
    Task<IReadOnlyList<NodeRow>> GetAllAsync(CancellationToken cancellationToken);

    /// <summary>Persists agent status transitions (one transaction).</summary>
    Task SaveAgentStatesAsync(IReadOnlyList<AgentStateWrite> states, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Findings, open and resolved; never deleted.</summary>
public interface IFindingRepository
{
    /// <summary>Applies the outcome of analyses (one transaction).</summary>
    Task ApplyAsync(IReadOnlyList<FindingChanges> changes, CancellationToken cancellationToken);

    /// <summary>Every open finding.</summary>
    Task<IReadOnlyList<FindingRecord>> GetOpenAsync(CancellationToken cancellationToken);

    /// <summary>A node's findings, newest first, resolved ones too when asked.</summary>
    Task<IReadOnlyList<FindingRecord>> GetForNodeAsync(string node, bool includeResolved, int limit, CancellationToken cancellationToken);
}

/// <summary>FailedCreatePodSandBox events, deduplicated by uid, with their count increments.</summary>
public interface ISandboxEventRepository
{
    /// <summary>Stores observations (one transaction); returns what each added.</summary>
    Task<IReadOnlyList<SandboxEventChange>> UpsertAsync(IReadOnlyList<SandboxEventObservation> observations, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Events seen since a time, newest first, filtered.</summary>
    Task<IReadOnlyList<SandboxErrorView>> GetRecentAsync(DateTimeOffset since, SandboxErrorQuery filter, int limit, CancellationToken cancellationToken);

    /// <summary>Failures since a time grouped by a key, largest first.</summary>
    Task<IReadOnlyList<SandboxAggregate>> GroupAsync(DateTimeOffset since, SandboxErrorQuery filter, SandboxGrouping groupBy, CancellationToken cancellationToken);

    /// <summary>Failures since a time in buckets, per stack key.</summary>
    Task<IReadOnlyList<TimelineBucket>> TimelineAsync(DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, SandboxErrorQuery filter, SandboxGrouping stackBy, CancellationToken cancellationToken);

    /// <summary>Count increments since a time (to warm the in-memory recent counters at start-up).</summary>
    Task<IReadOnlyList<SandboxIncrement>> GetIncrementsAsync(DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>One increase of an event's count.</summary>
/// <param name="Uid">Event uid.</param>
/// <param name="Node">Node.</param>
/// <param name="PluginType">Plugin type.</param>
/// <param name="ErrorClass">Class.</param>
/// <param name="At">When.</param>
/// <param name="Delta">How many failures.</param>
public sealed record SandboxIncrement(string Uid, string Node, string? PluginType, Shared.Sandbox.SandboxErrorClass ErrorClass, DateTimeOffset At, int Delta);

/// <summary>Retention of history.</summary>
public interface IRetentionRepository
{
    /// <summary>
    /// Deletes snapshots (except each node's latest) and sandbox events older than <paramref name="before"/>,
    /// then blobs nothing references, and records the cut-off.
    /// </summary>
    Task<RetentionResult> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Cut-offs recorded so far, by what (<c>snapshots</c>, <c>sandbox_events</c>).</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> GetPrunedBeforeAsync(CancellationToken cancellationToken);
}
