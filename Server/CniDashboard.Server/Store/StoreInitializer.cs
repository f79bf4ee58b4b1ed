using CniDashboard.Server.Fleet;

namespace CniDashboard.Server.Store;

/// <summary>
/// Runs before everything else: applies migrations, then loads every node's latest snapshot, agent
/// status and open findings into memory, and the last hour's sandbox failures into the counters.
/// </summary>
public sealed class StoreInitializer(
    StoreMigrator migrator,
    FleetLoader loader,
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

        var loaded = await loader.LoadAllAsync(cancellationToken);
        logger.LogInformation("Store ready: {Nodes} nodes with history", loaded);
        _ready = true;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
