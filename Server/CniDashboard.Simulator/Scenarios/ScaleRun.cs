using System.Diagnostics;
using System.Net.Http.Headers;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>The figures of one scale run of the simulator.</summary>
/// <param name="Nodes">Simulated nodes.</param>
/// <param name="SeedStart">Start of a new cluster (seeding every node's files and objects), until every agent listened.</param>
/// <param name="ResumeStart">Start of the same cluster again from its data dir.</param>
/// <param name="RssAfterStart">Resident set of the process right after the first start.</param>
/// <param name="PeakRss">Largest resident set sampled (once a second) while the cluster ran for <paramref name="Held"/>.</param>
/// <param name="RssAtEnd">Resident set at the end of the hold.</param>
/// <param name="RssAfterSweep">Resident set once every agent has served (and caches) its snapshot, as under a polling dashboard.</param>
/// <param name="LiveHeapAfterSweep">Managed heap still reachable after a full collection, at that point.</param>
/// <param name="RssAfterResume">Resident set right after the resumed start (the first cluster collected).</param>
/// <param name="Held">How long the cluster ran (real time) with the kubelet placing pods on every node.</param>
/// <param name="Pods">Pods in the API at the end (DaemonSet and workload).</param>
/// <param name="Events">Events in the API at the end.</param>
/// <param name="AgentSweep">Time to GET every agent's snapshot once over HTTP (64 at a time).</param>
/// <param name="AgentsAnswered">Agents that answered 200 in the sweep.</param>
public sealed record ScaleRunResult(
    int Nodes,
    TimeSpan SeedStart,
    TimeSpan ResumeStart,
    long RssAfterStart,
    long PeakRss,
    long RssAtEnd,
    long RssAfterSweep,
    long LiveHeapAfterSweep,
    long RssAfterResume,
    TimeSpan Held,
    int Pods,
    int Events,
    TimeSpan AgentSweep,
    int AgentsAnswered);

/// <summary>
/// The simulator's scale run: start a cluster of N nodes in an empty data dir, let it run for a while
/// (kubelet, installers, agents, all timers live), sample the process's resident set, sweep every
/// agent once over HTTP, then stop and start it again from the same data dir. Not part of the test
/// suite; run it with <c>dotnet run --project Server/CniDashboard.Demo -c Release -- --demo-bench --demo-nodes 5000</c>.
/// </summary>
public static class ScaleRun
{
    public static async Task<ScaleRunResult> RunAsync(SimulationOptions options, TimeSpan hold, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        progress ??= _ => { };
        using var process = Process.GetCurrentProcess();

        progress($"starting {options.NodeCount} nodes in {options.DataDir} …");
        TimeSpan seedStart;
        long afterStart, peak, atEnd, afterSweep, live;
        int pods, events, answered;
        TimeSpan sweep;
        await using (var cluster = await SimulatedCluster.StartAsync(options, cancellationToken).ConfigureAwait(false))
        {
            seedStart = cluster.StartupTime;
            afterStart = Rss(process);
            peak = afterStart;
            progress($"started in {seedStart.TotalSeconds:0.0} s ({Phases(cluster)}), RSS {Mib(afterStart)} MiB; running for {hold.TotalSeconds:0} s …");

            var until = Stopwatch.StartNew();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            var second = 0;
            while (until.Elapsed < hold && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var rss = Rss(process);
                peak = Math.Max(peak, rss);
                if (++second % 30 == 0)
                {
                    progress($"{second} s: RSS {Mib(rss)} MiB, GC heap {Mib(GC.GetGCMemoryInfo().HeapSizeBytes)} MiB, {cluster.Cluster.Pods.Count} pods, {cluster.Kubelet.CompletedPasses} kubelet passes");
                }
            }

            atEnd = Rss(process);
            pods = cluster.Cluster.Pods.Count;
            events = cluster.Cluster.Events.Count;
            (sweep, answered) = await SweepAgentsAsync(cluster, cancellationToken).ConfigureAwait(false);
            live = GC.GetTotalMemory(forceFullCollection: true);
            afterSweep = Rss(process);
            progress($"held: peak RSS {Mib(peak)} MiB, at the end {Mib(atEnd)} MiB, {pods} pods, {events} events; {answered} agents answered in {sweep.TotalSeconds:0.00} s; "
                + $"then RSS {Mib(afterSweep)} MiB, live heap after a full GC {Mib(live)} MiB (server GC {System.Runtime.GCSettings.IsServerGC})");
        }

        // The first cluster's objects go before the second one is measured.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        progress("stopped; starting again from the same data dir …");
        TimeSpan resumeStart;
        long afterResume;
        await using (var resumed = await SimulatedCluster.StartAsync(options, cancellationToken).ConfigureAwait(false))
        {
            resumeStart = resumed.StartupTime;
            afterResume = Rss(process);
            progress($"resumed in {resumeStart.TotalSeconds:0.0} s ({Phases(resumed)}), RSS {Mib(afterResume)} MiB");
        }

        return new ScaleRunResult(options.NodeCount, seedStart, resumeStart, afterStart, peak, atEnd, afterSweep, live, afterResume, hold, pods, events, sweep, answered);
    }

    /// <summary>Mebibytes, rounded.</summary>
    public static long Mib(long bytes) => (bytes + (512 * 1024)) / (1024 * 1024);

    private static string Phases(SimulatedCluster cluster) =>
        string.Join(", ", cluster.StartupPhases.Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.Phase} {p.Took.TotalSeconds:0.0} s")));

    private static long Rss(Process process)
    {
        process.Refresh();
        return process.WorkingSet64;
    }

    private static async Task<(TimeSpan Elapsed, int Answered)> SweepAgentsAsync(SimulatedCluster cluster, CancellationToken cancellationToken)
    {
        var token = (await File.ReadAllTextAsync(cluster.AgentTokenFile, cancellationToken).ConfigureAwait(false)).Trim();
        using var http = new HttpClient(cluster.CreateAgentHandler()) { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var answered = 0;
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            cluster.Nodes,
            new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
            async (SimulatedNode node, CancellationToken ct) =>
            {
                // One connection per request, closed after it: the sweep's client must not hold 5,000 idle connections in this process.
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.AgentUrl(node.Name), "v1/snapshot")) { Headers = { ConnectionClose = true } };
                using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref answered);
                }
            }).ConfigureAwait(false);
        return (stopwatch.Elapsed, answered);
    }
}
