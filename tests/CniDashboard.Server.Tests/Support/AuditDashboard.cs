using System.Net;
using System.Text.Json;
using CniDashboard.Server.Audit;
using CniDashboard.Simulator.Scenarios;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// The real dashboard host (DashboardWebApplication on Kestrel, 127.0.0.1:0) on a temp data dir,
/// pointed at the Kubernetes API emulator with the chart's checkpoint ConfigMap: no nodes, which
/// the audit log does not need.
/// </summary>
public sealed class AuditDashboard : IAsyncDisposable
{
    private readonly TempDir _dir = new();

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
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Kubernetes:Kubeconfig"] = cluster.Kubeconfig,
            ["Dashboard:Poller:AgentTokenFile"] = tokenFile,
            ["Dashboard:DataDir"] = dashboard.DataDir,
            ["Dashboard:ListenAddress"] = "127.0.0.1",
            ["Dashboard:Port"] = "0",
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
        dashboard.Http = new HttpClient { BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/") };
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

        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
