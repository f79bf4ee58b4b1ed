using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Feed;

/// <summary>Where the backend announces changes.</summary>
public interface IChangePublisher
{
    /// <summary>Announces changes to every subscriber; never blocks.</summary>
    void Publish(IReadOnlyList<ClusterChange> changes);
}

/// <summary>
/// The in-process change feed. Each subscriber has its own bounded channel; a publisher never
/// waits: when a subscriber falls behind, its oldest changes are dropped and it is told to re-read
/// (<see cref="ClusterChangeKind.Resync"/>). Changes are delivered in batches gathered over a short
/// window so a burst becomes one UI refresh.
/// </summary>
public sealed class ClusterChangeFeed(TimeProvider time) : IClusterChangeFeed, IChangePublisher
{
    /// <summary>How long a batch gathers changes after the first one arrives.</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Changes buffered per subscriber before the oldest are dropped.</summary>
    public int Capacity { get; init; } = 4096;

    /// <summary>Most changes in one batch.</summary>
    public int MaxBatch { get; init; } = 1000;

    private readonly ConcurrentDictionary<Subscriber, byte> _subscribers = new();

    /// <summary>Live subscriptions.</summary>
    public int SubscriberCount => _subscribers.Count;

    /// <summary>Announces one change.</summary>
    public void Publish(ClusterChange change) => Publish([change]);

    /// <inheritdoc />
    public void Publish(IReadOnlyList<ClusterChange> changes)
    {
        if (changes.Count == 0) return;
        foreach (var subscriber in _subscribers.Keys)
        {
            foreach (var change in changes) subscriber.Channel.Writer.TryWrite(change);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<ClusterChange>> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscriber = new Subscriber(Capacity);
        _subscribers.TryAdd(subscriber, 0);
        try
        {
            var reader = subscriber.Channel.Reader;
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                if (BatchWindow > TimeSpan.Zero) await Task.Delay(BatchWindow, time, cancellationToken);
                var batch = new List<ClusterChange>();
                var dropped = Interlocked.Exchange(ref subscriber.Dropped, 0);
                if (dropped > 0)
                {
                    batch.Add(new ClusterChange
                    {
                        Kind = ClusterChangeKind.Resync,
                        At = time.GetUtcNow(),
                        Summary = $"{dropped} changes were dropped because this subscriber fell behind; re-read the current state.",
                    });
                }

                while (batch.Count < MaxBatch && reader.TryRead(out var change)) batch.Add(change);
                if (batch.Count > 0) yield return batch;
            }
        }
        finally
        {
            _subscribers.TryRemove(subscriber, out _);
            subscriber.Channel.Writer.TryComplete();
        }
    }

    private sealed class Subscriber
    {
        public int Dropped;

        public Subscriber(int capacity)
        {
            Channel = System.Threading.Channels.Channel.CreateBounded<ClusterChange>(
                new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => Interlocked.Increment(ref Dropped));
        }

        public Channel<ClusterChange> Channel { get; }
    }
}
