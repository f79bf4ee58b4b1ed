using CniDashboard.Server.Fleet;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Store;

/// <summary>
/// Runs before everything else: applies migrations, then loads every node's latest snapshot, agent
/// status and open findings into memory, and the last hour's sandbox failures into the counters.
/// </summary>
public sealed class StoreInitializer(
    StoreMigrator migrator,
    INodeRepository nodes,
    ISnapshotRepository snapshots,
    IFindingRepository findings,
    ISandboxEventRepository sandboxEvents,
    FleetState fleet,
    SandboxActivity activity,
    TimeProvider time,
    ILogger<StoreInitializer> logger) : IHostedService
{
    private volatile bool _ready;

    /// <summary>True once the store is open, migrated and loaded.</summary>
    public bool Ready => _ready;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = migrator.Migrate();
        if (applied.Count > 0) logger.LogInformation("Applied migrations: {Scripts}", string.Join(", ", applied));

        foreach (var row in await nodes.GetAllAsync(cancellationToken))
        {
            fleet.SetAgent(row.Name, new AgentStatus
            {
                State = row.AgentState,
                StaleSince = row.StaleSince,
                Reason = row.StaleReason,
                LastSeenAt = row.LastSeenAt,
                Version = row.AgentVersion,
            });
        }

        var latest = await snapshots.GetLatestForAllNodesAsync(cancellationToken);
        foreach (var content in latest) fleet.SetLatest(content.Header.Node, content);

        foreach (var group in (await findings.GetOpenAsync(cancellationToken)).GroupBy(f => f.Node, StringComparer.Ordinal))
            fleet.SetFindings(group.Key, group.Select(f => f.Finding).ToArray());

        foreach (var increment in await sandboxEvents.GetIncrementsAsync(time.GetUtcNow() - SandboxActivity.Window, cancellationToken))
            activity.Record(increment);

        logger.LogInformation("Store ready: {Nodes} nodes with history", latest.Count);
        _ready = true;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
