using System.Globalization;
using CniDashboard.Client.Model;
using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CniDashboard.Client.Components.Layout;

/// <summary>
/// Picks the cluster the pages show: each cluster in the store (worst first, with its critical count),
/// or all of them (the fleet overview). The current choice follows the URL, so a shared link shows the
/// same cluster to whoever opens it.
/// </summary>
public partial class ClusterSwitcher : IDisposable
{
    /// <summary>The select's value for the fleet overview (not a valid cluster id, so it never collides with one).</summary>
    public const string FleetValue = "*";

    private FleetOverview? _overview;
    private IFleetQueries? _fleet;

    /// <summary>The services: the fleet queries are optional (a host without a shared store has none).</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>Where the switcher navigates, and what the current page is.</summary>
    [Inject]
    public required NavigationManager Navigation { get; init; }

    private string SelectedValue =>
        _fleet is null ? FleetValue : ClusterLinks.Selected(Navigation.ToBaseRelativePath(Navigation.Uri), _fleet.LocalCluster) ?? FleetValue;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        _fleet = Services.GetService<IFleetQueries>();
        Navigation.LocationChanged += OnLocationChanged;
        if (_fleet is null) return;
        try
        {
            _overview = await _fleet.GetOverviewAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The switcher is a convenience: without the fleet it stays hidden, and the pages say what failed.
            _overview = null;
        }
    }

    /// <summary>The text of a cluster's option: id, then what is wrong there, if anything.</summary>
    public static string OptionText(ClusterHealth cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var state = cluster.Critical > 0 ? string.Create(CultureInfo.InvariantCulture, $"{cluster.Critical} critical")
            : cluster.Warning > 0 ? string.Create(CultureInfo.InvariantCulture, $"{cluster.Warning} warning")
            : cluster.Stale > 0 ? string.Create(CultureInfo.InvariantCulture, $"{cluster.Stale} stale")
            : "ok";
        return $"{cluster.Id}{(cluster.IsLocal ? " (this dashboard)" : "")} · {state}";
    }

    private void OnChange(ChangeEventArgs e)
    {
        if (_fleet is null || e.Value is not string value) return;
        Navigation.NavigateTo(value == FleetValue ? ClusterLinks.Fleet : ClusterLinks.Target(value, _fleet.LocalCluster));
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => InvokeAsync(StateHasChanged);

    /// <inheritdoc />
    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        GC.SuppressFinalize(this);
    }
}
