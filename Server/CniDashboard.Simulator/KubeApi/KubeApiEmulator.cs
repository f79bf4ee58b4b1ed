using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CniDashboard.Simulator.Controllers;
using CniDashboard.Simulator.Faults;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.KubeApi.Http;
using CniDashboard.Simulator.Pki;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.KubeApi;

/// <summary>
/// A Kubernetes API server on loopback, HTTPS only like a real one, serving the subset the dashboard
/// and agents use, so the product's own KubernetesClient code runs against it unchanged (verifying
/// the server with the kubeconfig's CA) and so do kubectl and client-go, which send no credentials
/// to a plain-HTTP server. Holds the cluster state, the token authority and (by default) the
/// DaemonSet controller.
/// </summary>
public sealed class KubeApiEmulator : IAsyncDisposable
{
    private readonly EventReaper _eventReaper;
    private readonly KubeApiHandler _handler;
    private readonly X509Certificate2 _servingCertificate;
    private readonly CertificateAuthority? _ownedCa;
    private readonly ILoggerFactory _loggers;
    private readonly SemaphoreSlim _restarting = new(1, 1);
    private WebApplication _app;
    private bool _disposed;

    private KubeApiEmulator(
        WebApplication app,
        Uri baseAddress,
        ClusterState cluster,
        TokenAuthority tokens,
        KubeApiHandler handler,
        string adminToken,
        DaemonSetController? daemonSets,
        EventReaper eventReaper,
        CertificateAuthority clusterCa,
        X509Certificate2 servingCertificate,
        CertificateAuthority? ownedCa,
        ILoggerFactory loggers)
    {
        _app = app;
        _loggers = loggers;
        _servingCertificate = servingCertificate;
        _ownedCa = ownedCa;
        CaCertificate = clusterCa.PublicCertificate;
        CaPem = clusterCa.CertificatePem;
        BaseAddress = baseAddress;
        Cluster = cluster;
        Tokens = tokens;
        _handler = handler;
        AdminToken = adminToken;
        DaemonSets = daemonSets;
        _eventReaper = eventReaper;
    }

    /// <summary>Where the API is served, e.g. <c>https://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The cluster CA certificate (no key): the only trust anchor a client needs for this server.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The cluster CA certificate as PEM.</summary>
    public string CaPem { get; }

    /// <summary>The stored objects; simulator code reads and writes them directly.</summary>
    public ClusterState Cluster { get; }

    /// <summary>Issues and validates ServiceAccount tokens.</summary>
    public TokenAuthority Tokens { get; }

    /// <summary>A bearer token for <see cref="KubeIdentities.ClusterAdmin"/>, for set-up and tools; never for product code.</summary>
    public string AdminToken { get; }

    /// <summary>The DaemonSet controller, unless turned off in the options.</summary>
    public DaemonSetController? DaemonSets { get; }

    /// <summary>Holds a request before or after it is served, for a test that crashes the caller at that point.</summary>
    public RequestHolds Holds { get; private init; } = new();

    /// <summary>The last requests answered: user, verb, path, status, <c>Audit-ID</c> and User-Agent of each.</summary>
    public ApiRequestLog Requests => _handler.Requests;

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
        var requests = new ApiRequestLog(options.RequestLogCapacity);
        var handler = new KubeApiHandler(cluster, tokens, new AccessPolicy(identities), staticTokens, requests, options, options.LoggerFactory.CreateLogger<KubeApiEmulator>());

        var ownedCa = options.ClusterCa is null ? CertificateAuthority.Create("cni-simulator cluster CA (ephemeral)") : null;
        var clusterCa = options.ClusterCa ?? ownedCa!;
        // Issued at every start: the addresses it listens on and the names clients may use for it.
        var serving = clusterCa.Issue("kube-apiserver", ["localhost", "kubernetes", "kubernetes.default.svc"], [IPAddress.Loopback, IPAddress.IPv6Loopback]);

        var holds = new RequestHolds();
        WebApplication app;
        try
        {
            app = await ServeAsync(handler, holds, serving, options.Port, options.LoggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            serving.Dispose();
            ownedCa?.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var daemonSets = options.RunDaemonSetController
            ? new DaemonSetController(cluster, options.LoggerFactory.CreateLogger<DaemonSetController>())
            : null;
        daemonSets?.Start();
        var reaper = new EventReaper(cluster, options.EventTimeToLive);
        return new KubeApiEmulator(app, new Uri(address.TrimEnd('/') + "/"), cluster, tokens, handler, adminToken, daemonSets, reaper, clusterCa, serving, ownedCa, options.LoggerFactory) { Holds = holds };
    }

    /// <summary>Kestrel on loopback <paramref name="port"/> (0: a free one), HTTPS with <paramref name="serving"/>, every request to <paramref name="handler"/> through <paramref name="holds"/>.</summary>
    private static async Task<WebApplication> ServeAsync(KubeApiHandler handler, RequestHolds holds, X509Certificate2 serving, int port, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(KubeApiEmulator).Assembly.GetName().Name });
        builder.Services.AddLogging();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(serving)));
        var app = builder.Build();
        app.Use((context, next) => holds.InvokeAsync(context, () => next(context)));
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return app;
    }

    /// <summary>
    /// Fault injection: the API server restarts, as a control-plane upgrade restarts kube-apiserver.
    /// It stops listening (every connection and watch stream ends, new connections are refused) for
    /// <paramref name="downtime"/>, then listens again on the same address with the same stored
    /// objects (etcd survives), while its watch cache starts afresh: every resourceVersion before the
    /// current one answers 410 Expired, so clients must list again.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime, CancellationToken cancellationToken = default)
    {
        await _restarting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Cluster.DropWatches();
            using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            }

            await _app.DisposeAsync().ConfigureAwait(false);
            Cluster.ExpireHistory();
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
            _app = await ServeAsync(_handler, Holds, _servingCertificate, BaseAddress.Port, _loggers, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _restarting.Release();
        }
    }

    /// <summary>
    /// Writes a kubeconfig (HTTPS server with the cluster CA as <c>certificate-authority-data</c>,
    /// token user) that <c>KubernetesClientConfiguration.BuildConfigFromConfigFile</c> and kubectl
    /// read; returns its full path.
    /// </summary>
    public string WriteKubeconfig(string path, string bearerToken, string? @namespace = null)
    {
        var fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(fullPath, KubeconfigWriter.Render(BaseAddress, CaPem, bearerToken, @namespace));
        return fullPath;
    }

    /// <summary>A client configuration for this emulator with the given token (and the cluster CA), without a file.</summary>
    public KubernetesClientConfiguration ClientConfiguration(string bearerToken) =>
        new() { Host = BaseAddress.GetLeftPart(UriPartial.Authority), AccessToken = bearerToken, SslCaCerts = [CaCertificate] };

    /// <summary>Issues a token for one of the product's ServiceAccounts, valid for the API server.</summary>
    public string IssueToken(string serviceAccount, TimeSpan? lifetime = null) =>
        Tokens.IssueServiceAccountToken(KubeIdentities.ProductNamespace, serviceAccount, lifetime: lifetime ?? TimeSpan.FromDays(365));

    /// <summary>
    /// The answer a TokenReview would give, in process: static tokens and ServiceAccount tokens,
    /// audience-checked against <paramref name="audiences"/> (or the API server's own).
    /// </summary>
    public TokenValidation Authenticate(string token, IReadOnlyList<string>? audiences = null) => _handler.Authenticate(token, audiences);

    /// <summary>
    /// How many authorized requests with <paramref name="verb"/> (<c>list</c>, <c>watch</c>, <c>get</c>,
    /// <c>create</c>…) on <paramref name="resource"/> (its plural, e.g. <c>nodes</c>) were served so far:
    /// lets a test tell a client that resumed its watch from one that listed again.
    /// </summary>
    public int RequestCount(string verb, string resource) => _handler.Served(verb, resource);

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

        // A restart under way finishes first: it replaces the server this stops.
        await _restarting.WaitAsync().ConfigureAwait(false);
        if (_disposed)
        {
            _restarting.Release();
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
        _servingCertificate.Dispose();
        _ownedCa?.Dispose();
        _restarting.Release();
    }
}
