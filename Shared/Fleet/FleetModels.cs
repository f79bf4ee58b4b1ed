using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Shared.Fleet;

/// <summary>One cluster of the fleet as the store has it: how many of its nodes are in which state.</summary>
public sealed record ClusterHealth
{
    /// <summary>The cluster's id (<see cref="ClusterId"/>).</summary>
    public required string Id { get; init; }

    /// <summary>Nodes the cluster's collector has seen.</summary>
    public int Nodes { get; init; }

    /// <summary>Nodes whose worst open finding is critical.</summary>
    public int Critical { get; init; }

    /// <summary>Nodes whose worst open finding is a warning.</summary>
    public int Warning { get; init; }

    /// <summary>Nodes whose agent stopped answering (their last known state is what the store has).</summary>
    public int Stale { get; init; }

    /// <summary>The newest config change the collector stored, or null.</summary>
    public DateTimeOffset? LastChangeAt { get; init; }

    /// <summary>True for the cluster this dashboard collects itself (its pages are live, not read from the store).</summary>
    public bool IsLocal { get; init; }

    /// <summary>The worst state of any node: critical, then warning, then stale, else null (healthy).</summary>
    public Severity? Worst => Critical > 0 ? Severity.Critical : Warning > 0 ? Severity.Warning : null;
}

/// <summary>A finding rule's spread across the fleet: "mesh-token-pod-gone on 3 nodes in prod-eu-1, 40 in prod-us-2".</summary>
public sealed record FleetFinding
{
    /// <summary>The analyzer rule.</summary>
    public required string Rule { get; init; }

    /// <summary>The worst severity it has anywhere.</summary>
    public Severity Severity { get; init; }

    /// <summary>Per cluster, how many nodes have it open, most first.</summary>
    public required IReadOnlyList<ClusterNodeCount> Clusters { get; init; }

    /// <summary>Nodes with it open, over the fleet.</summary>
    public int TotalNodes => Clusters.Sum(c => c.Nodes);
}

/// <summary>How many nodes of one cluster something applies to.</summary>
/// <param name="Cluster">The cluster's id.</param>
/// <param name="Nodes">How many nodes.</param>
public sealed record ClusterNodeCount(string Cluster, int Nodes);

/// <summary>The fleet at a glance: the worst clusters first, and findings across clusters.</summary>
public sealed record FleetOverview
{
    /// <summary>Every cluster in the store, worst first (<see cref="FleetRanking.WorstFirst"/>).</summary>
    public required IReadOnlyList<ClusterHealth> Clusters { get; init; }

    /// <summary>Open findings by rule across clusters, worst and widest first.</summary>
    public required IReadOnlyList<FleetFinding> Findings { get; init; }
}

/// <summary>One node of a cluster as the store has it (what a cluster's Nodes page lists from the store).</summary>
public sealed record FleetNode
{
    /// <summary>Node name.</summary>
    public required string Name { get; init; }

    /// <summary>Its agent's state.</summary>
    public AgentState Agent { get; init; }

    /// <summary>Its worst open finding's severity, or null.</summary>
    public Severity? WorstSeverity { get; init; }

    /// <summary>When its folder last changed, or null.</summary>
    public DateTimeOffset? LastChangeAt { get; init; }

    /// <summary>The rules of its open findings.</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];
}

/// <summary>A cluster's nodes from the store, worst first, capped.</summary>
public sealed record FleetNodePage
{
    /// <summary>The cluster.</summary>
    public required ClusterHealth Cluster { get; init; }

    /// <summary>The nodes shown, worst first then by name.</summary>
    public required IReadOnlyList<FleetNode> Nodes { get; init; }

    /// <summary>True when the cap cut the list (<see cref="ClusterHealth.Nodes"/> says how many there are).</summary>
    public bool Truncated { get; init; }
}

/// <summary>The fleet as the UI and the API read it: every cluster whose collector writes into the shared store.</summary>
public interface IFleetQueries
{
    /// <summary>The cluster this dashboard collects itself (<c>Dashboard:Cluster:Id</c>).</summary>
    string LocalCluster { get; }

    /// <summary>Every cluster, worst first, and findings across clusters.</summary>
    Task<FleetOverview> GetOverviewAsync(CancellationToken cancellationToken);

    /// <summary>One cluster's nodes from the store, worst first; null for a cluster the store does not know.</summary>
    Task<FleetNodePage?> GetClusterNodesAsync(string cluster, CancellationToken cancellationToken);

    /// <summary>
    /// The node pages' read model (detail, history, diffs) for one cluster: the live one for
    /// <see cref="LocalCluster"/>, the rows its collector stored for any other; null for an id that is
    /// not a cluster id. A node the cluster does not have is null from its <c>GetNodeAsync</c>.
    /// </summary>
    IDashboardQueries? QueriesFor(string cluster);

    /// <summary>
    /// A cluster's remediation plans, newest first, to read: a plan never spans clusters, and only the
    /// cluster's own collector (or dashboard) runs it. Empty for a cluster without plans or an invalid id.
    /// </summary>
    Task<IReadOnlyList<PlanSummary>> GetClusterPlansAsync(string cluster, PlanListQuery query, CancellationToken cancellationToken);
}
