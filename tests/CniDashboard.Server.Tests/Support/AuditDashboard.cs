using System.Net;
using System.Text.Json;
using CniDashboard.Demo.SignIn;
using CniDashboard.Server.Audit;
using CniDashboard.Simulator.Scenarios;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// The real dashboard host (DashboardWebApplication on Kestrel, 127.0.0.1) on a temp data dir,
/// pointed at the Kubernetes API emulator with the chart's checkpoint ConfigMap (no nodes, which
/// the audit log does not need), signing people in with the demo's OpenID Connect provider.
/// <see cref="Http"/> calls the API as <c>admin</c> (Ada Admin) with a bearer token, whose sign-in
/// is entry 1 of the audit log when a test begins.
/// </summary>
public sealed class AuditDashboard : IAsyncDisposable
{
    private readonly TempDir _dir = new();

    private DemoIdentityProvider? _identityProvider;

    private AuditDashboard(EmulatedApi cluster) => Cluster = cluster;

    public EmulatedApi Cluster { get; }
    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDir => Path.Combine(_dir.Path, "data");
    public string DatabasePath => Path.Combine(DataDir, CniDashboard.Server.Store.SqliteConnectionFactory.FileName);
    public string PublicKeyPath => AuditCheckpointKey.PublicKeyPath(Get<AuditCheckpointSigner>().KeyPath);

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<AuditDashboard> StartAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var cluster = await EmulatedApi.StartAsync();
        cluster.Api.Cluster.ConfigMaps.Create(AuditCheckpointConfigMap.Create());
        var dashboard = new AuditDashboard(cluster);
        var tokenFile = Path.Combine(dashboard._dir.Path, "agent-token");
        await File.WriteAllTextAsync(tokenFile, "agent-token\n");
        var port = CniDashboard.Demo.FreePort.Pick();
        dashboard._identityProvider = await DemoIdentityProvider.StartAsync(new DemoIdentityProviderOptions
        {
            DashboardOrigins = [new Uri($"http://127.0.0.1:{port}/")],
            Users = DemoUser.All,
        });
        var idp = dashboard._identityProvider;
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Auth:Mode"] = "oidc",
            ["Dashboard:Auth:Oidc:Authority"] = idp.Issuer.ToString(),
            ["Dashboard:Auth:Oidc:ClientId"] = DemoIdentityProvider.ClientId,
            ["Dashboard:Auth:Oidc:ClientSecret"] = idp.ClientSecret,
            ["Dashboard:Auth:Oidc:Scopes:0"] = DemoIdentityProvider.GroupsClaim,
            ["Dashboard:Auth:Oidc:RolesClaim"] = DemoIdentityProvider.GroupsClaim,
            ["Dashboard:Auth:Oidc:Audience"] = DemoIdentityProvider.Audience,
            ["Dashboard:Auth:Roles:Viewer:0"] = DemoUser.DemoGroups.Viewers,
            ["Dashboard:Auth:Roles:Operator:0"] = DemoUser.DemoGroups.Operators,
            ["Dashboard:Auth:Roles:Approver:0"] = DemoUser.DemoGroups.Approvers,
            ["Dashboard:Auth:Roles:Admin:0"] = DemoUser.DemoGroups.Admins,
            ["Dashboard:Kubernetes:Kubeconfig"] = cluster.Kubeconfig,
            ["Dashboard:Poller:AgentTokenFile"] = tokenFile,
            ["Dashboard:DataDir"] = dashboard.DataDir,
            ["Dashboard:ListenAddress"] = "127.0.0.1",
            ["Dashboard:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Dashboard:ClusterName"] = "audit-test",
        };
        var builder = DashboardWebApplication.CreateBuilder([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.ClearProviders();
            configure?.Invoke(b);
        });
        dashboard.App = DashboardWebApplication.Build(builder);
        await dashboard.App.StartAsync();
        var address = dashboard.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        dashboard.Http = new HttpClient { BaseAddress = baseAddress };
        dashboard.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", await HeadlessSignIn.GetAccessTokenAsync(idp, baseAddress, "admin"));
        // The token's first use is recorded as admin's sign-in: entry 1 of every test's log.
        (await dashboard.Http.GetAsync("api/v1/settings")).EnsureSuccessStatusCode();
        return dashboard;
    }

    /// <summary>PUTs a setting's value; returns the status.</summary>
    public async Task<HttpStatusCode> PutSettingAsync(string name, string value)
    {
        using var response = await Http.PutAsJsonAsync($"api/v1/settings/{name}", new { value });
        return response.StatusCode;
    }

    public async Task<T> GetJsonAsync<T>(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>(SimulatedDashboard.Json))!;
    }

    public static JsonSerializerOptions Json => SimulatedDashboard.Json;

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        if (_identityProvider is not null) await _identityProvider.DisposeAsync();
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
