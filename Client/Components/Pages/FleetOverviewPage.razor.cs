using CniDashboard.Shared.Fleet;

namespace CniDashboard.Client.Components.Pages;

/// <summary>The fleet overview: every cluster in the shared store, worst first, and findings across clusters.</summary>
public partial class FleetOverviewPage
{
    /// <inheritdoc />
    protected override string What => "the fleet";

    /// <inheritdoc />
    protected override Task<FleetOverview> QueryAsync(IFleetQueries fleet, CancellationToken cancellationToken) => fleet.GetOverviewAsync(cancellationToken);
}
