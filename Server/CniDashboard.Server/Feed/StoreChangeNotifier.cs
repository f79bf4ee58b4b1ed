using System.Threading.Channels;
using CniDashboard.Server.Leadership;
using CniDashboard.Server.Polling;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Dashboard;
using Dapper;

namespace CniDashboard.Server.Feed;

/// <summary>
/// Tells the other replicas what this one wrote: every change published here (after its write
/// committed) goes out as PostgreSQL <c>NOTIFY</c> on <see cref="StoreChangeMessage.Channel"/>, in
/// order, from one sender; so do the leader's fetch times, and a resync request when this replica
/// starts leading. Nothing is sent on SQLite (one replica).
/// </summary>
public sealed class StoreChangeNotifier : BackgroundService
{
    private readonly IStoreConnectionFactory _connections;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreChangeNotifier> _logger;
    private readonly Channel<StoreChangeMessage> _queue;
    private int _dropped;
    private long _sent;

    /// <summary>Creates the sender; it follows the poller's fetches and the replica's leadership.</summary>
    public StoreChangeNotifier(IStoreConnectionFactory connections, PollerStatus poller, ReplicaLeadership leadership, StoreCluster cluster, TimeProvider time, ILogger<StoreChangeNotifier> logger)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Cluster = cluster.Id;
        ArgumentNullException.ThrowIfNull(poller);
        ArgumentNullException.ThrowIfNull(leadership);
        _connections = connections;
        _time = time;
        _logger = logger;
        _queue = System.Threading.Channels.Channel.CreateBounded<StoreChangeMessage>(
            new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Exchange(ref _dropped, 1));
        if (!Enabled) return;
        poller.Fetched += at => _queue.Writer.TryWrite(new StoreChangeMessage { From = ReplicaId, Cluster = Cluster, FetchedAt = at });
        // A new leader may follow one that wrote and died before telling anyone: everyone re-reads once.
        if (leadership.Elects) leadership.StartedLeading += () => _queue.Writer.TryWrite(new StoreChangeMessage { From = ReplicaId, Cluster = Cluster, Resync = true });
    }

    /// <summary>The cluster whose rows this process writes; every message carries it.</summary>
    public string Cluster { get; }

    /// <summary>This process among the replicas (random per start).</summary>
    public string ReplicaId { get; } = Guid.NewGuid().ToString("n")[..12];

    /// <summary>True on PostgreSQL.</summary>
    public bool Enabled => _connections.Provider == StoreProvider.Postgres;

    /// <summary>Notifications sent (for tests and metrics).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Queues changes already committed to the store; never blocks.</summary>
    public void Enqueue(IReadOnlyList<ClusterChange> changes)
    {
        if (Enabled && changes.Count > 0) _queue.Writer.TryWrite(new StoreChangeMessage { From = ReplicaId, Cluster = Cluster, Changes = changes });
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        var backoff = TimeSpan.FromMilliseconds(250);
        var pending = new List<string>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (pending.Count == 0)
                {
                    if (!await _queue.Reader.WaitToReadAsync(stoppingToken)) return;
                    pending.AddRange(Gather());
                }

                try
                {
                    await using var connection = await _connections.OpenAsync(stoppingToken);
                    foreach (var payload in pending.ToArray())
                    {
                        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@channel, @payload)",
                            new { channel = StoreChangeMessage.Channel, payload }, cancellationToken: stoppingToken));
                        pending.RemoveAt(0);
                        Interlocked.Increment(ref _sent);
                    }

                    backoff = TimeSpan.FromMilliseconds(250);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The others re-read what they missed when the store comes back (they resync on reconnect).
                    _logger.LogWarning("Could not notify the other replicas ({Error}); retrying in {Backoff}", ex.Message, backoff);
                    await Task.Delay(backoff, _time, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>What is queued, as payloads: changes together (split to fit), then fetch times and resyncs.</summary>
    private List<string> Gather()
    {
        var changes = new List<ClusterChange>();
        DateTimeOffset? fetched = null;
        var resync = Interlocked.Exchange(ref _dropped, 0) == 1;
        while (_queue.Reader.TryRead(out var message))
        {
            changes.AddRange(message.Changes);
            if (message.FetchedAt is { } at && (fetched is null || at > fetched)) fetched = at;
            resync |= message.Resync;
        }

        var payloads = StoreChangeMessage.Payloads(ReplicaId, Cluster, changes).ToList();
        if (fetched is not null || resync) payloads.Add(new StoreChangeMessage { From = ReplicaId, Cluster = Cluster, FetchedAt = fetched, Resync = resync }.ToPayload());
        return payloads;
    }
}

/// <summary>
/// The backend's <see cref="IChangePublisher"/>: changes reach this replica's subscribers at once and
/// the other replicas' through <see cref="StoreChangeNotifier"/>. Facts every replica watches for
/// itself (nodes, pods, DaemonSets) are published on the local feed only.
/// </summary>
public sealed class ReplicatedChangePublisher(ClusterChangeFeed local, StoreChangeNotifier notifier) : IChangePublisher
{
    /// <inheritdoc />
    public void Publish(IReadOnlyList<ClusterChange> changes)
    {
        local.Publish(changes);
        notifier.Enqueue(changes);
    }
}
