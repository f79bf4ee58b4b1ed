using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using CniDashboard.Simulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// The real dashboard (DashboardWebApplication on Kestrel 127.0.0.1:0) pointed at the real simulated
/// cluster: the API emulator, 12 nodes with real agents on real folders, the kubelet emitting
/// FailedCreatePodSandBox events from those files, the incident on some nodes.
/// </summary>
public class SimulatedDashboard : IAsyncLifetime
{
    private static int _instances;
    private readonly TempDir _dir = new();

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public SimulatedCluster Cluster { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(1);

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public async ValueTask InitializeAsync()
    {
        var instance = Interlocked.Increment(ref _instances);
        Cluster = await SimulatedCluster.StartAsync(new SimulationOptions
        {
            DataDir = _dir.Sub("simulation"),
            NodeCount = 12,
            AddressBase = IPAddress.Parse($"127.{60 + instance}.0.0"),
            TimeScale = 10,
        });

        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Kubernetes:Kubeconfig"] = Cluster.KubeconfigPath,
            ["Dashboard:Kubernetes:InitialBackoff"] = "00:00:00.100",
            ["Dashboard:Kubernetes:MaxBackoff"] = "00:00:01",
            ["Dashboard:Poller:AgentTokenFile"] = Cluster.AgentTokenFile,
            ["Dashboard:Poller:AgentPort"] = Cluster.AgentPort.ToString(CultureInfo.InvariantCulture),
            ["Dashboard:Poller:AgentCaFile"] = Cluster.AgentCaFile,
            ["Dashboard:Poller:AgentServerName"] = Cluster.AgentServerName,
            ["Dashboard:Poller:Interval"] = "00:00:01",
            ["Dashboard:Poller:RequestTimeout"] = "00:00:01",
            ["Dashboard:DataDir"] = _dir.Sub("dashboard"),
            ["Dashboard:ListenAddress"] = "127.0.0.1",
            ["Dashboard:Port"] = "0",
            ["Dashboard:ClusterName"] = "simulated",
        };
        foreach (var (key, value) in MoreSettings()) settings[key] = value;
        var builder = DashboardWebApplication.CreateBuilder([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.ClearProviders();
        });
        App = DashboardWebApplication.Build(builder);
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    /// <summary>Settings a derived fixture adds to (or changes in) the dashboard's configuration.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> MoreSettings() => [];

    /// <summary>GET as JSON; null for 404 (e.g. a node the watches have not listed yet), other failures throw.</summary>
    public async Task<T?> GetJsonAsync<T>(string path)
    {
        using var response = await Http.GetAsync(path);
        if (response.StatusCode == HttpStatusCode.NotFound) return default;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(Json);
    }

    public virtual async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
