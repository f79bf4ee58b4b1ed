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
    TimeProvider time,
    ILogger<AnalysisScheduler> logger) : BackgroundService
{
    private readonly Channel<string?> _requests = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>How long triggers are gathered before analyzing.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Asks for a node to be re-analyzed soon.</summary>
    public void Schedule(string node) => _requests.Writer.TryWrite(node);

    /// <summary>Asks for every node to be re-analyzed soon (e.g. a DaemonSet rollout changed).</summary>
    public void ScheduleAll() => _requests.Writer.TryWrite(null);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _requests.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Debounce, time, stoppingToken);
                var all = false;
                var nodes = new HashSet<string>(StringComparer.Ordinal);
                while (reader.TryRead(out var node))
                {
                    if (node is null) all = true;
                    else nodes.Add(node);
                }

                var targets = all ? fleet.All.Select(n => n.Name).ToArray() : nodes.ToArray();
                try
                {
                    await analysis.AnalyzeAsync(targets, stoppingToken);
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
