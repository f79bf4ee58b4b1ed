using System.Threading.Channels;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Polling;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Dashboard;
using Npgsql;

namespace CniDashboard.Server.Feed;

/// <summary>
/// Brings what other replicas wrote into this one: <c>LISTEN</c> on a dedicated PostgreSQL connection,
/// and for each notification re-read from the store what it touches (nodes' files, agent status and
/// findings; the sandbox counters; the fetch time), then publish the changes on this replica's feed,
/// so its circuits and hub see them as the writer's do. A lost connection is opened again with
/// backoff, and then everything is re-read (notifications sent meanwhile are gone) and subscribers
/// are told to re-read (<see cref="ClusterChangeKind.Resync"/>). Nothing runs on SQLite.
/// </summary>
public sealed class StoreChangeListener(
    IStoreConnectionFactory connections,
    StoreChangeNotifier notifier,
    StoreInitializer store,
    FleetLoader loader,
    ClusterChangeFeed local,
    PollerStatus poller,
    RemediationEngine engine,
    TimeProvider time,
    ILogger<StoreChangeListener> logger) : BackgroundService
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly HashSet<ClusterChangeKind> NodeKinds =
        [ClusterChangeKind.NodeChanged, ClusterChangeKind.AgentStatusChanged, ClusterChangeKind.FindingOpened, ClusterChangeKind.FindingResolved];

    private readonly Channel<StoreChangeMessage> _received = Channel.CreateUnbounded<StoreChangeMessage>(new UnboundedChannelOptions { SingleReader = true });
    private NpgsqlConnection? _connection;
    private long _applied;
    private long _reconnects;

    /// <summary>Messages from other replicas applied here (for tests and metrics).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Times the connection was opened again after it was lost.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>True while the LISTEN connection is open.</summary>
    public bool Listening => _connection?.FullState == System.Data.ConnectionState.Open;

    /// <summary>Listens before the store is loaded (so nothing written after the load is missed), when the server answers.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (connections.Provider == StoreProvider.Postgres)
        {
            try
            {
                _connection = await ListenAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                logger.LogWarning("Not listening for other replicas' changes yet ({Error}); retrying", ex.Message);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (connections.Provider != StoreProvider.Postgres) return;
        await Task.WhenAll(ReceiveAsync(stoppingToken), ApplyAsync(stoppingToken));
    }

    private async Task ReceiveAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        var first = _connection is not null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_connection is null)
                {
                    _connection = await ListenAsync(stoppingToken);
                    Interlocked.Increment(ref _reconnects);
                    // Whatever was sent while this replica did not listen is gone: re-read everything.
                    if (!first) _received.Writer.TryWrite(new StoreChangeMessage { From = "", Resync = true });
                    first = false;
                }

                backoff = TimeSpan.FromMilliseconds(250);
                // Waits for notifications; a quiet spell ends with a round trip that finds a dead connection.
                if (!await _connection.WaitAsync(KeepAliveInterval, stoppingToken))
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                    await ping.ExecuteScalarAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Lost the connection listening for other replicas' changes ({Error}); reconnecting in {Backoff}", ex.Message, backoff);
                await DropConnectionAsync();
                first = false;
                try
                {
                    await Task.Delay(backoff, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        await DropConnectionAsync();
        _received.Writer.TryComplete();
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var factory = connections as PostgresConnectionFactory ?? throw new InvalidOperationException("LISTEN needs the PostgreSQL store.");
        // Its own connection, outside the pool: it stays in LISTEN for the life of the process.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(factory.ConnectionString) { Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            connection.Notification += OnNotification;
            await using var listen = new NpgsqlCommand($"LISTEN {StoreChangeMessage.Channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is not { } connection) return;
        _connection = null;
        connection.Notification -= OnNotification;
        await connection.DisposeAsync();
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var message = StoreChangeMessage.Parse(e.Payload);
        if (message is null) logger.LogWarning("Ignored a notification on {Channel} that is not a change message", StoreChangeMessage.Channel);
        else if (message.From != notifier.ReplicaId) _received.Writer.TryWrite(message);
    }

    private async Task ApplyAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!store.Ready) await Task.Delay(TimeSpan.FromMilliseconds(50), time, stoppingToken);
            var reader = _received.Reader;
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<StoreChangeMessage>();
                while (reader.TryRead(out var message)) batch.Add(message);
                try
                {
                    await ApplyBatchAsync(batch, stoppingToken);
                    Interlocked.Add(ref _applied, batch.Count);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The store may be away: what these messages touched is read again at the next resync.
                    logger.LogWarning(ex, "Could not re-read {Count} changes from the store", batch.Count);
                    _received.Writer.TryWrite(new StoreChangeMessage { From = "", Resync = true });
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Re-reads what <paramref name="batch"/> touches in this process's cluster, then publishes its
    /// changes here. Another cluster's changes (its collector's writes) are relayed marked with their
    /// cluster: nothing of them is in this process's memory (its pages of that cluster read the store),
    /// and its fetch times, resyncs and plans are not this cluster's.
    /// </summary>
    private async Task ApplyBatchAsync(List<StoreChangeMessage> batch, CancellationToken cancellationToken)
    {
        var others = batch.Where(m => m.Cluster is { } c && c != notifier.Cluster).ToList();
        batch = batch.Except(others).ToList();
        var elsewhere = others.SelectMany(m => m.Changes.Select(c => c with { Cluster = m.Cluster })).ToList();
        elsewhere.AddRange(others.Where(m => m.Resync).Select(m => new ClusterChange
        {
            Kind = ClusterChangeKind.Resync, At = time.GetUtcNow(), Cluster = m.Cluster, Summary = $"cluster {m.Cluster} has a new leader: re-read what is shown of it.",
        }));
        if (elsewhere.Count > 0) local.Publish(elsewhere);
        if (batch.Count == 0) return;

        var changes = batch.SelectMany(m => m.Changes).ToList();
        foreach (var at in batch.Select(m => m.FetchedAt).OfType<DateTimeOffset>()) poller.RecordFetchElsewhere(at);
        if (batch.Any(m => m.Resync))
        {
            await loader.LoadAllAsync(cancellationToken);
            changes.Add(new ClusterChange { Kind = ClusterChangeKind.Resync, At = time.GetUtcNow(), Summary = "another replica wrote while this one was not told: re-read the current state." });
        }
        else
        {
            var nodes = changes.Where(c => c.Node is not null && NodeKinds.Contains(c.Kind)).Select(c => c.Node!).ToHashSet(StringComparer.Ordinal);
            await loader.RefreshNodesAsync(nodes, cancellationToken);
            if (changes.Any(c => c.Kind == ClusterChangeKind.SandboxError)) await loader.ReloadSandboxActivityAsync(cancellationToken);
        }

        // A person's command on another replica: the engine here (when it leads) looks at once.
        if (changes.Any(c => c.Kind == ClusterChangeKind.PlanChanged)) engine.Wake();
        local.Publish(changes);
    }
}
