using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CniDashboard.Demo.SignIn;
using CniDashboard.Server.Audit;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// The real dashboard (DashboardWebApplication on Kestrel, 127.0.0.1) against the API emulator, in a
/// given sign-in mode, with a capturing audit log; for oidc, the demo's OpenIddict provider on loopback.
/// Clients can connect from another loopback address (127.0.0.2) to play a proxy's address.
/// </summary>
public sealed class AuthDashboard : IAsyncDisposable
{
    /// <summary>The address a "trusted proxy" client connects from.</summary>
    public static readonly IPAddress ProxyAddress = IPAddress.Parse("127.0.0.2");

    private readonly TempDir _dir;

    private AuthDashboard(TempDir dir, EmulatedApi kube, WebApplication app, CapturingAuditLog audit, DemoIdentityProvider? provider, Uri baseAddress)
    {
        _dir = dir;
        Kube = kube;
        App = app;
        Audit = audit;
        IdentityProvider = provider;
        BaseAddress = baseAddress;
    }

    public EmulatedApi Kube { get; }

    public WebApplication App { get; }

    public CapturingAuditLog Audit { get; }

    public DemoIdentityProvider? IdentityProvider { get; }

    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts it with <paramref name="settings"/> (Dashboard:Auth:* and the like); <paramref name="map"/>
    /// adds endpoints before it starts; <paramref name="dataDir"/> reuses a data dir (a restart).
    /// </summary>
    public static async Task<AuthDashboard> StartAsync(
        IDictionary<string, string?> settings,
        Action<WebApplication>? map = null,
        IReadOnlyList<DemoUser>? users = null,
        Action<WebApplicationBuilder>? configure = null,
        string? dataDir = null)
    {
        var kube = await EmulatedApi.StartAsync();
        var dir = new TempDir();
        DemoIdentityProvider? provider = null;
        try
        {
            var port = CniDashboard.Demo.FreePort.Pick();
            var all = new Dictionary<string, string?>(settings)
            {
                ["Dashboard:Kubernetes:Kubeconfig"] = kube.Kubeconfig,
                ["Dashboard:DataDir"] = dataDir ?? dir.Sub("dashboard"),
                ["Dashboard:ListenAddress"] = settings.TryGetValue("Dashboard:ListenAddress", out var listen) ? listen : "127.0.0.1",
                ["Dashboard:Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["Dashboard:Poller:AgentTokenFile"] = Path.Combine(dir.Path, "no-token"),
            };
            if (all.TryGetValue("Dashboard:Auth:Mode", out var mode) && mode == "oidc" && !all.ContainsKey("Dashboard:Auth:Oidc:Authority"))
            {
                provider = await DemoIdentityProvider.StartAsync(new DemoIdentityProviderOptions
                {
                    DashboardOrigins = [new Uri($"http://127.0.0.1:{port}/")],
                    Users = users ?? DemoUser.All,
                });
                all["Dashboard:Auth:Oidc:Authority"] = provider.Issuer.ToString();
                all["Dashboard:Auth:Oidc:ClientId"] = DemoIdentityProvider.ClientId;
                all["Dashboard:Auth:Oidc:ClientSecret"] = provider.ClientSecret;
                all["Dashboard:Auth:Oidc:Scopes:0"] = "profile";
                all["Dashboard:Auth:Oidc:Scopes:1"] = "email";
                all["Dashboard:Auth:Oidc:Scopes:2"] = DemoIdentityProvider.GroupsClaim;
                all.TryAdd("Dashboard:Auth:Oidc:Audience", DemoIdentityProvider.Audience);
            }

            var audit = new CapturingAuditLog();
            var builder = DashboardWebApplication.CreateBuilder([], b =>
            {
                b.Configuration.AddInMemoryCollection(all);
                b.Logging.ClearProviders();
                // Whatever audit log the app registers, these tests read this one.
                b.Services.RemoveAll<IAuditLog>();
                b.Services.AddSingleton<IAuditLog>(audit);
                configure?.Invoke(b);
            });
            var app = DashboardWebApplication.Build(builder);
            map?.Invoke(app);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new AuthDashboard(dir, kube, app, audit, provider, new Uri(address.EndsWith('/') ? address : address + "/"));
        }
        catch
        {
            if (provider is not null) await provider.DisposeAsync();
            await kube.DisposeAsync();
            dir.Dispose();
            throw;
        }
    }

    /// <summary>A client connecting from <paramref name="from"/> (default 127.0.0.1), redirects not followed, cookies kept.</summary>
    public HttpClient Client(IPAddress? from = null, CookieContainer? cookies = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies ?? new CookieContainer(),
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(from ?? IPAddress.Loopback, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (IdentityProvider is not null) await IdentityProvider.DisposeAsync();
        await Kube.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
