using CniDashboard.Simulator;

namespace CniDashboard.Server.Demo;

/// <summary>A running demo: the simulated cluster and the dashboard configuration that points at it.</summary>
public sealed class DemoSession : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    internal DemoSession(SimulatedCluster cluster, ILoggerFactory loggers, IReadOnlyDictionary<string, string?> configuration, string[] dashboardArgs, Uri url)
    {
        Cluster = cluster;
        _loggers = loggers;
        Configuration = configuration;
        DashboardArgs = dashboardArgs;
        Url = url;
    }

    /// <summary>The simulated cluster.</summary>
    public SimulatedCluster Cluster { get; }

    /// <summary>Settings that point the dashboard at the simulated cluster; they win over any other source.</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; }

    /// <summary>The command line without the demo's flags.</summary>
    public string[] DashboardArgs { get; }

    /// <summary>Where the dashboard listens.</summary>
    public Uri Url { get; }

    /// <summary>Applies <see cref="Configuration"/> to the dashboard's builder (pass as <c>configure</c> to <c>DashboardWebApplication.CreateBuilder</c>).</summary>
    public void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddInMemoryCollection(Configuration);
    }

    /// <summary>Stops the simulation, saving its state; the data dir stays for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync().ConfigureAwait(false);
        _loggers.Dispose();
    }
}
