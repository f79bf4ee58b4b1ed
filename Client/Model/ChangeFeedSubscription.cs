using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>
/// A page's one subscription to the change feed: a loop that hands each batch to the page and
/// ends when the page goes away. Disposing cancels the loop, waits for it, and only then returns,
/// so no batch is applied to a disposed component.
/// </summary>
public sealed class ChangeFeedSubscription : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private int _disposed;

    private ChangeFeedSubscription(
        IClusterChangeFeed feed,
        Func<IReadOnlyList<ClusterChange>, Task> onBatch,
        Func<Exception, Task> onFailure)
    {
        _loop = RunAsync(feed, onBatch, onFailure, _cts.Token);
    }

    /// <summary>Starts listening.</summary>
    /// <param name="feed">The feed.</param>
    /// <param name="onBatch">Applies one batch; pages marshal it with <c>InvokeAsync</c>.</param>
    /// <param name="onFailure">Told when the feed ends with an error, so the page can say live updates stopped.</param>
    public static ChangeFeedSubscription Start(
        IClusterChangeFeed feed,
        Func<IReadOnlyList<ClusterChange>, Task> onBatch,
        Func<Exception, Task> onFailure)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(onBatch);
        ArgumentNullException.ThrowIfNull(onFailure);
        return new ChangeFeedSubscription(feed, onBatch, onFailure);
    }

    /// <summary>True while the loop runs.</summary>
    public bool IsRunning => !_loop.IsCompleted;

    private static async Task RunAsync(
        IClusterChangeFeed feed,
        Func<IReadOnlyList<ClusterChange>, Task> onBatch,
        Func<Exception, Task> onFailure,
        CancellationToken cancellationToken)
    {
        // Let the constructor return before the feed runs synchronously up to its first await.
        await Task.Yield();
        try
        {
            await foreach (var batch in feed.SubscribeAsync(cancellationToken).WithCancellation(cancellationToken))
            {
                if (batch.Count > 0)
                {
                    await onBatch(batch);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away.
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await onFailure(ex);
        }
        catch (ObjectDisposedException)
        {
            // A batch raced the page's disposal; nothing left to update.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _cts.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Expected on cancellation.
        }

        _cts.Dispose();
    }
}
