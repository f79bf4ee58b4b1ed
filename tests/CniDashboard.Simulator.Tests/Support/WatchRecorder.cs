using System.Threading.Channels;
using k8s;

namespace CniDashboard.Simulator.Tests.Support;

/// <summary>
/// Runs a KubernetesClient watch in the background and lets a test take its events one by one
/// with a deadline, and see how the stream ended (closed by the server, or an error line).
/// </summary>
internal sealed class WatchRecorder<T> : IAsyncDisposable
{
    private readonly Channel<(WatchEventType Type, T Object)> _events = Channel.CreateUnbounded<(WatchEventType, T)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Exception> _errors = [];
    private readonly Task _pump;

    private WatchRecorder(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> start)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var (type, value) in start(OnError, _stop.Token))
                {
                    _events.Writer.TryWrite((type, value));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                OnError(e);
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });
    }

    public IReadOnlyList<Exception> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public static WatchRecorder<T> Start(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> start) => new(start);

    /// <summary>The next event; fails the test if none comes in time or the stream ends first.</summary>
    public async Task<(WatchEventType Type, T Object)> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? Eventually.DefaultTimeout);
        try
        {
            if (await _events.Reader.WaitToReadAsync(deadline.Token) && _events.Reader.TryRead(out var next))
            {
                return next;
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"No watch event arrived within {(timeout ?? Eventually.DefaultTimeout).TotalSeconds:0.#} s.");
        }

        Assert.Fail($"The watch ended before the next event. Errors: {string.Join("; ", Errors.Select(e => e.Message))}");
        return default;
    }

    /// <summary>Skips bookmarks and returns the next object event.</summary>
    public async Task<(WatchEventType Type, T Object)> NextChangeAsync()
    {
        while (true)
        {
            var next = await NextAsync();
            if (next.Type != WatchEventType.Bookmark)
            {
                return next;
            }
        }
    }

    /// <summary>Waits until the server ends the stream, returning whatever events were still unread.</summary>
    public async Task<IReadOnlyList<(WatchEventType Type, T Object)>> EndAsync(TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? Eventually.DefaultTimeout);
        var rest = new List<(WatchEventType, T)>();
        try
        {
            await foreach (var item in _events.Reader.ReadAllAsync(deadline.Token))
            {
                rest.Add(item);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail("The watch stream did not end.");
        }

        return rest;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
            // Cancelled on purpose.
        }

        _stop.Dispose();
    }

    private void OnError(Exception error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }
}
