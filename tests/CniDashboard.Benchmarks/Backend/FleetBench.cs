using System.Diagnostics;
using System.Globalization;
using Bunit;
using CniDashboard.Client.Components.Pages;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Options;
using CniDashboard.Server.Queries;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor.Services;
using Npgsql;

namespace CniDashboard.Benchmarks.Backend;

/// <summary>
/// <c>fleet [--clusters 10] [--nodes 500] [--renders 20]</c>: a fleet in one PostgreSQL (issue 14). Each
/// cluster's nodes are ingested through the dashboard's own path under that cluster's id (a snapshot per
/// node, agent states, findings on a share of them), then the fleet overview and one cluster's nodes page
/// are rendered server side (bUnit, over <see cref="FleetQueries"/> on the real store) and timed until
/// their rows are in the markup; the store's size is read from <c>pg_database_size</c> before and after
/// the first snapshots and after one changed snapshot per node (a day with one change per node). Server
/// from <c>CNI_DASHBOARD_TEST_POSTGRES</c> or <c>--connection</c>. Prints figures; asserts nothing.
/// </summary>
public static class FleetBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var clusters = Option(args, "--clusters", 10);
        var nodes = Option(args, "--nodes", 500);
        var renders = Option(args, "--renders", 20);
        var server = Value(args, "--connection") ?? Environment.GetEnvironmentVariable("CNI_DASHBOARD_TEST_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            await Console.Error.WriteLineAsync("fleet: pass --connection or set CNI_DASHBOARD_TEST_POSTGRES (source tests/throwaway-postgres.sh; start_throwaway_postgres)");
            return 2;
        }

        var c = CultureInfo.InvariantCulture;
        var name = "cni_fleet_" + Guid.NewGuid().ToString("n")[..16];
        await ExecuteAsync(server, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        try
        {
            await using var connections = new PostgresConnectionFactory(connectionString);
            new StoreMigrator(connections, NullLogger<StoreMigrator>.Instance).Migrate();
            var empty = await SizeAsync(connections);
            var template = Fleet.Build(4)[3].Files;
            var ids = Enumerable.Range(1, clusters).Select(i => string.Create(c, $"prod-{i:D2}")).ToArray();
            var ingest = Stopwatch.StartNew();
            for (var i = 0; i < clusters; i++) await PopulateAsync(connections, new StoreCluster(ids[i]), template, nodes, i, changed: false);
            ingest.Stop();
            var first = await SizeAsync(connections);
            for (var i = 0; i < clusters; i++) await PopulateAsync(connections, new StoreCluster(ids[i]), template, nodes, i, changed: true);
            var day = await SizeAsync(connections);
            var total = clusters * nodes;
            Console.WriteLine(string.Create(c, $"fleet: {clusters} clusters x {nodes} nodes = {total} nodes in one PostgreSQL; first snapshots ingested in {ingest.Elapsed.TotalSeconds:F1} s"));
            Console.WriteLine(string.Create(c, $"store size: {(first - empty) / (double)total:N0} bytes per node for its first snapshot (with findings), {(day - first) / (double)total:N0} bytes per node per day at one changed file per node per day"));

            var options = Microsoft.Extensions.Options.Options.Create(new DashboardOptions());
            var queries = new FleetQueries(new FleetRepository(connections), new StoreCluster(ids[0]), options, connections, TimeProvider.System);
            var worst = (await queries.GetOverviewAsync(CancellationToken.None)).Clusters[0].Id;
            var overview = await TimeRendersAsync<FleetOverviewPage>(queries, renders, _ => { }, "[data-testid=fleet-cluster]", clusters);
            var page = await TimeRendersAsync<ClusterNodesPage>(queries, renders, p => p.Add(x => x.Cluster, worst), "[data-testid=cluster-node]", nodes);
            Console.WriteLine(string.Create(c, $"fleet overview render (server side, {clusters} clusters, findings across them): median {overview.Median:F1} ms, p95 {overview.P95:F1} ms over {renders}"));
            Console.WriteLine(string.Create(c, $"a cluster's nodes page render ({nodes} rows from the store): median {page.Median:F1} ms, p95 {page.P95:F1} ms over {renders}"));
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    /// <summary>Each node's snapshot (its own MTU, so one new blob each), its agent state, and findings on 10% (critical) and 20% (warning) of the nodes.</summary>
    private static async Task PopulateAsync(PostgresConnectionFactory connections, StoreCluster cluster, IReadOnlyList<Shared.Cni.CniFolderFile> template, int nodes, int index, bool changed)
    {
        var work = IngestThroughput.Generate(template, nodes, index * 2 + (changed ? 1 : 0))
            .Select((s, i) => s with { NodeName = string.Create(CultureInfo.InvariantCulture, $"ip-10-0-{i / 250}-{i % 250}") }).ToArray();
        var options = Microsoft.Extensions.Options.Options.Create(new DashboardOptions());
        var ingestor = new SnapshotIngestor(new SnapshotRepository(connections, cluster), new FleetState(), TimeProvider.System, options, NullLogger<SnapshotIngestor>.Instance);
        await ingestor.IngestAsync(work, CancellationToken.None);
        if (changed) return;
        var now = DateTimeOffset.UtcNow;
        await new NodeRepository(connections, cluster).SaveAgentStatesAsync([.. work.Select(s => new AgentStateWrite(s.NodeName, new AgentStatus { State = AgentState.Current, LastSeenAt = now }))], now, CancellationToken.None);
        var findings = work.Select((s, i) => (s.NodeName, Severity: i % 10 == 0 ? Severity.Critical : i % 5 == 1 ? Severity.Warning : (Severity?)null))
            .Where(x => x.Severity is not null && (x.Severity == Severity.Warning || index % 3 != 2))
            .Select(x => new FindingChanges
            {
                Node = x.NodeName,
                At = now,
                Opened = [new Finding { Rule = x.Severity == Severity.Critical ? "mesh-token-pod-gone" : "known-bad-installer-image", Severity = x.Severity!.Value, Message = "m", Explanation = "e", Remediation = "r" }],
                WorstSeverity = x.Severity,
            }).ToArray();
        await new FindingRepository(connections, cluster).ApplyAsync(findings, CancellationToken.None);
    }

    private static async Task<(double Median, double P95)> TimeRendersAsync<TPage>(IFleetQueries queries, int renders, Action<ComponentParameterCollectionBuilder<TPage>> parameters, string rows, int expected)
        where TPage : IComponent
    {
        var times = new List<double>(renders);
        for (var i = 0; i <= renders; i++)
        {
            await using var ctx = new BunitContext();
            ctx.JSInterop.Mode = JSRuntimeMode.Loose;
            ctx.Services.AddMudServices();
            ctx.Services.AddSingleton(queries);
            ctx.Services.AddSingleton(TimeProvider.System);
            ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
            var clock = Stopwatch.StartNew();
            var cut = ctx.Render(parameters);
            cut.WaitForAssertion(() => { if (cut.FindAll(rows).Count < Math.Min(expected, 500)) throw new InvalidOperationException("rows not there yet"); }, TimeSpan.FromSeconds(30));
            clock.Stop();
            if (i > 0) times.Add(clock.Elapsed.TotalMilliseconds); // the first warms up JIT and the pool
        }

        times.Sort();
        return (times[times.Count / 2], times[(int)Math.Ceiling(times.Count * 0.95) - 1]);
    }

    private static async Task<long> SizeAsync(PostgresConnectionFactory connections)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        await using var vacuum = connection.CreateCommand();
        vacuum.CommandText = "CHECKPOINT";
        await vacuum.ExecuteNonQueryAsync();
        await using var size = connection.CreateCommand();
        size.CommandText = "SELECT pg_database_size(current_database())";
        return Convert.ToInt64(await size.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int Option(string[] args, string name, int fallback) =>
        Value(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
