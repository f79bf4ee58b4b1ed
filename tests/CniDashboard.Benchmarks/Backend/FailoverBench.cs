using System.Diagnostics;
using System.Globalization;
using System.Net;
using CniDashboard.Benchmarks.Support;
using CniDashboard.Server.Audit;
using CniDashboard.Simulator;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CniDashboard.Benchmarks.Backend;

/// <summary>
/// <c>failover [--kills 10] [--nodes 12] [--lease 15]</c>: two dashboard processes on one PostgreSQL
/// database (a fresh one on the server in <c>CNI_DASHBOARD_TEST_POSTGRES</c> or <c>--connection</c>)
/// and one simulated cluster, with the chart's leader-election timings (lease 15 s, renew deadline
/// 10 s, retry 2 s; <c>--lease</c> scales them). Each time: SIGKILL the leader, time until the follower
/// leads (<c>cni_dashboard_leader</c> 1) and until it completed its first fetch round
/// (<c>cni_dashboard_poll_rounds_total</c> ≥ 1), then start a new replica as the next follower.
/// Prints Markdown for docs/performance.md.
/// </summary>
public static class FailoverBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var kills = ScaleCluster.Arg(args, "--kills", 10);
        var nodes = ScaleCluster.Arg(args, "--nodes", 12);
        var lease = TimeSpan.FromSeconds(ScaleCluster.Arg(args, "--lease", 15));
        var i = Array.IndexOf(args, "--connection");
        var server = i >= 0 && i + 1 < args.Length ? args[i + 1] : Environment.GetEnvironmentVariable("CNI_DASHBOARD_TEST_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            await Console.Error.WriteLineAsync("failover: pass --connection or set CNI_DASHBOARD_TEST_POSTGRES (source tests/throwaway-postgres.sh; start_throwaway_postgres)");
            return 2;
        }

        var c = CultureInfo.InvariantCulture;
        void Log(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
        var dataDir = Directory.CreateTempSubdirectory("cni-failover-bench-").FullName;
        var database = "cni_failover_" + Guid.NewGuid().ToString("n")[..12];
        await ExecuteAsync(server, $"CREATE DATABASE {database}");
        var replicas = new List<(Process Process, int Port, string Name)>();
        try
        {
            await using var cluster = await SimulatedCluster.StartAsync(new SimulationOptions
            {
                DataDir = Path.Combine(dataDir, "simulation"),
                NodeCount = nodes,
                AddressBase = IPAddress.Parse("127.20.0.0"),
                LoggerFactory = NullLoggerFactory.Instance,
            });
            var key = Path.Combine(dataDir, "audit-checkpoint.pem");
            using (AuditCheckpointKey.ReadOrCreate(key))
            {
            }

            var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
            var generation = 0;
            (Process, int, string) StartReplica()
            {
                var name = $"replica-{generation++}";
                string[] environment =
                [
                    "Dashboard__Store__Provider=postgres",
                    $"Dashboard__Store__ConnectionString={connection}",
                    $"Dashboard__Remediation__Identity={name}",
                    $"Dashboard__Leadership__LeaseDuration={lease.ToString("c", c)}",
                    $"Dashboard__Leadership__RenewDeadline={(lease * 2 / 3).ToString("c", c)}",
                    $"Dashboard__Leadership__RetryPeriod={(lease * 2 / 15).ToString("c", c)}",
                    $"Dashboard__Audit__Checkpoint__KeyFile={key}",
                ];
                var process = DashboardProcess.Start(cluster, Path.Combine(dataDir, name), "failover", environment, out var port);
                return (process, port, name);
            }

            replicas.Add(StartReplica());
            await WaitAsync(async () => await MetricAsync(replicas[0].Port, "cni_dashboard_leader") == 1, TimeSpan.FromMinutes(2), "the first replica to lead");
            replicas.Add(StartReplica());
            await WaitAsync(async () => await MetricAsync(replicas[1].Port, "cni_dashboard_leader") == 0, TimeSpan.FromMinutes(2), "the second replica to follow");

            var takeovers = new List<double>();
            var rounds = new List<double>();
            for (var k = 1; k <= kills; k++)
            {
                var leader = replicas.Single(r => !r.Process.HasExited && MetricAsync(r.Port, "cni_dashboard_leader").GetAwaiter().GetResult() == 1);
                var follower = replicas.Single(r => !r.Process.HasExited && r != leader);
                // Kill a leader that is at work: its first round done, and the follower's Lease view fresh.
                await WaitAsync(async () => await MetricAsync(leader.Port, "cni_dashboard_poll_rounds_total") >= 1, TimeSpan.FromMinutes(2), "the leader's first round");
                var clock = Stopwatch.StartNew();
                leader.Process.Kill(entireProcessTree: true);
                await leader.Process.WaitForExitAsync();
                await WaitAsync(async () => await MetricAsync(follower.Port, "cni_dashboard_leader") == 1, lease * 4, "the follower to lead");
                var led = clock.Elapsed.TotalSeconds;
                await WaitAsync(async () => await MetricAsync(follower.Port, "cni_dashboard_poll_rounds_total") >= 1, TimeSpan.FromMinutes(2), "the follower's first round");
                var round = clock.Elapsed.TotalSeconds;
                takeovers.Add(led);
                rounds.Add(round);
                Log(string.Create(c, $"kill {k}: {follower.Name} led after {led:0.0} s, first round done after {round:0.0} s"));
                replicas.Remove(leader);
                leader.Process.Dispose();
                var next = StartReplica();
                replicas.Add(next);
                await WaitAsync(async () => await MetricAsync(next.Item2, "cni_dashboard_leader") == 0, TimeSpan.FromMinutes(2), "the new replica to follow");
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(c, $"| leader failover, {kills} SIGKILLs, {nodes} nodes, lease {lease.TotalSeconds:0} s (renew deadline {(lease * 2 / 3).TotalSeconds:0} s, retry {(lease * 2 / 15).TotalSeconds:0} s) | p50 | max |"));
            Console.WriteLine("| --- | --- | --- |");
            Console.WriteLine(string.Create(c, $"| SIGKILL → the follower leads | {Percentile(takeovers, 0.5):0.0} s | {takeovers.Max():0.0} s |"));
            Console.WriteLine(string.Create(c, $"| SIGKILL → the follower's first completed fetch round | {Percentile(rounds, 0.5):0.0} s | {rounds.Max():0.0} s |"));
            return 0;
        }
        finally
        {
            foreach (var (process, _, _) in replicas)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.Dispose();
            }

            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>A metric's value (without labels) from <c>/metrics</c>, or -1 while the replica does not answer.</summary>
    private static async Task<double> MetricAsync(int port, string name)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            return line is null ? -1 : double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return -1;
        }
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
