using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Pages;

/// <summary>Sandbox errors grouped by class, plugin or node, with a timeline; window and grouping in the URL.</summary>
public partial class SandboxErrors
{
    private static readonly SandboxGrouping[] Groupings = [SandboxGrouping.ErrorClass, SandboxGrouping.Plugin, SandboxGrouping.Node];

    private readonly Loadable<SandboxErrorReport> _report = new();
    private SandboxErrorFilter? _filterLoaded;
    private SandboxErrorFilter _filter = new();
    private TimelineChart? _chart;

    /// <summary>The read model.</summary>
    [Inject]
    public required IDashboardQueries Queries { get; init; }

    /// <summary>Navigation, for writing filters to the URL.</summary>
    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>The clock.</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <summary>Window (<c>?window=1h|24h|7d</c>).</summary>
    [SupplyParameterFromQuery(Name = SandboxErrorFilter.Keys.Window)]
    public string? Window { get; set; }

    /// <summary>Grouping (<c>?group=class|plugin|node</c>).</summary>
    [SupplyParameterFromQuery(Name = SandboxErrorFilter.Keys.GroupBy)]
    public string? GroupBy { get; set; }

    /// <summary>Timeline stacking (<c>?stack=class|plugin|node</c>).</summary>
    [SupplyParameterFromQuery(Name = SandboxErrorFilter.Keys.StackBy)]
    public string? StackBy { get; set; }

    /// <summary>Only this node (<c>?node=</c>).</summary>
    [SupplyParameterFromQuery(Name = SandboxErrorFilter.Keys.Node)]
    public string? Node { get; set; }

    /// <summary>Only this plugin type (<c>?plugin=</c>).</summary>
    [SupplyParameterFromQuery(Name = SandboxErrorFilter.Keys.Plugin)]
    public string? Plugin { get; set; }

    /// <summary>Only this error class (<c>?class=</c>).</summary>
    [SupplyParameterFromQuery(Name = SandboxErrorFilter.Keys.ErrorClass)]
    public string? ErrorClass { get; set; }

    /// <inheritdoc />
    protected override void OnInitialized() => StartLiveUpdates();

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        _filter = SandboxErrorFilter.FromQuery(Window, GroupBy, StackBy, Node, Plugin, ErrorClass);
        if (_filter != _filterLoaded)
        {
            await LoadAsync();
        }
    }

    /// <inheritdoc />
    protected override async Task OnChangesAsync(IReadOnlyList<ClusterChange> batch)
    {
        if (ChangeBatch.HasSandboxErrors(batch))
        {
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        var filter = _filter;
        _filterLoaded = filter;
        if (await _report.LoadAsync(ct => Queries.GetSandboxErrorsAsync(filter.ToQuery(), ct), "the sandbox errors", Lifetime))
        {
            _chart = TimelineChart.Build(_report.Value!.Timeline);
        }
    }

    private void Navigate(SandboxErrorFilter filter) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(filter.ToQueryParameters()));

    private SandboxErrorFilter Narrowed(string key) => _filter.GroupBy switch
    {
        SandboxGrouping.Plugin => _filter with { PluginType = key },
        SandboxGrouping.Node => _filter with { Node = key },
        _ => _filter with { ErrorClass = Enum.TryParse<SandboxErrorClass>(key, out var c) ? c : null },
    };
}
