using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components;

/// <summary>
/// A page or status component that follows the change feed: it subscribes once when it becomes
/// interactive, applies each batch on the renderer's thread, and in <see cref="DisposeAsync"/>
/// cancels its queries, ends the subscription and waits for it.
/// </summary>
public abstract class LiveComponent : ComponentBase, IAsyncDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private ChangeFeedSubscription? _subscription;

    /// <summary>The live change feed.</summary>
    [Inject]
    public required IClusterChangeFeed ChangeFeed { get; init; }

    /// <summary>Cancelled when the component goes away; pass it to every query.</summary>
    protected CancellationToken Lifetime => _lifetime.Token;

    /// <summary>Why live updates stopped, when the feed failed.</summary>
    protected string? LiveUpdatesError { get; private set; }

    /// <summary>True while the feed subscription runs.</summary>
    protected bool IsLive => _subscription?.IsRunning == true;

    /// <summary>
    /// The cluster whose changes the page follows: null (the default) for the dashboard's own cluster;
    /// another cluster's id on a page of that cluster's node. Changes of other clusters never reach
    /// <see cref="OnChangesAsync"/>; a resync of this feed (changes were dropped, any cluster's) always does.
    /// </summary>
    protected virtual string? FeedCluster => null;

    /// <summary>Applies a batch; runs on the renderer's thread. The page re-renders after it.</summary>
    protected abstract Task OnChangesAsync(IReadOnlyList<ClusterChange> batch);

    /// <summary>
    /// Subscribes, once, and only in an interactive render: a prerender is thrown away at once, so
    /// following the feed there would only cost the server.
    /// </summary>
    protected void StartLiveUpdates()
    {
        if (_subscription is not null || !RendererInfo.IsInteractive || _lifetime.IsCancellationRequested)
        {
            return;
        }

        _subscription = ChangeFeedSubscription.Start(
            ChangeFeed,
            batch => InvokeAsync(async () =>
            {
                var cluster = FeedCluster;
                var mine = batch.All(c => c.Cluster == cluster) ? batch
                    : batch.Where(c => c.Cluster == cluster || c is { Kind: ClusterChangeKind.Resync, Cluster: null }).ToArray();
                if (_lifetime.IsCancellationRequested || mine.Count == 0)
                {
                    return;
                }

                await OnChangesAsync(mine);
                StateHasChanged();
            }),
            error => InvokeAsync(() =>
            {
                LiveUpdatesError = "Live updates stopped: " + error.Message + ". Reload the page to resume them.";
                StateHasChanged();
            }));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore();
        if (!_lifetime.IsCancellationRequested)
        {
            await _lifetime.CancelAsync();
        }

        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        // The token source is cancelled, not disposed: a query still unwinding may read its token.
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a derived page holds (timers); the subscription is ended after it.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
