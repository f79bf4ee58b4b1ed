using CniDashboard.Client.Model;
using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CniDashboard.Client.Components.Pages;

/// <summary>The fleet overview: every cluster in the shared store, worst first, and findings across clusters.</summary>
public partial class FleetOverviewPage
{
    private readonly Loadable<FleetOverview> _overview = new();
    private IFleetQueries? _fleet;

    /// <summary>The services: the fleet queries are optional.</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>The clock, for "3 min ago".</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <inheritdoc />
    protected override Task OnInitializedAsync()
    {
        _fleet = Services.GetService<IFleetQueries>();
        return LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (_fleet is null) return;
        await _overview.LoadAsync(_fleet.GetOverviewAsync, "the fleet", CancellationToken.None);
    }
}
