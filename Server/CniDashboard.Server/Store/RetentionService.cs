using CniDashboard.Server.Fleet;
using CniDashboard.Server.Options;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Store;

/// <summary>Prunes snapshots and sandbox events past the retention period, then unreferenced blobs.</summary>
public sealed class RetentionService(
    IRetentionRepository retention,
    FleetState fleet,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<RetentionService> logger) : BackgroundService
{
    private readonly RetentionOptions _options = options.Value.Retention;

    /// <summary>One pass: prunes everything older than the retention period.</summary>
    public async Task<RetentionResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - _options.Keep;
        var result = await retention.PruneAsync(before, cancellationToken);
        fleet.TrimContentCache();
        if (result.Snapshots + result.Blobs + result.SandboxEvents > 0)
        {
            logger.LogInformation("Retention: pruned {Snapshots} snapshots, {Events} sandbox events and {Blobs} blobs older than {Before:u}",
                result.Snapshots, result.SandboxEvents, result.Blobs, before);
        }

        return result;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Retention pass failed; retrying next interval");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
