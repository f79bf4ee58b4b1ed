using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using CniDashboard.Server.Analysis;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Feed;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Dashboard;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Polling;

/// <summary>
/// Every interval, asks each node's agent (at its pod IP) for its snapshot with If-None-Match, a
/// bounded number at a time. Changed snapshots are stored and analyzed; failures mark the node
/// stale with the reason and never touch its history.
/// </summary>
public sealed class AgentPoller(
    ClusterState cluster,
    FleetState fleet,
    AgentClient client,
    AgentTokenSource tokens,
    SnapshotIngestor ingestor,
    NodeAnalysisService analysis,
    INodeRepository nodes,
    IChangePublisher feed,
    PollerStatus status,
    MemoryTrimmer memory,
    WatchHealthRegistry watches,
    AnnouncementFreshness freshness,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<AgentPoller> logger) : BackgroundService
{
    private readonly PollerOptions _options = options.Value.Poller;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // With announcements the AnnouncementFetcher drives every fetch (first round, announced nodes, safety net).
        if (_options.Mode != PollerMode.Poll) return;

        // The first round waits (at most one interval) for the watches to list the nodes and their
        // agent pods; otherwise it would find no node and the fleet would appear an interval late.
        var waited = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(200);
        while (!watches.AllSynced && waited < _options.Interval)
        {
            try
            {
                await Task.Delay(step, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            waited += step;
        }

        using var timer = new PeriodicTimer(_options.Interval, time);
        do
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A round that fails as a whole (e.g. the disk is full) is retried next interval.
                logger.LogError(ex, "Poll round failed");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// One poll round over every node the cluster lists; returns when stored and analyzed. Changed
    /// snapshots are stored and analyzed in chunks of <see cref="PollerOptions.RoundChunkSize"/> while
    /// the other agents are still being asked, through a bounded channel: the agents' answers wait
    /// (and so do further requests) while a chunk is stored, so a round never holds more than about
    /// two chunks plus the requests in flight, however many nodes changed.
    /// </summary>
    public async Task<PollRound> PollOnceAsync(CancellationToken cancellationToken)
    {
        var result = await PollNodesAsync(cluster.NodeNames, _options.Concurrency, cancellationToken);
        status.Record(result);
        return result;
    }

    /// <summary>
    /// Asks the agents of <paramref name="names"/> (at most <paramref name="concurrency"/> at a time)
    /// exactly as a round does, and stores, analyzes and marks them; returns when done. The
    /// announcement path and the safety net call it for the nodes they pick.
    /// </summary>
    public async Task<PollRound> PollNodesAsync(IReadOnlyCollection<string> names, int concurrency, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var token = await tokens.GetAsync(cancellationToken);
        var round = new RoundState { Nodes = names.Count };

        var targets = new List<(string Node, string PodIp)>(names.Count);
        foreach (var name in names)
        {
            var pod = cluster.AgentPodFor(name);
            if (pod?.PodIp is null) round.Failures[name] = "no agent pod";
            else targets.Add((name, pod.PodIp));
        }

        var chunkSize = _options.RoundChunkSize;
        var channel = Channel.CreateBounded<NodeSnapshot>(new BoundedChannelOptions(chunkSize)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // The store failing (e.g. disk full) fails the round: the consumer cancels the requests
        // rather than leave them waiting on a channel nobody reads.
        using var fetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var consumer = ConsumeAsync(channel.Reader, chunkSize, round, now, fetching, cancellationToken);
        try
        {
            await Parallel.ForEachAsync(
                targets,
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = fetching.Token },
                async (target, ct) =>
                {
                    AgentAnswer answer;
                    try
                    {
                        answer = await client.GetSnapshotAsync(target.PodIp, fleet.Get(target.Node)?.ManifestHash, token, ct);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // Whatever one agent sends, the round goes on for the others.
                        answer = new AgentAnswer.Failed($"{ex.GetType().Name}: {ex.Message}");
                    }

                    switch (answer)
                    {
                        case AgentAnswer.NotModified:
                            Interlocked.Increment(ref round.NotModified);
                            round.Seen.Add((target.Node, null));
                            break;
                        case AgentAnswer.Snapshot { Value: var snapshot } when snapshot.NodeName != target.Node:
                            round.Failures[target.Node] = $"agent at {target.PodIp} reports node '{snapshot.NodeName}'";
                            break;
                        case AgentAnswer.Snapshot { Value: var snapshot }:
                            await channel.Writer.WriteAsync(snapshot, ct);
                            break;
                        case AgentAnswer.Failed { Reason: var reason }:
                            round.Failures[target.Node] = reason;
                            break;
                    }
                });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a failed consumer cancels the requests on its own: its error is the round's.
            channel.Writer.TryComplete();
            await consumer;
            throw;
        }
        finally
        {
            channel.Writer.TryComplete();
        }

        await consumer;

        var changes = new List<ClusterChange>();
        var transitions = new List<AgentStateWrite>();
        foreach (var (node, version) in round.Seen) MarkCurrent(node, version, now, changes, transitions);
        foreach (var (node, reason) in round.Failures) MarkStale(node, reason, now, changes, transitions);
        await nodes.SaveAgentStatesAsync(transitions, now, cancellationToken);
        feed.Publish(changes);
        // A round that trimmed on the way trims once more at its end (its last part and the whole
        // round's analysis garbage), spaced by the work as the trims before it.
        if (round.MidRoundTrims > 0 && round.StoredSinceTrim > 0) memory.DuringBulkWork();
        else if (round.Stored >= BulkThreshold(names.Count)) memory.AfterBulkWork();

        var result = new PollRound
        {
            FinishedAt = time.GetUtcNow(),
            Duration = Stopwatch.GetElapsedTime(started),
            Nodes = names.Count,
            Unchanged = round.NotModified + round.Unchanged,
            Changed = round.Stored,
            Failed = round.Failures.Count,
            FailedNodes = [.. round.Failures.Keys],
        };
        status.RecordFetch(result.FinishedAt);
        logger.LogDebug("Poll round: {Nodes} nodes, {Changed} changed, {Unchanged} unchanged, {Failed} failed in {Duration} ms",
            result.Nodes, result.Changed, result.Unchanged, result.Failed, result.Duration.TotalMilliseconds);
        return result;
    }

    /// <summary>Takes the round's changed snapshots off the channel and stores them a chunk at a time.</summary>
    /// <summary>
    /// Fetches one node's snapshot now (not at the next round) through the same path as a round:
    /// stored when it changed, analyzed, announced. Returns null with the reason when the agent could
    /// not be read; otherwise the node's latest snapshot (unchanged counts: the stored one is current).
    /// </summary>
    public async Task<(SnapshotContent? Latest, string? Failure)> PollNodeAsync(string node, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cluster.AgentPodFor(node)?.PodIp is not { } podIp) return (null, "no agent pod");
        var token = await tokens.GetAsync(cancellationToken);
        AgentAnswer answer;
        try
        {
            answer = await client.GetSnapshotAsync(podIp, fleet.Get(node)?.ManifestHash, token, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            answer = new AgentAnswer.Failed($"{ex.GetType().Name}: {ex.Message}");
        }

        var round = new RoundState { Nodes = 1 };
        switch (answer)
        {
            case AgentAnswer.Snapshot { Value: var snapshot } when snapshot.NodeName != node:
                return (null, $"agent at {podIp} reports node '{snapshot.NodeName}'");
            case AgentAnswer.Snapshot { Value: var snapshot }:
                await StoreChunkAsync([snapshot], round, now, cancellationToken);
                if (round.Failures.TryGetValue(node, out var refused)) return (null, refused);
                return (fleet.Get(node)?.Latest, null);
            case AgentAnswer.NotModified:
                var changes = new List<ClusterChange>();
                var transitions = new List<AgentStateWrite>();
                MarkCurrent(node, null, now, changes, transitions);
                await nodes.SaveAgentStatesAsync(transitions, now, cancellationToken);
                feed.Publish(changes);
                return (fleet.Get(node)?.Latest, null);
            case AgentAnswer.Failed { Reason: var reason }:
                return (null, reason);
            default:
                return (null, "no answer");
        }
    }

    private async Task ConsumeAsync(ChannelReader<NodeSnapshot> reader, int chunkSize, RoundState round, DateTimeOffset now, CancellationTokenSource fetching, CancellationToken cancellationToken)
    {
        try
        {
            var chunk = new List<NodeSnapshot>(Math.Min(chunkSize, 1024));
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (chunk.Count < chunkSize && reader.TryRead(out var snapshot)) chunk.Add(snapshot);
                if (chunk.Count < chunkSize) continue;
                await StoreChunkAsync(chunk, round, now, cancellationToken);
                chunk.Clear();
            }

            if (chunk.Count > 0) await StoreChunkAsync(chunk, round, now, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            await fetching.CancelAsync();
            throw;
        }
    }

    /// <summary>
    /// Stores a chunk, marks its nodes current, publishes what changed and analyzes the stored nodes,
    /// so nothing of the chunk but the kept copy outlives it.
    /// </summary>
    private async Task StoreChunkAsync(IReadOnlyList<NodeSnapshot> chunk, RoundState round, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var results = await ingestor.IngestAsync(chunk, cancellationToken);
        var versions = new Dictionary<string, string?>(chunk.Count, StringComparer.Ordinal);
        foreach (var s in chunk) versions[s.NodeName] = s.AgentVersion;

        var changes = new List<ClusterChange>();
        var transitions = new List<AgentStateWrite>();
        var stored = new List<string>();
        foreach (var r in results)
        {
            switch (r.Outcome)
            {
                case IngestOutcome.Refused:
                    round.Failures[r.Node] = $"snapshot refused: {r.Error}";
                    break;
                case IngestOutcome.Unchanged:
                    round.Unchanged++;
                    round.Seen.Add((r.Node, versions.GetValueOrDefault(r.Node)));
                    break;
                case IngestOutcome.Stored:
                    MarkCurrent(r.Node, versions.GetValueOrDefault(r.Node), now, changes, transitions);
                    stored.Add(r.Node);
                    break;
            }
        }

        foreach (var r in results)
        {
            if (r.Outcome != IngestOutcome.Stored) continue;
            changes.Add(new ClusterChange
            {
                Kind = ClusterChangeKind.NodeChanged,
                At = now,
                Node = r.Node,
                Summary = $"files changed: {string.Join(", ", r.ChangedFiles ?? [])}",
            });
        }

        round.Stored += stored.Count;
        await nodes.SaveAgentStatesAsync(transitions, now, cancellationToken);
        feed.Publish(changes);
        if (stored.Count > 0) await analysis.AnalyzeAsync(stored, cancellationToken);

        // A round storing thousands of nodes (the first after start) returns its garbage every
        // MidRoundTrim snapshots instead of only at its end, where it would have piled up.
        round.StoredSinceTrim += stored.Count;
        if (round.StoredSinceTrim >= MidRoundTrim(round.Nodes))
        {
            round.StoredSinceTrim = 0;
            round.MidRoundTrims++;
            memory.DuringBulkWork();
        }
    }

    /// <summary>Snapshots stored within one round between two trims: a fifth of the fleet, at least 1,000.</summary>
    private static int MidRoundTrim(int nodes) => Math.Max(1000, nodes / 5);

    /// <summary>What a round gathers while its requests run; the counters only the consumer writes are plain fields.</summary>
    private sealed class RoundState
    {
        public readonly ConcurrentDictionary<string, string> Failures = new(StringComparer.Ordinal);
        public readonly ConcurrentBag<(string Node, string? Version)> Seen = [];
        public int NotModified;
        public int Unchanged;
        public int Stored;
        public int StoredSinceTrim;
        public int MidRoundTrims;
        public int Nodes;
    }

    /// <summary>A round that stored this many snapshots leaves enough garbage to be worth returning at once.</summary>
    private static int BulkThreshold(int nodes) => Math.Max(200, nodes / 10);

    private void MarkCurrent(string node, string? version, DateTimeOffset now, List<ClusterChange> changes, List<AgentStateWrite> transitions)
    {
        // The agent answered, but its announcements cannot be trusted to arrive (see AnnouncementFreshness).
        if (freshness.StaleReason(node, now) is { } stale)
        {
            MarkStale(node, stale, now, changes, transitions, seen: (now, version));
            return;
        }

        var before = fleet.Get(node)?.Agent;
        var after = new AgentStatus
        {
            State = AgentState.Current,
            LastSeenAt = now,
            Version = version ?? before?.Version,
        };
        fleet.SetAgent(node, after);
        if (before?.State == AgentState.Current && before.Version == after.Version) return;
        transitions.Add(new AgentStateWrite(node, after));
        if (before is not null && before.State != AgentState.Current)
        {
            changes.Add(new ClusterChange { Kind = ClusterChangeKind.AgentStatusChanged, At = now, Node = node, Summary = "agent answers again; files current" });
        }
    }

    private void MarkStale(string node, string reason, DateTimeOffset now, List<ClusterChange> changes, List<AgentStateWrite> transitions, (DateTimeOffset At, string? Version)? seen = null)
    {
        var runtime = fleet.Get(node);
        var before = runtime?.Agent;
        // A node never read stays Unknown (there is nothing to be stale); one read before goes Stale.
        var state = runtime?.Latest is null && before?.LastSeenAt is null ? AgentState.Unknown : AgentState.Stale;
        var after = new AgentStatus
        {
            State = state,
            StaleSince = before?.State == AgentState.Current || before?.StaleSince is null ? now : before.StaleSince,
            Reason = reason,
            LastSeenAt = seen?.At ?? before?.LastSeenAt,
            Version = seen?.Version ?? before?.Version,
            Answers = seen is not null,
        };
        fleet.SetAgent(node, after);
        if (before is not null && before.State == after.State && before.Reason == after.Reason) return;
        transitions.Add(new AgentStateWrite(node, after));
        logger.LogInformation("Node {Node} agent {State}: {Reason}", node, state, reason);
        changes.Add(new ClusterChange { Kind = ClusterChangeKind.AgentStatusChanged, At = now, Node = node, Summary = $"agent {state.ToString().ToLowerInvariant()}: {reason}" });
    }
}
