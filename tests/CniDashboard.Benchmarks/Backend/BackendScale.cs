using System.Diagnostics;
using System.Globalization;
using CniDashboard.Benchmarks.Support;

namespace CniDashboard.Benchmarks.Backend;

/// <summary>
/// <c>backend [--nodes 5000] [--rounds 5] [--changed-rounds 3] [--snapshots 4000]</c>: the dashboard
/// backend at scale. The simulated cluster (API emulator, one real agent per node on its own
/// 127.x address, kubelet) runs in this process; the dashboard runs as its own process (the real
/// <c>cni-dashboard</c>), so its RSS is its own. Figures come from the dashboard's /metrics and
/// /proc; the ingest comparison runs in-process first. Prints Markdown for docs/performance.md.
/// </summary>
public static class BackendScale
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => ScaleCluster.Arg(args, name, fallback);

        var nodes = Arg("--nodes", 5000);
        var rounds = Arg("--rounds", 5);
        var changedRounds = Arg("--changed-rounds", 3);
        var snapshots = Arg("--snapshots", 4000);
        var hold = Arg("--hold", 0);
        var c = CultureInfo.InvariantCulture;
        void Log(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

        var ingest = await IngestThroughput.RunAsync(snapshots, repetitions: 5, Log);

        var dataDir = Directory.CreateTempSubdirectory("cni-backend-scale-").FullName;
        try
        {
            Log($"starting the simulated cluster with {nodes} nodes");
            var started = Stopwatch.StartNew();
            await using var cluster = await ScaleCluster.StartAsync(dataDir, nodes);
            Log($"simulated cluster up in {started.Elapsed.TotalSeconds:0.0} s; agents on port {cluster.AgentPort}");

            // --dashboard-env NAME=VALUE (repeatable): an experiment's setting for the dashboard process only (e.g. a GC knob).
            // This run measures poll rounds: the poll design (`announce` compares it with announcements).
            string[] dashboardEnv = ["Dashboard__Poller__Mode=Poll", .. args.Select((a, i) => (a, i)).Where(x => x.a == "--dashboard-env" && x.i + 1 < args.Length).Select(x => args[x.i + 1])];
            using var dashboard = DashboardProcess.Start(cluster, Path.Combine(dataDir, "dashboard"), "scale", dashboardEnv, out var port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
            var metrics = new Metrics(http);

            // Settle: every node listed and stored once. RSS is logged each second until then, so the
            // peak can be placed: start-up and the watches' first lists, or the first round's ingest.
            var progress = Stopwatch.StartNew();
            await metrics.WaitAsync(m =>
            {
                if (progress.Elapsed > TimeSpan.FromSeconds(1))
                {
                    progress.Restart();
                    Log($"  nodes current {m.Get("cni_dashboard_nodes", "state=\"current\"")}, stale {m.Get("cni_dashboard_nodes", "state=\"stale\"")}, unknown {m.Get("cni_dashboard_nodes", "state=\"unknown\"")}; rounds {m.Get("cni_dashboard_poll_rounds_total")}, last failed {m.Get("cni_dashboard_poll_failed_nodes")}; RSS {Rss(dashboard.Id)} MiB, peak {PeakRss(dashboard.Id)} MiB");
                }

                return m.Get("cni_dashboard_nodes", "state=\"current\"") >= nodes;
            }, TimeSpan.FromMinutes(5), "every node current");
            Log($"all {nodes} nodes stored after {started.Elapsed.TotalSeconds:0.0} s; RSS {Rss(dashboard.Id)} MiB, peak {PeakRss(dashboard.Id)} MiB");
            var first = await metrics.NextRoundAsync();
            Log($"warm-up round: {first.Duration * 1000:0} ms ({first.Changed} changed, {first.Unchanged} unchanged, {first.Failed} failed)");

            var dbPath = Path.Combine(dataDir, "dashboard", "cni-dashboard.db");
            var sizeBefore = DatabaseBytes(dbPath);
            // CPU over the unchanged rounds (intervals included): the dashboard's, and this process's (the
            // simulated agents' TLS above all), which shares the same cores.
            var dashboardCpuBefore = CpuSeconds(dashboard.Id);
            var clusterCpuBefore = CpuSeconds(Environment.ProcessId);
            var unchanged = new List<Round>();
            for (var i = 0; i < rounds; i++)
            {
                var r = await metrics.NextRoundAsync();
                unchanged.Add(r);
                Log($"unchanged round {i + 1}: {r.Duration * 1000:0} ms ({r.Changed} changed, {r.Unchanged} unchanged, {r.Failed} failed)");
            }

            var bytesPerNodeRound = (DatabaseBytes(dbPath) - sizeBefore) / (double)(rounds * nodes);
            var dashboardCpuPerRound = (CpuSeconds(dashboard.Id) - dashboardCpuBefore) / rounds;
            var clusterCpuPerRound = (CpuSeconds(Environment.ProcessId) - clusterCpuBefore) / rounds;
            Log($"CPU per unchanged round: dashboard {dashboardCpuPerRound:0.00} s, simulated cluster {clusterCpuPerRound:0.00} s");
            var rssIdle = Rss(dashboard.Id);

            var changed = new List<Round>();
            var onePercent = Math.Max(1, nodes / 100);
            for (var i = 0; i < changedRounds; i++)
            {
                // 1% of nodes get a new file between rounds (a name no installer rewrites).
                var targets = cluster.Nodes.Skip(i * onePercent).Take(onePercent).ToArray();
                var previous = await metrics.ReadAsync();
                foreach (var node in targets)
                {
                    await File.WriteAllTextAsync(Path.Combine(node.CniDir, $"zz-bench-{i}.txt"), $"bench round {i}\n");
                    cluster.Agents.Invalidate(node.Name);
                }

                // A round already under way when the files were written may see only some of them; the
                // next one stores the rest. Every round that stored any counts, until all are stored.
                var stored = 0.0;
                while (stored < targets.Length)
                {
                    var r = await metrics.NextRoundAsync(previous.Rounds);
                    previous = previous with { Rounds = r.Rounds };
                    if (r.Changed == 0) continue;
                    stored += r.Changed;
                    changed.Add(r);
                    Log($"1% changed round {i + 1}: {r.Duration * 1000:0} ms ({r.Changed} changed, {r.Unchanged} unchanged, {r.Failed} failed)");
                }
            }

            await metrics.ReadAsync();
            var heap = metrics.Get("cni_dashboard_gc_heap_bytes") / 1024 / 1024;
            var committed = metrics.Get("cni_dashboard_gc_committed_bytes") / 1024 / 1024;
            Log($"analyses run: {metrics.Get("cni_dashboard_analyses_total")}; sandbox errors last hour: {metrics.Get("cni_dashboard_sandbox_errors_last_hour")}");
            // The Nodes page's query over HTTP (JSON included): first page by severity, and a search.
            var pageTimes = new List<double>();
            var searchTimes = new List<double>();
            for (var i = 0; i < 21; i++)
            {
                var t = Stopwatch.StartNew();
                await http.GetStringAsync("api/v1/nodes?limit=100");
                pageTimes.Add(t.Elapsed.TotalMilliseconds);
                t.Restart();
                await http.GetStringAsync("api/v1/nodes?search=linkerd&severity=Critical&limit=100");
                searchTimes.Add(t.Elapsed.TotalMilliseconds);
            }

            var rssEnd = Rss(dashboard.Id);
            var rssPeak = PeakRss(dashboard.Id);
            if (hold > 0)
            {
                // Time to look inside the dashboard (e.g. dotnet-gcdump collect -p PID) before it stops.
                Log($"holding {hold} s; dashboard pid {dashboard.Id}");
                await Task.Delay(TimeSpan.FromSeconds(hold));
            }

            dashboard.Kill(entireProcessTree: true);

            Console.WriteLine();
            Console.WriteLine("| measure | value | bar |");
            Console.WriteLine("| --- | --- | --- |");
            Console.WriteLine(string.Create(c, $"| poll round, {nodes:N0} nodes, nothing changed (304s), {rounds} rounds: median / max | {Median(unchanged) * 1000:0} / {unchanged.Max(r => r.Duration) * 1000:0} ms | ≤ 1.5 s |"));
            Console.WriteLine(string.Create(c, $"| CPU per unchanged round (interval included): dashboard / simulated cluster (agents, emulator, kubelet) | {dashboardCpuPerRound:0.00} / {clusterCpuPerRound:0.00} s | |"));
            Console.WriteLine(string.Create(c, $"| poll round, {nodes:N0} nodes, 1% ({onePercent}) changed, stored and analyzed, {changedRounds} rounds: median / max | {Median(changed) * 1000:0} / {changed.Max(r => r.Duration) * 1000:0} ms | ≤ 5 s |"));
            Console.WriteLine(string.Create(c, $"| snapshot ingest, {ingest.Snapshots:N0} distinct snapshots (3 files each), median of 5 | dashboard {ingest.DashboardPerSecond:N0}/s vs bare batched insert {ingest.BarePerSecond:N0}/s = **{ingest.DashboardPerSecond / ingest.BarePerSecond:0.00}×** | ≥ 0.5× |"));
            Console.WriteLine(string.Create(c, $"| storage per unchanged snapshot (same manifest re-sent as 200), {ingest.Snapshots:N0} × 5 | {ingest.BytesPerUnchanged:0.0} bytes, {ingest.UnchangedBlobsAdded} new blobs | no blob, ≤ 200 bytes |"));
            Console.WriteLine(string.Create(c, $"| storage per node per unchanged poll round (304), database + WAL | {bytesPerNodeRound:0.0} bytes | ≤ 200 bytes |"));
            Console.WriteLine(string.Create(c, $"| GET /api/v1/nodes?limit=100 (sorted by severity) / with search + severity filter, {nodes:N0} nodes, median of 21 | {pageTimes.Order().ElementAt(10):0.0} / {searchTimes.Order().ElementAt(10):0.0} ms | (Nodes page ≤ 150 ms) |"));
            Console.WriteLine(string.Create(c, $"| dashboard RSS with {nodes:N0} nodes: after the unchanged rounds / at the end / peak (VmHWM) | {rssIdle:N0} / {rssEnd:N0} / {rssPeak:N0} MiB (managed heap {heap:N0} MiB, GC committed {committed:N0} MiB) | ≤ 400 MiB |"));
            return 0;
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static double Median(List<Round> rounds) => rounds.Select(r => r.Duration).Order().ElementAt(rounds.Count / 2);

    private static long DatabaseBytes(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);

    internal static long Rss(int pid) => StatusField(pid, "VmRSS:");

    /// <summary>User + system CPU of a process so far, from /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms).</summary>
    internal static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    internal static long PeakRss(int pid) => StatusField(pid, "VmHWM:");

    private static long StatusField(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }

    internal sealed record Round(double Rounds, double Duration, double Changed, double Unchanged, double Failed);

    internal sealed class Metrics(HttpClient http)
    {
        private Dictionary<string, double> _last = new(StringComparer.Ordinal);

        public double Get(string name, string? labels = null) => _last.GetValueOrDefault(labels is null ? name : $"{name}{{{labels}}}");

        public async Task<Round> ReadAsync()
        {
            var text = await http.GetStringAsync("metrics");
            _last = text.Split('\n')
                .Where(l => l.Length > 0 && l[0] != '#')
                .Select(l => (Key: l[..l.LastIndexOf(' ')], Value: l[(l.LastIndexOf(' ') + 1)..]))
                .ToDictionary(p => p.Key, p => double.Parse(p.Value, CultureInfo.InvariantCulture), StringComparer.Ordinal);
            return new Round(Get("cni_dashboard_poll_rounds_total"), Get("cni_dashboard_poll_round_seconds"), Get("cni_dashboard_poll_changed_nodes"), Get("cni_dashboard_poll_unchanged_nodes"), Get("cni_dashboard_poll_failed_nodes"));
        }

        public async Task WaitAsync(Func<Metrics, bool> condition, TimeSpan timeout, string what)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                try
                {
                    await ReadAsync();
                    if (condition(this)) return;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
                await Task.Delay(200);
            }
        }

        /// <summary>The next round to finish after <paramref name="after"/> (or after the current one).</summary>
        public async Task<Round> NextRoundAsync(double? after = null)
        {
            var current = after ?? (await ReadAsync()).Rounds;
            Round r = default!;
            await WaitAsync(m => (r = new Round(m.Get("cni_dashboard_poll_rounds_total"), m.Get("cni_dashboard_poll_round_seconds"), m.Get("cni_dashboard_poll_changed_nodes"), m.Get("cni_dashboard_poll_unchanged_nodes"), m.Get("cni_dashboard_poll_failed_nodes"))).Rounds > current, TimeSpan.FromMinutes(2), "a poll round");
            return r;
        }
    }
}
