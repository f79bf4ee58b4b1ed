using CniDashboard.Shared.Fleet;
using CniDashboard.Shared.Remediation;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Pages;

/// <summary>
/// A cluster's remediation plans, to read (<c>/clusters/{id}/remediation</c>). A plan never spans
/// clusters and runs in its own cluster's collector, so another cluster's plans are listed without
/// controls; the dashboard's own cluster's plans are on its live Remediation page.
/// </summary>
public partial class ClusterPlansPage
{
    /// <summary>The cluster's id, from the URL.</summary>
    [Parameter]
    public string Cluster { get; set; } = "";

    /// <inheritdoc />
    protected override string What => $"the plans of cluster {Cluster}";

    /// <inheritdoc />
    protected override string LoadKey => Cluster;

    /// <summary>True for the cluster this dashboard collects itself (its plans are run and controlled here).</summary>
    private bool IsLocal => Fleet?.LocalCluster == Cluster;

    /// <inheritdoc />
    protected override Task<IReadOnlyList<PlanSummary>> QueryAsync(IFleetQueries fleet, CancellationToken cancellationToken) =>
        fleet.GetClusterPlansAsync(Cluster, new PlanListQuery(), cancellationToken);
}
