using CniDashboard.Server.Options;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;
using CniDashboard.Shared.Remediation;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Queries;

/// <summary>
/// The fleet view, read from the store that every cluster's collector writes into: this dashboard's
/// own cluster is one of them (always listed, even before its first node), the others are whatever
/// the store holds rows for. A node of another cluster is read from its collector's rows
/// (<see cref="StoredClusterQueries"/>), its plans likewise, to read only.
/// </summary>
public sealed class FleetQueries(
    FleetRepository fleet,
    StoreCluster local,
    IOptions<DashboardOptions> options,
    IStoreConnectionFactory connections,
    TimeProvider time,
    IDashboardQueries? live = null) : IFleetQueries
{
    /// <inheritdoc />
    public string LocalCluster => local.Id;

    /// <inheritdoc />
    public async Task<FleetOverview> GetOverviewAsync(CancellationToken cancellationToken)
    {
        var clusters = (await fleet.GetClustersAsync(cancellationToken)).Select(Mark).ToList();
        if (!clusters.Any(c => c.IsLocal)) clusters.Add(new ClusterHealth { Id = local.Id, IsLocal = true });
        var findings = await fleet.GetOpenFindingsAsync(cancellationToken);
        return new FleetOverview
        {
            Clusters = FleetRanking.WorstFirst(clusters),
            Findings = FleetRanking.Findings(findings),
        };
    }

    /// <inheritdoc />
    public async Task<FleetNodePage?> GetClusterNodesAsync(string cluster, CancellationToken cancellationToken)
    {
        if (!ClusterId.IsValid(cluster)) return null;
        var health = await fleet.GetClusterAsync(cluster, cancellationToken);
        if (health is null)
        {
            return cluster == local.Id ? new FleetNodePage { Cluster = new ClusterHealth { Id = local.Id, IsLocal = true }, Nodes = [] } : null;
        }

        var cap = options.Value.Queries.MaxPageSize;
        var nodes = await fleet.GetNodesAsync(cluster, cap, cancellationToken);
        return new FleetNodePage { Cluster = Mark(health), Nodes = nodes, Truncated = health.Nodes > nodes.Count };
    }

    /// <inheritdoc />
    public IDashboardQueries? QueriesFor(string cluster)
    {
        if (!ClusterId.IsValid(cluster)) return null;
        // The own cluster's pages are live (from memory, as the unprefixed ones); without them (a test) it is read like the others.
        return cluster == local.Id && live is not null ? live : new StoredClusterQueries(new StoreCluster(cluster), connections, time, options);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PlanSummary>> GetClusterPlansAsync(string cluster, PlanListQuery query, CancellationToken cancellationToken)
    {
        if (!ClusterId.IsValid(cluster)) return [];
        return await new PlanRepository(connections, new StoreCluster(cluster)).ListAsync(query, cancellationToken);
    }

    private ClusterHealth Mark(ClusterHealth cluster) => cluster with { IsLocal = cluster.Id == local.Id };
}
