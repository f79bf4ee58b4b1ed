using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CniDashboard.Client.Components.Pages;

/// <summary>The Overview: nodes by health, top findings, the sandbox-error timeline, DaemonSet rollouts, recent changes.</summary>
public partial class Overview
{
    private readonly Loadable<ClusterOverview> _overview = new();
    private readonly Loadable<SandboxErrorReport> _timeline = new();
    private readonly Loadable<NodePage> _agentsDown = new();
    private TimelineChart? _chart;
    private NodesBeingFixed _fixing = NodesBeingFixed.None;
    private IRemediationService? _remediation;
    private TimeSpan _window = TimeSpan.FromHours(1);
    private SandboxGrouping _stack = SandboxGrouping.Plugin;

    /// <summary>The read model.</summary>
    [Inject]
    public required IDashboardQueries Queries { get; init; }

    /// <summary>The services, for remediation when the host offers it (it is an extra here).</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>The clock, for "3 min ago".</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        _remediation = Services.GetService<IRemediationService>();
        StartLiveUpdates();
        await Task.WhenAll(LoadOverviewAsync(), LoadTimelineAsync(), LoadFixingAsync());
    }

    /// <inheritdoc />
    protected override async Task OnChangesAsync(IReadOnlyList<ClusterChange> batch)
    {
        var reloads = new List<Task>(3);
        if (ChangeBatch.TouchesPlans(batch))
        {
            reloads.Add(LoadFixingAsync());
        }

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

    /// <summary>
    /// Nodes whose agent is not current: stale ones (last known state shown) and ones never reached. The count is what
    /// the tile's link shows (the Nodes page's agent filter); the overview's own count has only the stale ones.
    /// </summary>
    private int AgentsDown(ClusterOverview overview) => _agentsDown.Value?.Total ?? overview.Health.Stale;

    /// <summary>Nodes whose files were never read: no finding can exist for them, so "OK" and the findings do not cover them.</summary>
    private int NeverRead(ClusterOverview overview) =>
        _agentsDown.Value is { } down ? Math.Max(0, down.Total - overview.Health.Stale) : 0;

    private Task LoadOverviewAsync() => Task.WhenAll(
        _overview.LoadAsync(Queries.GetOverviewAsync, "the cluster overview", Lifetime),

        // Only the count is needed; if it fails the tile falls back to the overview's stale count.
        _agentsDown.LoadAsync(ct => Queries.GetNodesAsync(new NodeQuery { Stale = true, Limit = 0 }, ct), "the nodes whose agent is down", Lifetime));

    private async Task LoadFixingAsync() => _fixing = await NodesBeingFixed.LoadAsync(_remediation, Lifetime);

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
