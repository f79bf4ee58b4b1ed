using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Pages;

/// <summary>One cluster's nodes as its collector stored them, worst first (<c>/clusters/{id}</c>).</summary>
public partial class ClusterNodesPage
{
    /// <summary>The cluster's id, from the URL.</summary>
    [Parameter]
    public string Cluster { get; set; } = "";

    /// <inheritdoc />
    protected override string What => $"cluster {Cluster}";

    /// <inheritdoc />
    protected override string LoadKey => Cluster;

    /// <inheritdoc />
    protected override Task<FleetNodePage?> QueryAsync(IFleetQueries fleet, CancellationToken cancellationToken) => fleet.GetClusterNodesAsync(Cluster, cancellationToken);
}
