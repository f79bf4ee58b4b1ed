using CniDashboard.Demo.SignIn;
using CniDashboard.Simulator;

namespace CniDashboard.Demo;

/// <summary>A running demo: the simulated cluster, the identity provider, and the dashboard configuration that points at both.</summary>
public sealed class DemoSession : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    internal DemoSession(SimulatedCluster cluster, DemoIdentityProvider identityProvider, ILoggerFactory loggers, IReadOnlyDictionary<string, string?> configuration, string[] dashboardArgs, Uri url, IReadOnlyList<DemoCollector>? collectors = null)
    {
        Collectors = collectors ?? [];
        Cluster = cluster;
        IdentityProvider = identityProvider;
        _loggers = loggers;
        Configuration = configuration;
        DashboardArgs = dashboardArgs;
        Url = url;
    }

    /// <summary>The simulated cluster.</summary>
    public SimulatedCluster Cluster { get; }

    /// <summary>A fleet demo's further clusters and their running collectors (none for a single cluster).</summary>
    public IReadOnlyList<DemoCollector> Collectors { get; }

    /// <summary>The demo's OpenID Connect provider.</summary>
    public DemoIdentityProvider IdentityProvider { get; }

    /// <summary>Settings that point the dashboard at the simulated cluster and the identity provider; they win over any other source.</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; }

    /// <summary>The command line without the demo's flags.</summary>
    public string[] DashboardArgs { get; }

    /// <summary>Where the dashboard listens, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri Url { get; }

    /// <summary>Applies <see cref="Configuration"/> to the dashboard's builder (pass as <c>configure</c> to <c>DashboardWebApplication.CreateBuilder</c>).</summary>
    public void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddInMemoryCollection(Configuration);
    }

    /// <summary>Stops the identity provider and the simulation, saving its state; the data dir stays for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var collector in Collectors) await collector.DisposeAsync().ConfigureAwait(false);
        await IdentityProvider.DisposeAsync().ConfigureAwait(false);
        await Cluster.DisposeAsync().ConfigureAwait(false);
        _loggers.Dispose();
    }
}
