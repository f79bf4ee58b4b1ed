using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>
/// A change feed the test drives: <see cref="Publish"/> hands a batch to every subscriber, and the
/// feed counts subscriptions that started, ended, and ended because they were cancelled.
/// </summary>
public sealed class FakeClusterChangeFeed : IClusterChangeFeed
{
    private readonly Lock _gate = new();
    private readonly List<Channel<IReadOnlyList<ClusterChange>>> _subscribers = [];
    private int _started;
    private int _ended;
    private int _cancelled;

    /// <summary>Subscriptions running now.</summary>
    public int Active
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>
    /// Batches published but not yet taken by their subscribers. A subscription takes the next batch only
    /// after the page applied the one before, so once this is 0 every batch but the last was applied.
    /// </summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Sum(s => s.Reader.Count);
            }
        }
    }

    /// <summary>Subscriptions ever started.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Subscriptions that ended.</summary>
    public int Ended => Volatile.Read(ref _ended);

    /// <summary>Subscriptions that ended because their token was cancelled.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    /// <summary>When set, the next subscriptions fail with this error after subscribing.</summary>
    public Exception? FailWith { get; set; }

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<ClusterChange>> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<IReadOnlyList<ClusterChange>>();
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        Interlocked.Increment(ref _started);
        try
        {
            if (FailWith is { } error)
            {
                throw error;
            }

            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return batch;
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _cancelled);
            }

            Interlocked.Increment(ref _ended);
        }
    }

    /// <summary>Sends one batch to every subscriber.</summary>
    public void Publish(params ClusterChange[] changes)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(changes);
            }
        }
    }

    /// <summary>A change at the sample's "now".</summary>
    public static ClusterChange Change(ClusterChangeKind kind, string? node = null) =>
        new() { Kind = kind, At = SampleCluster.Now, Node = node };
}
