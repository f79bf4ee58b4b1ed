using System.Threading.Channels;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Dashboard;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Polling;

/// <summary>
/// Mode <c>announce</c>: fetches a node as soon as its agent pod announces a manifest hash other
/// than the one stored (one conditional GET over the same TLS path as a poll, through
/// <see cref="AgentPoller.PollNodesAsync"/>), a few workers at a time sharing the poller's
/// concurrency; also when an agent pod's readiness changes, so a not-Ready agent is shown stale at
/// once. The poll becomes a safety net: after one whole round at start, every node is asked once per
/// <see cref="PollerOptions.SafetyInterval"/>, a few each second, so an unchanged fleet costs a few
/// handshakes a second instead of a round every 30 s. A node is never fetched twice at once.
/// </summary>
public sealed class AnnouncementFetcher(
    AgentPoller poller,
    ClusterState cluster,
    FleetState fleet,
    WatchHealthRegistry watches,
    AnnouncementFreshness freshness,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<AnnouncementFetcher> logger) : BackgroundService
{
    /// <summary>How often the safety net hands out its share of nodes.</summary>
    public static readonly TimeSpan SafetyTick = TimeSpan.FromSeconds(1);

    private const int Workers = 4;

    /// <summary>The wait before fetching again a node whose fetch failed; it doubles with each failure in a row.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between fetches of a node whose agent keeps failing.</summary>
    public static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, int> _failuresInARow = new(StringComparer.Ordinal);
    private long _retries;
    private readonly PollerOptions _options = options.Value.Poller;
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Lock _gate = new();
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _again = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _safetyOrder = [];
    private int _safetyCursor;
    private double _safetyCarry;
    private long _announced;
    private long _safety;
    private long _safetyTicks;
    private long _fetched;

    /// <summary>Nodes queued because their announcement differed from the stored hash (or their agent pod's readiness changed).</summary>
    public long AnnouncedFetches => Interlocked.Read(ref _announced);

    /// <summary>Nodes queued by the safety net.</summary>
    public long SafetyFetches => Interlocked.Read(ref _safety);

    /// <summary>Safety-net ticks whose share has been queued.</summary>
    public long SafetyTicks => Interlocked.Read(ref _safetyTicks);

    /// <summary>Node fetches finished (stored, unchanged or failed).</summary>
    public long Fetched => Interlocked.Read(ref _fetched);

    /// <summary>True when no node is queued or being fetched.</summary>
    public bool Idle
    {
        get
        {
            lock (_gate) return _queued.Count == 0 && _inFlight.Count == 0 && _again.Count == 0;
        }
    }

    /// <summary>Fetches scheduled again because the one before failed.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>True once the first whole round is done and announcements are being followed.</summary>
    public bool Following { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Mode != PollerMode.Announce) return;
        cluster.Changed += OnClusterChanged;
        try
        {
            await WaitForWatchesAsync(stoppingToken);
            // One whole round first: the fleet appears at once, and whatever changed while the
            // dashboard was down is read whether or not it was announced.
            try
            {
                await poller.PollOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "First round failed; the safety net will read every node");
            }

            Following = true;
            // Announcements that arrived during the round, against what it stored.
            foreach (var node in cluster.NodeNames) Consider(node);
            var workers = Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)).ToArray();
            await SafetyNetAsync(stoppingToken);
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            cluster.Changed -= OnClusterChanged;
            _queue.Writer.TryComplete();
        }
    }

    private async Task WaitForWatchesAsync(CancellationToken stoppingToken)
    {
        // As the poll's first round: wait (at most one safety tick per second, up to the poll interval) for the watches to list.
        var waited = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(200);
        while (!watches.AllSynced && waited < _options.Interval)
        {
            await Task.Delay(step, time, stoppingToken);
            waited += step;
        }
    }

    private void OnClusterChanged(ClusterFactChange change)
    {
        if (change.Node is null) return;
        switch (change.Kind)
        {
            case ClusterFactKind.ManifestAnnounced or ClusterFactKind.CniPodChanged:
                Consider(change.Node);
                break;
            case ClusterFactKind.NodeRemoved:
                freshness.Forget(change.Node);
                lock (_gate) _failuresInARow.Remove(change.Node);
                break;
        }
    }

    /// <summary>Queues the node when its agent pod announces a hash other than the stored one, or its agent status no longer fits the pod's readiness.</summary>
    private void Consider(string node)
    {
        if (!Following) return;
        var pod = cluster.AgentPodFor(node);
        if (pod is null) return;
        var runtime = fleet.Get(node);
        var differs = pod.AnnouncedManifestHash is { } announced && announced != runtime?.ManifestHash;
        // Not Ready while shown current, or shown stale while Ready (it may be current again): let a fetch decide.
        var readinessMismatch = runtime?.Agent.State is AgentState.Current ? !pod.Ready : pod.Ready && runtime?.Agent.State is AgentState.Stale;
        if (!differs && !readinessMismatch) return;
        Interlocked.Increment(ref _announced);
        Enqueue(node);
    }

    /// <summary>Asks for the node soon (once, however often it is asked for before its fetch starts).</summary>
    public void Enqueue(string node)
    {
        lock (_gate)
        {
            if (_inFlight.Contains(node))
            {
                // Fetched again when the fetch under way ends: it may have read the files just before this change.
                _again.Add(node);
                return;
            }

            if (!_queued.Add(node)) return;
        }

        _queue.Writer.TryWrite(node);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var concurrency = Math.Max(1, _options.Concurrency / Workers);
        var batch = new List<string>(_options.AnnouncedBatchSize);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            lock (_gate)
            {
                while (batch.Count < _options.AnnouncedBatchSize && _queue.Reader.TryRead(out var node))
                {
                    _queued.Remove(node);
                    if (_inFlight.Add(node)) batch.Add(node);
                    else _again.Add(node);
                }
            }

            if (batch.Count == 0) continue;
            IReadOnlyCollection<string> failed;
            try
            {
                failed = (await poller.PollNodesAsync(batch, concurrency, stoppingToken)).FailedNodes;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // e.g. the disk is full: the nodes stay as they were and are tried again (below).
                logger.LogError(ex, "Fetching {Count} announced nodes failed", batch.Count);
                failed = batch;
            }
            finally
            {
                List<string> again = [];
                lock (_gate)
                {
                    foreach (var node in batch)
                    {
                        _inFlight.Remove(node);
                        if (_again.Remove(node) && _queued.Add(node)) again.Add(node);
                    }
                }

                Interlocked.Add(ref _fetched, batch.Count);
                foreach (var node in again) _queue.Writer.TryWrite(node);
            }

            RetryFailed(batch, failed, stoppingToken);
        }
    }

    /// <summary>
    /// A fetch that failed (the agent timed out under load, refused, or the store did) is tried
    /// again after a backoff (1 s, doubling, at most a minute) rather than left to the next
    /// announcement, which may never come: the agent announced once and its hash is not stored.
    /// </summary>
    private void RetryFailed(List<string> batch, IReadOnlyCollection<string> failed, CancellationToken stoppingToken)
    {
        var failedSet = failed as IReadOnlySet<string> ?? failed.ToHashSet(StringComparer.Ordinal);
        foreach (var node in batch)
        {
            TimeSpan wait;
            lock (_gate)
            {
                if (!failedSet.Contains(node) || cluster.AgentPodFor(node)?.PodIp is null)
                {
                    _failuresInARow.Remove(node);
                    continue;
                }

                var inARow = _failuresInARow[node] = _failuresInARow.GetValueOrDefault(node) + 1;
                wait = TimeSpan.FromTicks(Math.Min(LastRetry.Ticks, FirstRetry.Ticks << Math.Min(inARow - 1, 16)));
            }

            Interlocked.Increment(ref _retries);
            _ = RetryAsync(node, wait, stoppingToken);
        }
    }

    private async Task RetryAsync(string node, TimeSpan wait, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(wait, time, stoppingToken);
            Enqueue(node);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task SafetyNetAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SafetyTick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var node in NextSafetyShare()) Enqueue(node);
            Interlocked.Increment(ref _safetyTicks);
        }
    }

    /// <summary>
    /// The nodes due this tick: the fleet's share of one tick in a safety interval (with the
    /// fraction carried), walking the sorted node list and starting over when it ends — every node
    /// once per interval, evenly spread.
    /// </summary>
    internal IReadOnlyList<string> NextSafetyShare()
    {
        if (_safetyCursor >= _safetyOrder.Count)
        {
            _safetyOrder = cluster.NodeNames;
            _safetyCursor = 0;
        }

        _safetyCarry += _safetyOrder.Count * (SafetyTick / _options.SafetyInterval);
        var take = (int)Math.Min(_safetyCarry, _safetyOrder.Count - _safetyCursor);
        _safetyCarry -= take;
        var share = new List<string>(take);
        for (var i = 0; i < take; i++) share.Add(_safetyOrder[_safetyCursor++]);
        Interlocked.Add(ref _safety, share.Count);
        return share;
    }
}
