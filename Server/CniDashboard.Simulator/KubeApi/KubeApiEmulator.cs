using System.Net;
using System.Security.Cryptography;
using CniDashboard.Simulator.Controllers;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.KubeApi.Http;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.KubeApi;

/// <summary>
/// A Kubernetes API server on loopback HTTP, serving the subset the dashboard and agents use, so
/// the product's own KubernetesClient code runs against it unchanged. Holds the cluster state,
/// the token authority and (by default) the DaemonSet controller.
/// </summary>
public sealed class KubeApiEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EventReaper _eventReaper;
    private readonly KubeApiHandler _handler;
    private bool _disposed;

    private KubeApiEmulator(
        WebApplication app,
        Uri baseAddress,
        ClusterState cluster,
        TokenAuthority tokens,
        KubeApiHandler handler,
        string adminToken,
        DaemonSetController? daemonSets,
        EventReaper eventReaper)
    {
        _app = app;
        BaseAddress = baseAddress;
        Cluster = cluster;
        Tokens = tokens;
        _handler = handler;
        AdminToken = adminToken;
        DaemonSets = daemonSets;
        _eventReaper = eventReaper;
    }

    /// <summary>Where the API is served, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The stored objects; simulator code reads and writes them directly.</summary>
    public ClusterState Cluster { get; }

    /// <summary>Issues and validates ServiceAccount tokens.</summary>
    public TokenAuthority Tokens { get; }

    /// <summary>A bearer token for <see cref="KubeIdentities.ClusterAdmin"/>, for set-up and tools; never for product code.</summary>
    public string AdminToken { get; }

    /// <summary>The DaemonSet controller, unless turned off in the options.</summary>
    public DaemonSetController? DaemonSets { get; }

    public static async Task<KubeApiEmulator> StartAsync(KubeApiEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeApiEmulatorOptions();
        options.Validate();

        var cluster = new ClusterState(options.TimeProvider, options.WatchHistoryCapacity, options.Seed, options.ListSnapshotCapacity);
        var tokens = new TokenAuthority(cluster, options.Issuer, options.ApiAudiences, options.TokenSigningKey);
        var adminToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var staticTokens = new Dictionary<string, string>(options.StaticTokens) { [adminToken] = KubeIdentities.ClusterAdmin.Username };
        var identities = options.Identities.Any(i => i.Username == KubeIdentities.ClusterAdmin.Username)
            ? options.Identities
            : [.. options.Identities, KubeIdentities.ClusterAdmin];
        var handler = new KubeApiHandler(cluster, tokens, new AccessPolicy(identities), staticTokens, options, options.LoggerFactory.CreateLogger<KubeApiEmulator>());

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(KubeApiEmulator).Assembly.GetName().Name });
        builder.Services.AddLogging();
        builder.Services.AddSingleton(options.LoggerFactory);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var daemonSets = options.RunDaemonSetController
            ? new DaemonSetController(cluster, options.LoggerFactory.CreateLogger<DaemonSetController>())
            : null;
        daemonSets?.Start();
        var reaper = new EventReaper(cluster, options.EventTimeToLive);
        return new KubeApiEmulator(app, new Uri(address.TrimEnd('/') + "/"), cluster, tokens, handler, adminToken, daemonSets, reaper);
    }

    /// <summary>
    /// Writes a kubeconfig (plain-HTTP server, token user) that
    /// <c>KubernetesClientConfiguration.BuildConfigFromConfigFile</c> reads; returns its full path.
    /// </summary>
    public string WriteKubeconfig(string path, string bearerToken, string? @namespace = null)
    {
        var fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(fullPath, KubeconfigWriter.Render(BaseAddress, bearerToken, @namespace));
        return fullPath;
    }

    /// <summary>A client configuration for this emulator with the given token, without a file.</summary>
    public KubernetesClientConfiguration ClientConfiguration(string bearerToken) =>
        new() { Host = BaseAddress.GetLeftPart(UriPartial.Authority), AccessToken = bearerToken };

    /// <summary>Issues a token for one of the product's ServiceAccounts, valid for the API server.</summary>
    public string IssueToken(string serviceAccount, TimeSpan? lifetime = null) =>
        Tokens.IssueServiceAccountToken(KubeIdentities.ProductNamespace, serviceAccount, lifetime: lifetime ?? TimeSpan.FromDays(365));

    /// <summary>
    /// The answer a TokenReview would give, in process: static tokens and ServiceAccount tokens,
    /// audience-checked against <paramref name="audiences"/> (or the API server's own).
    /// </summary>
    public TokenValidation Authenticate(string token, IReadOnlyList<string>? audiences = null) => _handler.Authenticate(token, audiences);

    /// <summary>Fault injection: ends every open HTTP watch stream now.</summary>
    public void DropWatches() => Cluster.DropWatches();

    /// <summary>Fault injection: every resourceVersion before the current one answers 410 Expired.</summary>
    public void ExpireHistory() => Cluster.ExpireHistory();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (DaemonSets is not null)
        {
            await DaemonSets.DisposeAsync().ConfigureAwait(false);
        }

        await _eventReaper.DisposeAsync().ConfigureAwait(false);

        // Open watches would otherwise hold the server's shutdown until its timeout.
        Cluster.DropWatches();
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
