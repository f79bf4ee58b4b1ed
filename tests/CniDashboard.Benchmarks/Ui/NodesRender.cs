using System.Diagnostics;
using System.Globalization;
using System.Net;
using Bunit;
using CniDashboard.Client.Components.Pages;
using CniDashboard.Benchmarks.Support;
using CniDashboard.Server;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Simulator;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor.Services;

namespace CniDashboard.Benchmarks.Ui;

/// <summary>
/// <c>ui-render [--nodes 5000] [--renders 20] [--hold-kubelet]</c>: the server side of the Nodes
/// page's first interactive render, rows included, without a browser. The simulated cluster and
/// the real dashboard host run in this process; once every node is stored, the <see cref="Nodes"/>
/// page is rendered (bUnit, interactive server renderer) over the host's own
/// <see cref="IDashboardQueries"/> and change feed, timed from the start of the render until its
/// first node rows are in the markup: page init, filter values, the four severity counts, the
/// virtualizer's first rows query, and rendering them. Prints Markdown; asserts nothing.
/// </summary>
public static class NodesRender
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => ScaleCluster.Arg(args, name, fallback);

        var nodes = Arg("--nodes", 5000);
        var renders = Arg("--renders", 20);
        var c = CultureInfo.InvariantCulture;
        void Log(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

        var dataDir = Directory.CreateTempSubdirectory("cni-ui-render-").FullName;
        try
        {
            Log($"starting the simulated cluster with {nodes} nodes and the dashboard in this process");
            var started = Stopwatch.StartNew();
            await using var cluster = await SimulatedCluster.StartAsync(new SimulationOptions
            {
                DataDir = Path.Combine(dataDir, "simulation"),
                NodeCount = nodes,
                AddressBase = IPAddress.Parse("127.28.0.0"),
                LoggerFactory = NullLoggerFactory.Instance,
            });
            // Named as the host is, so it finds its static-asset manifest beside this program.
            var builder = DashboardWebApplication.CreateBuilder(["--applicationName", "cni-dashboard"], b =>
            {
                var settings = InProcessDashboard.Settings(cluster, Path.Combine(dataDir, "dashboard"));
                settings["Dashboard:ClusterName"] = "ui-render";
                b.Configuration.AddInMemoryCollection(settings);
                b.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
            });
            await using var app = DashboardWebApplication.Build(builder);
            await app.StartAsync();
            try
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                using (var http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") })
                {
                    await UiScale.WaitForNodesAsync(http, nodes, TimeSpan.FromMinutes(10));
                }

                Log($"all {nodes} nodes stored after {started.Elapsed.TotalSeconds:0.0} s");
                if (args.Contains("--hold-kubelet"))
                {
                    cluster.SetTimeScale(0.001);
                    Log("simulated kubelet held still (agents still answer the dashboard's 5 s polls)");
                }

                var times = new List<double>();
                var rows = 0;
                for (var i = 0; i < renders; i++)
                {
                    var (took, shown) = await RenderOnceAsync(app.Services);
                    times.Add(took.TotalMilliseconds);
                    rows = shown;
                }

                Log(string.Create(c, $"Nodes page rendered with rows: {string.Join(", ", times.Select(t => t.ToString("0.0", c)))} ms ({rows} rows)"));
                var rest = times.Skip(1).Order().ToList();
                Console.WriteLine();
                Console.WriteLine("| measure | value | bar |");
                Console.WriteLine("| --- | --- | --- |");
                Console.WriteLine(string.Create(c, $"| Nodes page, {nodes:N0} nodes, server-side first interactive render until its first {rows} rows are in the markup (bUnit over the host's queries), {renders}: first / p50 / max of the rest | {times[0]:0.0} / {rest[rest.Count / 2]:0.0} / {rest[^1]:0.0} ms | ≤ 150 ms |"));
                return 0;
            }
            finally
            {
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>Renders the page once in a fresh context (as a new circuit would) and times it until rows show.</summary>
    private static async Task<(TimeSpan Took, int Rows)> RenderOnceAsync(IServiceProvider host)
    {
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        context.Services.AddSingleton(host.GetRequiredService<IDashboardQueries>());
        context.Services.AddSingleton(host.GetRequiredService<IClusterChangeFeed>());
        context.Services.AddSingleton(TimeProvider.System);
        context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        context.Services.GetRequiredService<NavigationManager>().NavigateTo("nodes");

        var clock = Stopwatch.StartNew();
        var cut = context.Render<Nodes>();
        cut.WaitForState(() => cut.FindAll("[data-testid=node-row]").Count > 0, TimeSpan.FromSeconds(60));
        var took = clock.Elapsed;
        return (took, cut.FindAll("[data-testid=node-row]").Count);
    }
}
