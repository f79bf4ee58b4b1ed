using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Pages;

/// <summary>The Overview: nodes by health, top findings, the sandbox-error timeline, DaemonSet rollouts, recent changes.</summary>
public partial class Overview
{
    private readonly Loadable<ClusterOverview> _overview = new();
    private readonly Loadable<SandboxErrorReport> _timeline = new();
    private TimelineChart? _chart;
    private TimeSpan _window = TimeSpan.FromHours(1);
    private SandboxGrouping _stack = SandboxGrouping.Plugin;

    /// <summary>The read model.</summary>
    [Inject]
    public required IDashboardQueries Queries { get; init; }

    /// <summary>The clock, for "3 min ago".</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        StartLiveUpdates();
        await Task.WhenAll(LoadOverviewAsync(), LoadTimelineAsync());
    }

    /// <inheritdoc />
    protected override async Task OnChangesAsync(IReadOnlyList<ClusterChange> batch)
    {
        var reloads = new List<Task>(2);
        if (ChangeBatch.TouchesOverview(batch))
        {
            reloads.Add(LoadOverviewAsync());
        }

        if (ChangeBatch.HasSandboxErrors(batch))
        {
            reloads.Add(LoadTimelineAsync());
        }

        await Task.WhenAll(reloads);
    }

    private Task LoadOverviewAsync() => _overview.LoadAsync(Queries.GetOverviewAsync, "the cluster overview", Lifetime);

    private async Task LoadTimelineAsync()
    {
        var query = new SandboxErrorQuery { Window = _window, StackBy = _stack, GroupBy = _stack, Limit = 0 };
        if (await _timeline.LoadAsync(ct => Queries.GetSandboxErrorsAsync(query, ct), "the sandbox-error timeline", Lifetime))
        {
            _chart = TimelineChart.Build(_timeline.Value!.Timeline);
        }
    }

    private async Task SetWindowAsync(TimeSpan window)
    {
        _window = window;
        await LoadTimelineAsync();
    }

    private async Task SetStackAsync(SandboxGrouping stack)
    {
        _stack = stack;
        await LoadTimelineAsync();
    }
}
