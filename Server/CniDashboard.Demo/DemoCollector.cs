using System.Globalization;
using System.Net;
using CniDashboard.Server;
using CniDashboard.Simulator;

namespace CniDashboard.Demo;

/// <summary>
/// One more simulated cluster of a fleet demo (<c>--clusters N</c>) and the collector that watches it:
/// the dashboard executable's own code in <c>Dashboard:Mode=collector</c>, writing under its cluster id
/// into the shared PostgreSQL, serving health and metrics only, exactly as a collector in a real cluster.
/// </summary>
public sealed class DemoCollector : IAsyncDisposable
{
    private WebApplication? _app;

    private DemoCollector(string clusterId, SimulatedCluster cluster, IReadOnlyDictionary<string, string?> configuration)
    {
        ClusterId = clusterId;
        Cluster = cluster;
        Configuration = configuration;
    }

    /// <summary>The cluster's id in the fleet, e.g. <c>demo-2</c>.</summary>
    public string ClusterId { get; }

    /// <summary>Its simulated cluster.</summary>
    public SimulatedCluster Cluster { get; }

    /// <summary>The collector's settings (they point it at its simulated cluster and the shared store).</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; }

    /// <summary>
    /// Starts simulated cluster number <paramref name="number"/> (2, 3, …) in its own folder and on its
    /// own loopback range, with a seed of its own so its incident falls on other nodes.
    /// </summary>
    public static async Task<DemoCollector> StartClusterAsync(int number, DemoOptions options, string dataDir, string postgres, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var id = FleetClusterId(number);
        var folder = Path.Combine(dataDir, id);
        var cluster = await SimulatedCluster.StartAsync(
            new SimulationOptions
            {
                DataDir = Path.Combine(folder, "simulation"),
                NodeCount = options.Nodes,
                Seed = options.Seed + number - 1,
                TimeScale = options.TimeScale,
                // Cluster 1 has the default 127.1.x.y; each further one a range of its own.
                AddressBase = IPAddress.Parse($"127.{1 + (10 * (number - 1))}.0.0"),
                LoggerFactory = loggers,
            },
            cancellationToken).ConfigureAwait(false);
        var collectorDir = Path.Combine(folder, "collector");
        Directory.CreateDirectory(collectorDir);
        var configuration = new Dictionary<string, string?>(DemoMode.ClusterSettings(cluster, collectorDir), StringComparer.Ordinal)
        {
            ["Dashboard:Mode"] = "collector",
            ["Dashboard:Cluster:Id"] = id,
            ["Dashboard:Store:Provider"] = "postgres",
            ["Dashboard:Store:ConnectionString"] = postgres,
            ["Dashboard:Port"] = "0",
            ["Dashboard:ClusterName"] = $"{id} (simulated EKS, {cluster.Nodes.Count} nodes)",
            ["Dashboard:Auth:Mode"] = "none",
            // The collector's own log lines would drown the dashboard's: warnings and errors only.
            ["Logging:LogLevel:Default"] = "Warning",
        };
        return new DemoCollector(id, cluster, configuration);
    }

    /// <summary>The id of fleet cluster number <paramref name="number"/>: <c>demo-1</c>, <c>demo-2</c>, ….</summary>
    public static string FleetClusterId(int number) => string.Create(CultureInfo.InvariantCulture, $"demo-{number}");

    /// <summary>Starts the collector (the same application the dashboard builds, in collector mode).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var app = DashboardWebApplication.Build(DashboardWebApplication.CreateBuilder([], b => b.Configuration.AddInMemoryCollection(Configuration)));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
    }

    /// <summary>Stops the collector and its simulated cluster (its data stays for the next start).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        await Cluster.DisposeAsync().ConfigureAwait(false);
    }
}
