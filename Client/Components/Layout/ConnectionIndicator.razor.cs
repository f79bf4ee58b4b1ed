using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Layout;

/// <summary>The status bar's cluster name and connection health, refreshed by the change feed and a clock.</summary>
public partial class ConnectionIndicator
{
    /// <summary>How often "last poll 12 s ago" is re-read even when nothing changes.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private readonly Loadable<ConnectionStatus> _status = new();
    private ConnectionSummary? _summary;
    private ITimer? _timer;
    private DateTimeOffset _lastLoad;

    /// <summary>The read model.</summary>
    [Inject]
    public required IDashboardQueries Queries { get; init; }

    /// <summary>The clock.</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        StartLiveUpdates();
        if (RendererInfo.IsInteractive)
        {
            _timer = Clock.CreateTimer(_ => _ = InvokeAsync(OnTickAsync), null, RefreshInterval, RefreshInterval);
        }

        await LoadAsync();
    }

    /// <inheritdoc />
    protected override async Task OnChangesAsync(IReadOnlyList<ClusterChange> batch)
    {
        // Any batch means a poll or watch event happened; re-read at most every few seconds unless health changed.
        if (ChangeBatch.TouchesConnection(batch) || Clock.GetUtcNow() - _lastLoad >= TimeSpan.FromSeconds(5))
        {
            await LoadAsync();
        }
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }
    }

    private async Task OnTickAsync()
    {
        if (Lifetime.IsCancellationRequested)
        {
            return;
        }

        await LoadAsync();
        StateHasChanged();
    }

    private async Task LoadAsync()
    {
        _lastLoad = Clock.GetUtcNow();
        await _status.LoadAsync(Queries.GetConnectionStatusAsync, "the connection status", Lifetime);
        _summary = _status.Value is { } status ? ConnectionSummary.Of(status, Clock.GetUtcNow()) : null;
    }
}
