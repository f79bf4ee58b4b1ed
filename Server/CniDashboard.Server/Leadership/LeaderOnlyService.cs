namespace CniDashboard.Server.Leadership;

/// <summary>
/// Runs <typeparamref name="T"/> only on the leader: started when this replica starts leading (at
/// once on SQLite, in the host's start order as before), stopped with the host. A replica that loses
/// leadership stops as a whole (<see cref="ReplicaLeadership"/>), so the service never starts twice.
/// </summary>
/// <typeparam name="T">The hosted service to run on the leader.</typeparam>
public sealed class LeaderOnlyService<T>(T inner, ReplicaLeadership leadership) : IHostedService, IDisposable
    where T : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task _waiting = Task.CompletedTask;
    private bool _started;

    /// <summary>True once the service was started (this replica leads).</summary>
    public bool Started => Volatile.Read(ref _started);

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (leadership.IsLeader)
        {
            await StartInnerAsync(cancellationToken);
            return;
        }

        _waiting = WaitThenStartAsync(_stopping.Token);
    }

    private async Task WaitThenStartAsync(CancellationToken stopping)
    {
        try
        {
            await leadership.WaitUntilLeadingAsync(stopping);
            await StartInnerAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host stopped before this replica led.
        }
    }

    private async Task StartInnerAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_stopping.IsCancellationRequested || _started) return;
            await inner.StartAsync(cancellationToken);
            Volatile.Write(ref _started, true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _waiting;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_started) await inner.StopAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        _gate.Dispose();
    }
}
