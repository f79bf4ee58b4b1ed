namespace CniDashboard.Shared.Dashboard;

/// <summary>
/// Everything the UI and the REST API read, in the problem's terms. The server implements it over
/// the SQLite store and the live cluster state; UI tests implement it with fakes.
/// </summary>
public interface IDashboardQueries
{
    /// <summary>Cluster name, watch health, last poll: the status bar.</summary>
    Task<ConnectionStatus> GetConnectionStatusAsync(CancellationToken cancellationToken);

    /// <summary>The Overview page in one call.</summary>
    Task<ClusterOverview> GetOverviewAsync(CancellationToken cancellationToken);

    /// <summary>One page of nodes, filtered and sorted.</summary>
    Task<NodePage> GetNodesAsync(NodeQuery query, CancellationToken cancellationToken);

    /// <summary>The node groups and rules present, for filter pickers.</summary>
    Task<NodeFacets> GetNodeFacetsAsync(CancellationToken cancellationToken);

    /// <summary>One node in depth, or null when the dashboard has never seen it.</summary>
    Task<NodeDetail?> GetNodeAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>A node's snapshot history, newest first.</summary>
    Task<SnapshotHistory> GetHistoryAsync(string nodeName, int limit, CancellationToken cancellationToken);

    /// <summary>Compares two folders: a node over time, two nodes, or a node against its group's baseline.</summary>
    Task<FolderDiff> GetDiffAsync(DiffRequest request, CancellationToken cancellationToken);

    /// <summary>Sandbox errors, grouped and bucketed.</summary>
    Task<SandboxErrorReport> GetSandboxErrorsAsync(SandboxErrorQuery query, CancellationToken cancellationToken);

    /// <summary>CNI-related DaemonSets and their rollouts.</summary>
    Task<IReadOnlyList<DaemonSetStatus>> GetDaemonSetsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The live change feed: every subscriber gets its own channel of batched changes (≈100 ms), so a
/// burst never floods a circuit and a slow subscriber never slows the others.
/// </summary>
public interface IClusterChangeFeed
{
    /// <summary>Batches of changes from now on, until cancelled.</summary>
    IAsyncEnumerable<IReadOnlyList<ClusterChange>> SubscribeAsync(CancellationToken cancellationToken);
}
