using System.Collections.Concurrent;
using System.Diagnostics;
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
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<AgentPoller> logger) : BackgroundService
{
    private readonly PollerOptions _options = options.Value.Poller;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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

    /// <summary>One poll round over every node the cluster lists; returns when stored and analyzed.</summary>
    public async Task<PollRound> PollOnceAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var token = await tokens.GetAsync(cancellationToken);
        var names = cluster.NodeNames;
        var snapshots = new ConcurrentBag<NodeSnapshot>();
        var failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var seen = new ConcurrentBag<(string Node, string? Version)>();
        var notModified = 0;

        var targets = new List<(string Node, string PodIp)>(names.Count);
        foreach (var name in names)
        {
            var pod = cluster.AgentPodFor(name);
            if (pod?.PodIp is null) failures[name] = "no agent pod";
            else targets.Add((name, pod.PodIp));
        }

        await Parallel.ForEachAsync(
            targets,
            new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
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
                        Interlocked.Increment(ref notModified);
                        seen.Add((target.Node, null));
                        break;
                    case AgentAnswer.Snapshot { Value: var snapshot } when snapshot.NodeName != target.Node:
                        failures[target.Node] = $"agent at {target.PodIp} reports node '{snapshot.NodeName}'";
                        break;
                    case AgentAnswer.Snapshot { Value: var snapshot }:
                        snapshots.Add(snapshot);
                        break;
                    case AgentAnswer.Failed { Reason: var reason }:
                        failures[target.Node] = reason;
                        break;
                }
            });

        var results = await ingestor.IngestAsync(snapshots.ToArray(), cancellationToken);
        var versions = snapshots.ToDictionary(s => s.NodeName, s => s.AgentVersion, StringComparer.Ordinal);
        foreach (var r in results)
        {
            if (r.Outcome == IngestOutcome.Refused) failures[r.Node] = $"snapshot refused: {r.Error}";
            else seen.Add((r.Node, versions.GetValueOrDefault(r.Node)));
        }

        var changes = new List<ClusterChange>();
        var transitions = new List<AgentStateWrite>();
        foreach (var (node, version) in seen) MarkCurrent(node, version, now, changes, transitions);
        foreach (var (node, reason) in failures) MarkStale(node, reason, now, changes, transitions);

        var stored = results.Where(r => r.Outcome == IngestOutcome.Stored).ToArray();
        foreach (var r in stored)
        {
            changes.Add(new ClusterChange
            {
                Kind = ClusterChangeKind.NodeChanged,
                At = now,
                Node = r.Node,
                Summary = $"files changed: {string.Join(", ", r.ChangedFiles ?? [])}",
            });
        }

        await nodes.SaveAgentStatesAsync(transitions, now, cancellationToken);
        feed.Publish(changes);
        if (stored.Length > 0) await analysis.AnalyzeAsync(stored.Select(r => r.Node).ToArray(), cancellationToken);
        if (stored.Length >= BulkThreshold(names.Count)) memory.AfterBulkWork();

        var round = new PollRound
        {
            FinishedAt = time.GetUtcNow(),
            Duration = Stopwatch.GetElapsedTime(started),
            Nodes = names.Count,
            Unchanged = notModified + results.Count(r => r.Outcome == IngestOutcome.Unchanged),
            Changed = stored.Length,
            Failed = failures.Count,
        };
        status.Record(round);
        logger.LogDebug("Poll round: {Nodes} nodes, {Changed} changed, {Unchanged} unchanged, {Failed} failed in {Duration} ms",
            round.Nodes, round.Changed, round.Unchanged, round.Failed, round.Duration.TotalMilliseconds);
        return round;
    }

    /// <summary>A round that stored this many snapshots leaves enough garbage to be worth returning at once.</summary>
    private static int BulkThreshold(int nodes) => Math.Max(200, nodes / 10);

    private void MarkCurrent(string node, string? version, DateTimeOffset now, List<ClusterChange> changes, List<AgentStateWrite> transitions)
    {
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

    private void MarkStale(string node, string reason, DateTimeOffset now, List<ClusterChange> changes, List<AgentStateWrite> transitions)
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
            LastSeenAt = before?.LastSeenAt,
            Version = before?.Version,
        };
        fleet.SetAgent(node, after);
        if (before is not null && before.State == after.State && before.Reason == after.Reason) return;
        transitions.Add(new AgentStateWrite(node, after));
        logger.LogInformation("Node {Node} agent {State}: {Reason}", node, state, reason);
        changes.Add(new ClusterChange { Kind = ClusterChangeKind.AgentStatusChanged, At = now, Node = node, Summary = $"agent {state.ToString().ToLowerInvariant()}: {reason}" });
    }
}
