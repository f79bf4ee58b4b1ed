using System.Threading.Channels;
using CniDashboard.Server.Fleet;

namespace CniDashboard.Server.Analysis;

/// <summary>
/// Re-analyzes nodes when their cluster facts change (CNI pods, sandbox errors, DaemonSet rollouts).
/// Triggers are gathered for a short debounce window so a rollout touching every node, or a burst of
/// events, becomes one analysis per node.
/// </summary>
public sealed class AnalysisScheduler(
    NodeAnalysisService analysis,
    FleetState fleet,
    MemoryTrimmer memory,
    TimeProvider time,
    ILogger<AnalysisScheduler> logger,
    Leadership.ReplicaLeadership? leadership = null) : BackgroundService
{
    private readonly Channel<string?> _requests = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>How long triggers are gathered before analyzing.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Least time between two whole-fleet passes. DaemonSet status moves with every pod that becomes
    /// ready during a rollout; re-judging 5,000 nodes on each of those would be most of the CPU.
    /// </summary>
    public TimeSpan FleetPassInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Nodes analyzed (and their findings written) together within one pass.</summary>
    public int PassChunkSize { get; init; } = 256;

    private DateTimeOffset _lastFleetPass = DateTimeOffset.MinValue;
    private bool _fleetPassDue;

    /// <summary>Asks for a node to be re-analyzed soon (on a follower, nothing: the leader analyzes, and judges every node when it starts).</summary>
    public void Schedule(string node)
    {
        if (leadership?.IsLeader != false) _requests.Writer.TryWrite(node);
    }

    /// <summary>Asks for every node to be re-analyzed soon (e.g. a DaemonSet rollout changed).</summary>
    public void ScheduleAll()
    {
        if (leadership?.IsLeader != false) _requests.Writer.TryWrite(null);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _requests.Reader;
        // A replica that just became leader judges every node once: facts changed while it followed.
        if (leadership?.Elects == true) ScheduleAll();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Debounce, time, stoppingToken);
                var nodes = new HashSet<string>(StringComparer.Ordinal);
                while (reader.TryRead(out var node))
                {
                    if (node is null) _fleetPassDue = true;
                    else nodes.Add(node);
                }

                var now = time.GetUtcNow();
                var wait = _lastFleetPass + FleetPassInterval - now;
                if (_fleetPassDue && wait > TimeSpan.Zero && nodes.Count == 0)
                {
                    // Not yet: come back when the interval is over (later triggers join this pass).
                    await Task.Delay(wait, time, stoppingToken);
                    now = time.GetUtcNow();
                }

                var all = _fleetPassDue && now - _lastFleetPass >= FleetPassInterval;
                if (all)
                {
                    _fleetPassDue = false;
                    _lastFleetPass = now;
                }
                else if (_fleetPassDue)
                {
                    _requests.Writer.TryWrite(null);
                }

                var targets = all ? fleet.All.Select(n => n.Name).ToArray() : nodes.ToArray();
                if (targets.Length == 0) continue;
                try
                {
                    // A whole-fleet pass goes a chunk at a time: each chunk's findings are written and
                    // published before the next is judged, so the pass never holds every node's changes,
                    // and a poll round's analysis can run between two chunks.
                    foreach (var chunk in targets.Chunk(PassChunkSize)) await analysis.AnalyzeAsync(chunk, stoppingToken);
                    if (all && targets.Length >= 200) memory.AfterBulkWork();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Scheduled analysis of {Count} nodes failed", targets.Length);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
