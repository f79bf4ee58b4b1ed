using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Options;
using CniDashboard.Server.Polling;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Shared.Dashboard;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Queries;

/// <summary>
/// The read model of a cluster this dashboard does not collect (issue 14): the rows its collector
/// stored, read through the same repositories (scoped to that cluster), the same
/// <see cref="FleetLoader"/> and the same <see cref="DashboardQueries"/> the dashboard's own cluster
/// uses — only the memory they work on is built per call from the store instead of kept live. What
/// the store does not hold (the cluster's node labels and groups, its CNI pods and DaemonSets, its
/// watches) is empty: only that cluster's collector sees its API server.
/// </summary>
public sealed class StoredClusterQueries(StoreCluster cluster, IStoreConnectionFactory connections, TimeProvider time, IOptions<DashboardOptions> options) : IDashboardQueries
{
    /// <summary>The cluster whose rows this reads.</summary>
    public string Cluster => cluster.Id;

    /// <inheritdoc />
    public async Task<ConnectionStatus> GetConnectionStatusAsync(CancellationToken cancellationToken)
    {
        var view = await LoadAsync(null, cancellationToken);
        return new ConnectionStatus { ClusterName = cluster.Id, LastPollAt = view.Fleet.All.Select(n => n.Agent.LastSeenAt).Max() };
    }

    /// <inheritdoc />
    public async Task<ClusterOverview> GetOverviewAsync(CancellationToken cancellationToken) =>
        await (await LoadAsync(null, cancellationToken)).Queries.GetOverviewAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<NodePage> GetNodesAsync(NodeQuery query, CancellationToken cancellationToken) =>
        await (await LoadAsync(null, cancellationToken)).Queries.GetNodesAsync(query, cancellationToken);

    /// <inheritdoc />
    public async Task<NodeFacets> GetNodeFacetsAsync(CancellationToken cancellationToken) =>
        await (await LoadAsync(null, cancellationToken)).Queries.GetNodeFacetsAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<NodeDetail?> GetNodeAsync(string nodeName, CancellationToken cancellationToken)
    {
        var view = await LoadAsync([nodeName], cancellationToken);
        // A node this cluster's collector never stored is unknown here, even if another cluster has one of that name.
        return view.Fleet.Get(nodeName) is null ? null : await view.Queries.GetNodeAsync(nodeName, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<SnapshotHistory> GetHistoryAsync(string nodeName, int limit, CancellationToken cancellationToken) =>
        await (await LoadAsync([], cancellationToken)).Queries.GetHistoryAsync(nodeName, limit, cancellationToken);

    /// <inheritdoc />
    public async Task<FolderDiff> GetDiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var nodes = new[] { request.Left.Node, request.Right.Node }.OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        return await (await LoadAsync(nodes, cancellationToken)).Queries.GetDiffAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<SandboxErrorReport> GetSandboxErrorsAsync(SandboxErrorQuery query, CancellationToken cancellationToken) =>
        await (await LoadAsync([], cancellationToken)).Queries.GetSandboxErrorsAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<DaemonSetStatus>> GetDaemonSetsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DaemonSetStatus>>([]);

    /// <summary>
    /// The cluster's state in memory for one call: <paramref name="nodes"/>' agent status, latest
    /// files and open findings (every node when null), and the last hour's sandbox failures.
    /// </summary>
    private async Task<(FleetState Fleet, DashboardQueries Queries)> LoadAsync(IReadOnlyCollection<string>? nodes, CancellationToken cancellationToken)
    {
        var fleet = new FleetState();
        var activity = new SandboxActivity(time, options);
        var facts = new ClusterState(time);
        var snapshots = new SnapshotRepository(connections, cluster);
        var sandboxEvents = new SandboxEventRepository(connections, cluster);
        var loader = new FleetLoader(new NodeRepository(connections, cluster), snapshots, new FindingRepository(connections, cluster), sandboxEvents, fleet, activity, time);
        if (nodes is null) await loader.LoadAllAsync(cancellationToken);
        else
        {
            await loader.RefreshNodesAsync(nodes, cancellationToken);
            await loader.ReloadSandboxActivityAsync(cancellationToken);
        }

        var queries = new DashboardQueries(
            new NodeSummaries(facts, fleet, activity, time), fleet, facts, activity, new WatchHealthRegistry(time), new PollerStatus(),
            snapshots, sandboxEvents, new RetentionRepository(connections, cluster), new FolderDiffer(fleet, facts, snapshots), time, options);
        return (fleet, queries);
    }
}
