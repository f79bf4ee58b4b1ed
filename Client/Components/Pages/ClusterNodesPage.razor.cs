using CniDashboard.Client.Model;
using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CniDashboard.Client.Components.Pages;

/// <summary>One cluster's nodes as its collector stored them, worst first (<c>/clusters/{id}</c>).</summary>
public partial class ClusterNodesPage
{
    private readonly Loadable<FleetNodePage?> _page = new();
    private IFleetQueries? _fleet;

    /// <summary>The cluster's id, from the URL.</summary>
    [Parameter]
    public string Cluster { get; set; } = "";

    /// <summary>The services: the fleet queries are optional.</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>The clock, for "3 min ago".</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <inheritdoc />
    protected override Task OnParametersSetAsync()
    {
        _fleet = Services.GetService<IFleetQueries>();
        return LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (_fleet is null) return;
        await _page.LoadAsync(ct => _fleet.GetClusterNodesAsync(Cluster, ct), $"cluster {Cluster}", CancellationToken.None);
    }
}
