using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CniDashboard.Benchmarks.Support;
using CniDashboard.Simulator;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Benchmarks.Backend;

/// <summary>
/// <c>announce [--nodes 5000] [--settle 120] [--window 60] [--writes 100] [--cut-writes 1000] [--seed 7]</c>: the two
/// designs on ONE simulated fleet in one run. The same cluster (emulator, a real agent per node that
/// announces through the emulator) serves two dashboard processes in turn: first mode <c>poll</c> at
/// its default 30 s interval, then mode <c>announce</c> (10 min safety net). For each: dashboard CPU per
/// minute over an unchanged fleet, and RSS. For announce also: a file written on one node → visible
/// through the API (stored; the feed is published in the same step) p50/p99; 1 % of the fleet
/// written at once → all stored and analyzed; and writes across the fleet with the announcement path
/// cut (watches dropped, history expired → 410, API server restarts) → every final state stored,
/// checked against the folders on disk. Prints Markdown for docs/performance.md.
/// </summary>
public static class AnnounceBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => ScaleCluster.Arg(args, name, fallback);

        var nodes = Arg("--nodes", 5000);
        var window = TimeSpan.FromSeconds(Arg("--window", 60));
        var settle = TimeSpan.FromSeconds(Arg("--settle", 120));
        var writes = Arg("--writes", 100);
        var cutWrites = Arg("--cut-writes", 1000);
        var random = new Random(Arg("--seed", 7));
        var c = CultureInfo.InvariantCulture;
        void Log(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

        var dataDir = Directory.CreateTempSubdirectory("cni-announce-bench-").FullName;
        try
        {
            Log($"starting the simulated cluster with {nodes} nodes");
            var started = Stopwatch.StartNew();
            var cpu = BackendScale.CpuSeconds(Environment.ProcessId);
            await using var cluster = await ScaleCluster.StartAsync(dataDir, nodes);
            Log(string.Create(c, $"simulated cluster listening in {cluster.StartupTime.TotalSeconds:0.0} s ({string.Join(", ", cluster.StartupPhases.Select(p => $"{p.Phase} {p.Took.TotalSeconds:0.0} s"))}); {BackendScale.CpuSeconds(Environment.ProcessId) - cpu:0.0} s CPU"));
            await WaitAsync(() => cluster.Announcements.Writes >= nodes, TimeSpan.FromMinutes(5), "every agent's first announcement");
            Log(string.Create(c, $"simulated cluster up and announced in {started.Elapsed.TotalSeconds:0.0} s; {BackendScale.CpuSeconds(Environment.ProcessId) - cpu:0.0} s CPU, load average {File.ReadAllText("/proc/loadavg")[..14]}"));

            var poll = await MeasureIdleAsync<object?>(cluster, dataDir, "poll", nodes, window, settle, Log);
            // --variant LABEL=NAME=VALUE[;NAME=VALUE…]: an announce-mode dashboard with other settings, idle CPU only (where the CPU goes).
            var variants = new List<(string Label, double CpuPerMinute)>();
            for (var i = Array.IndexOf(args, "--variant"); i >= 0 && i + 1 < args.Length; i = Array.IndexOf(args, "--variant", i + 1))
            {
                var label = args[i + 1][..args[i + 1].IndexOf('=', StringComparison.Ordinal)];
                var settings = args[i + 1][(label.Length + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries);
                var variant = await MeasureIdleAsync<object?>(cluster, dataDir, "announce", nodes, window, settle, Log, label: label, settings: settings);
                variants.Add((label, variant.CpuPerMinute));
            }

            if (args.Contains("--idle-only"))
            {
                foreach (var (label, perMinute) in variants) Console.WriteLine(string.Create(c, $"| {label} | {perMinute:0.00} s per minute | {perMinute / poll.CpuPerMinute:0.000}× poll |"));
                return 0;
            }

            var announce = await MeasureIdleAsync(cluster, dataDir, "announce", nodes, window, settle, Log, async (http, metrics, dashboard) =>
            {
                // The peak (VmHWM) after each phase, so a peak above the bar is placed in its phase.
                void Peak(string phase) => Log($"announce: after {phase}: RSS {BackendScale.Rss(dashboard.Id)} MiB, peak {BackendScale.PeakRss(dashboard.Id)} MiB");
                var latencies = await SingleWritesAsync(cluster, http, writes, random, Log);
                Peak("the single writes");
                var burst = await BurstAsync(cluster, http, metrics, Math.Max(1, nodes / 100), Log);
                Peak("the 1 % burst");
                var cuts = cutWrites > 0 ? await CutWritesAsync(cluster, http, cutWrites, random, Log, () => $"RSS {BackendScale.Rss(dashboard.Id)} MiB, peak {BackendScale.PeakRss(dashboard.Id)} MiB") : null;
                if (cuts is not null) Peak("the cut writes");
                return (latencies, burst, cuts);
            });

            var (lat, burst, cuts) = announce.Extra;
            Console.WriteLine();
            Console.WriteLine(string.Create(c, $"`dotnet run -c Release --project tests/CniDashboard.Benchmarks -- announce --nodes {nodes} --settle {settle.TotalSeconds:0} --window {window.TotalSeconds:0} --writes {writes} --cut-writes {cutWrites}`"));
            Console.WriteLine();
            Console.WriteLine("| measure | announce (10 min safety net) | poll (30 s) | bar |");
            Console.WriteLine("| --- | --- | --- | --- |");
            Console.WriteLine(string.Create(c, $"| unchanged {nodes:N0}-node fleet: dashboard CPU per minute ({window.TotalSeconds:0} s window) | {announce.CpuPerMinute:0.00} s | {poll.CpuPerMinute:0.00} s | ≤ 1/20 of poll: **{announce.CpuPerMinute / poll.CpuPerMinute:0.000}×** |"));
            foreach (var (label, perMinute) in variants)
                Console.WriteLine(string.Create(c, $"| the same, announce mode with other settings (--variant {label}) | {perMinute:0.00} s | | {perMinute / poll.CpuPerMinute:0.000}× poll |"));
            Console.WriteLine(string.Create(c, $"| file written on one node → stored and on the feed, {lat.Count} writes one at a time: p50 / p99 / max | {Percentile(lat, 0.5):0} / {Percentile(lat, 0.99):0} / {lat.Max():0} ms | up to the interval (30 s) | p50 ≤ 1 s, p99 ≤ 3 s |"));
            Console.WriteLine(string.Create(c, $"| 1 % ({burst.Nodes}) written at once → all stored / all analyzed | {burst.Stored.TotalMilliseconds:0} / {burst.Analyzed.TotalMilliseconds:0} ms | | ≤ 5 s |"));
            if (cuts is not null)
                Console.WriteLine(string.Create(c, $"| {cuts.Writes:N0} random writes across the fleet, watches dropped {cuts.Drops}×, history expired (410) {cuts.Expiries}× and the API server restarted {cuts.Restarts}× meanwhile → final states stored | {cuts.Matched:N0} of {cuts.Nodes:N0} nodes match their folder ({cuts.Settle.TotalSeconds:0.0} s after the last write) | | every one |"));
            Console.WriteLine(string.Create(c, $"| dashboard RSS, {nodes:N0} nodes: after the idle window / peak (VmHWM) | {announce.Rss:N0} / {announce.PeakRss:N0} MiB | {poll.Rss:N0} / {poll.PeakRss:N0} MiB | ≤ 400 MiB |"));
            return 0;
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static readonly TimeSpan SettleSlice = TimeSpan.FromSeconds(30);

    private sealed record Idle<T>(double CpuPerMinute, long Rss, long PeakRss, T Extra);

    /// <summary>Starts a dashboard in <paramref name="mode"/>, waits for every node, measures CPU over the window, runs <paramref name="then"/>, stops it.</summary>
    private static async Task<Idle<T>> MeasureIdleAsync<T>(
        SimulatedCluster cluster, string dataDir, string mode, int nodes, TimeSpan window, TimeSpan settle, Action<string> log,
        Func<HttpClient, BackendScale.Metrics, Process, Task<T>>? then = null, string? label = null, IEnumerable<string>? settings = null)
    {
        string[] env = [$"Dashboard__Poller__Mode={mode}", .. settings ?? []];
        using var dashboard = DashboardProcess.Start(cluster, Path.Combine(dataDir, $"dashboard-{label ?? mode}"), mode, env, "00:00:30", out var port);
        mode = label ?? mode;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        var metrics = new BackendScale.Metrics(http);
        var started = Stopwatch.StartNew();
        await metrics.WaitAsync(m => m.Get("cni_dashboard_nodes", "state=\"current\"") >= nodes, TimeSpan.FromMinutes(5), "every node current");
        log($"{mode}: all {nodes} nodes current after {started.Elapsed.TotalSeconds:0.0} s; RSS {BackendScale.Rss(dashboard.Id)} MiB, peak {BackendScale.PeakRss(dashboard.Id)} MiB");
        // An unchanged fleet: the simulated kubelet's workload pods (and their watch events, a cost
        // both designs share) held, so the window measures how the files are kept current.
        cluster.SetTimeScale(0.001);
        // Past the first round's garbage and the analysis it started, and past the JIT's tier-up of
        // what the idle process runs (a method is recompiled once it has been called 30 times, so
        // code that runs once a second is still being compiled a minute after start): the CPU of
        // each 30 s of the settling is logged, so the window is seen to start once it has levelled off.
        var settling = Stopwatch.StartNew();
        while (settle - settling.Elapsed > TimeSpan.FromSeconds(1))
        {
            var before = BackendScale.CpuSeconds(dashboard.Id);
            var slice = Stopwatch.StartNew();
            await Task.Delay(settle - settling.Elapsed < SettleSlice ? settle - settling.Elapsed : SettleSlice);
            log($"{mode}: settling, {(BackendScale.CpuSeconds(dashboard.Id) - before) / slice.Elapsed.TotalMinutes:0.00} s CPU per minute over the last {slice.Elapsed.TotalSeconds:0} s");
        }

        var cpu = BackendScale.CpuSeconds(dashboard.Id);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var perMinute = (BackendScale.CpuSeconds(dashboard.Id) - cpu) / clock.Elapsed.TotalMinutes;
        cluster.SetTimeScale(1);
        var rss = BackendScale.Rss(dashboard.Id);
        log($"{mode}: dashboard CPU {perMinute:0.00} s per minute over an unchanged fleet; RSS {rss} MiB, peak {BackendScale.PeakRss(dashboard.Id)} MiB; load average {File.ReadAllText("/proc/loadavg")[..14]}");
        var extra = then is null ? default! : await then(http, metrics, dashboard);
        var peak = BackendScale.PeakRss(dashboard.Id);
        dashboard.Kill(entireProcessTree: true);
        await dashboard.WaitForExitAsync();
        return new Idle<T>(perMinute, rss, peak, extra);
    }

    /// <summary>One file written at a time on a random node; the time until the dashboard's API shows it.</summary>
    private static async Task<List<double>> SingleWritesAsync(SimulatedCluster cluster, HttpClient http, int count, Random random, Action<string> log)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var node = cluster.Nodes[random.Next(cluster.Nodes.Count)];
            var file = $"zz-latency-{i}.txt";
            var clock = Stopwatch.StartNew();
            await File.WriteAllTextAsync(Path.Combine(node.CniDir, file), $"write {i}\n");
            await WaitAsync(async () => (await http.GetStringAsync($"api/v1/nodes/{node.Name}")).Contains(file, StringComparison.Ordinal), TimeSpan.FromSeconds(60), $"{file} on {node.Name}", TimeSpan.FromMilliseconds(10));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        log($"single writes: p50 {Percentile(latencies, 0.5):0} ms, p99 {Percentile(latencies, 0.99):0} ms");
        return latencies;
    }

    private sealed record Burst(int Nodes, TimeSpan Stored, TimeSpan Analyzed);

    /// <summary>1 % of the fleet written at once: until every one is visible, and until the analyses counter has grown by as many.</summary>
    private static async Task<Burst> BurstAsync(SimulatedCluster cluster, HttpClient http, BackendScale.Metrics metrics, int count, Action<string> log)
    {
        var targets = cluster.Nodes.Skip(cluster.Nodes.Count / 2).Take(count).ToArray();
        await metrics.ReadAsync();
        var analysesBefore = metrics.Get("cni_dashboard_analyses_total");
        var clock = Stopwatch.StartNew();
        foreach (var node in targets) await File.WriteAllTextAsync(Path.Combine(node.CniDir, "zz-burst.txt"), "burst\n");
        var pending = targets.ToList();
        while (pending.Count > 0)
        {
            var seen = await Task.WhenAll(pending.Select(async n => (n, (await http.GetStringAsync($"api/v1/nodes/{n.Name}")).Contains("zz-burst.txt", StringComparison.Ordinal))));
            pending = seen.Where(s => !s.Item2).Select(s => s.n).ToList();
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"{pending.Count} burst nodes never stored");
            if (pending.Count > 0) await Task.Delay(20);
        }

        var stored = clock.Elapsed;
        await metrics.WaitAsync(m => m.Get("cni_dashboard_analyses_total") >= analysesBefore + count, TimeSpan.FromMinutes(2), "the burst analyzed");
        var analyzed = clock.Elapsed;
        log($"1% burst ({count}): stored {stored.TotalMilliseconds:0} ms, analyzed {analyzed.TotalMilliseconds:0} ms");
        return new Burst(count, stored, analyzed);
    }

    private sealed record Cuts(int Writes, int Drops, int Expiries, int Restarts, int Nodes, int Matched, TimeSpan Settle);

    /// <summary>
    /// Random writes and deletes across the fleet while the announcement path is cut at random moments:
    /// every HTTP watch dropped (1 write in 200), every older resourceVersion expired so the dashboard
    /// must list again on 410 (1 in 200), or the API server restarted (1 in 1,000: down 0.5–2 s, every
    /// connection refused, agents' announcements failing and retried, then back with a fresh watch
    /// cache) — while the writes go on. Then, for every node written, the dashboard's latest snapshot
    /// must hold exactly the <c>zz-cut-*</c> files on disk, each with the SHA-256 of its bytes on disk.
    /// </summary>
    private static async Task<Cuts> CutWritesAsync(SimulatedCluster cluster, HttpClient http, int count, Random random, Action<string> log, Func<string> memory)
    {
        var written = new HashSet<SimulatedNode>();
        int drops = 0, expiries = 0, restarts = 0;
        var restart = Task.CompletedTask;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var node = cluster.Nodes[random.Next(cluster.Nodes.Count)];
            written.Add(node);
            var path = Path.Combine(node.CniDir, $"zz-cut-{random.Next(4)}.txt");
            if (random.Next(5) == 0 && File.Exists(path)) File.Delete(path);
            else await File.WriteAllTextAsync(path, $"cut {i}\n");
            switch (random.Next(1000))
            {
                case < 5:
                    cluster.Emulator.DropWatches();
                    drops++;
                    break;
                case < 10:
                    cluster.Emulator.ExpireHistory();
                    expiries++;
                    break;
                case < 11 when restart.IsCompleted:
                    await restart;
                    restart = cluster.Emulator.RestartAsync(TimeSpan.FromMilliseconds(500 + random.Next(1500)));
                    restarts++;
                    break;
            }

            if (i % 10 == 0) await Task.Delay(random.Next(20));
            if (i % 1000 == 999) log($"cut writes: {i + 1} written, {drops} drops, {expiries} expiries, {restarts} restarts; dashboard {memory()}");
        }

        await restart;
        log($"cut writes: {count} writes on {written.Count} nodes in {clock.Elapsed.TotalSeconds:0.0} s, {drops} drops, {expiries} expiries, {restarts} API server restarts");
        clock.Restart();
        var pending = written.ToList();
        var deadline = TimeSpan.FromMinutes(3);
        while (pending.Count > 0 && clock.Elapsed < deadline)
        {
            var results = new List<SimulatedNode>();
            foreach (var node in pending)
            {
                if (!StoredMatchesDisk(node, await http.GetStringAsync($"api/v1/nodes/{node.Name}"))) results.Add(node);
            }

            pending = results;
            if (pending.Count > 0) await Task.Delay(200);
        }

        log($"cut writes: {written.Count - pending.Count} of {written.Count} nodes match after {clock.Elapsed.TotalSeconds:0.0} s");
        // Where a node that does not match got stuck: did its agent announce what it serves, and what does the dashboard show?
        foreach (var node in pending.Take(10))
        {
            var serving = (await cluster.Agents.Agent(node.Name).GetSnapshotAsync(CancellationToken.None)).Snapshot.ManifestHash;
            using var detail = JsonDocument.Parse(await http.GetStringAsync($"api/v1/nodes/{node.Name}"));
            var agent = detail.RootElement.GetProperty("summary").GetProperty("agent");
            log($"  {node.Name}: agent serves {serving[..12]}, announced {cluster.Announcements.Announced(node.Name)?[..12] ?? "nothing"} ({cluster.Announcements.Failures} failed announcements fleet-wide); dashboard: snapshot at {detail.RootElement.GetProperty("snapshotAt")}, agent {agent}");
            // Which side is behind the folder: the files on disk, what the agent serves, what it serves once told the folder changed, what the dashboard stored.
            var agentFiles = CutFiles((await cluster.Agents.Agent(node.Name).GetSnapshotAsync(CancellationToken.None)).Snapshot.Files.Select(f => (f.Name, f.Sha256)));
            cluster.Agents.Invalidate(node.Name);
            var rescanned = await cluster.Agents.Agent(node.Name).GetSnapshotAsync(CancellationToken.None);
            var stored = CutFiles(detail.RootElement.GetProperty("files").EnumerateArray().Select(v => v.GetProperty("file")).Select(f => (f.GetProperty("name").GetString()!, f.TryGetProperty("sha256", out var h) ? h.GetString() : null)));
            var disk = CutFiles(Directory.EnumerateFiles(node.CniDir, "zz-cut-*").Select(f => (Path.GetFileName(f), (string?)Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))))));
            log($"    disk [{disk}]; agent [{agentFiles}]; agent after a rescan [{CutFiles(rescanned.Snapshot.Files.Select(f => (f.Name, f.Sha256)))}] ({rescanned.Snapshot.ManifestHash[..12]}); dashboard [{stored}]");
        }

        return new Cuts(count, drops, expiries, restarts, written.Count, written.Count - pending.Count, clock.Elapsed);
    }

    private static string CutFiles(IEnumerable<(string Name, string? Sha256)> files) =>
        string.Join(" ", files.Where(f => f.Name.StartsWith("zz-cut-", StringComparison.Ordinal)).OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => $"{f.Name[7..]}:{f.Sha256?[..8] ?? "-"}"));

    /// <summary>The node's stored <c>zz-cut-*</c> files are the ones in its folder, each with the SHA-256 of the bytes on disk.</summary>
    private static bool StoredMatchesDisk(SimulatedNode node, string detailJson)
    {
        using var detail = JsonDocument.Parse(detailJson);
        var stored = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var view in detail.RootElement.GetProperty("files").EnumerateArray())
        {
            var file = view.GetProperty("file");
            var name = file.GetProperty("name").GetString()!;
            if (name.StartsWith("zz-cut-", StringComparison.Ordinal))
                stored[name] = file.TryGetProperty("sha256", out var sha) ? sha.GetString() : null;
        }

        var onDisk = Directory.EnumerateFiles(node.CniDir, "zz-cut-*")
            .ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);
        return stored.Count == onDisk.Count && onDisk.All(f => stored.TryGetValue(f.Key, out var sha) && string.Equals(sha, f.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitAsync(() => Task.FromResult(condition()), timeout, what, TimeSpan.FromMilliseconds(200));

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan step)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(step);
        }
    }
}
