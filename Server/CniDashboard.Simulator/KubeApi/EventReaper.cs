namespace CniDashboard.Simulator.KubeApi;

/// <summary>
/// Deletes Events past their time to live, as their etcd lease would, so a kubelet emitting
/// events for hours never grows the store without bound.
/// </summary>
internal sealed class EventReaper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public EventReaper(ClusterState cluster, TimeSpan timeToLive)
    {
        var period = timeToLive < TimeSpan.FromMinutes(1) ? timeToLive : TimeSpan.FromMinutes(1);
        _loop = RunAsync(cluster, timeToLive, period, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the only way the loop ends.
        }

        _stop.Dispose();
    }

    private static async Task RunAsync(ClusterState cluster, TimeSpan timeToLive, TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, cluster.TimeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            cluster.DeleteEventsOlderThan(cluster.TimeProvider.GetUtcNow() - timeToLive);
        }
    }
}
