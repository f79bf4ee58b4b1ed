using System.Globalization;
using CniDashboard.Simulator;
using CniDashboard.Simulator.Scenarios;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Demo;

/// <summary>
/// <c>--demo-bench [--demo-nodes N] [--data-dir D] [--demo-hold SECONDS]</c>: the simulator's scale
/// run (start time, resident memory while running, resume time) without the dashboard; prints the
/// figures as a Markdown table for docs/performance.md. An empty temp dir is used unless
/// <c>--data-dir</c> names one.
/// </summary>
public static class DemoBench
{
    /// <summary>True when the command line asks for the scale run.</summary>
    public static bool IsRequested(string[] args) => args.Contains(DemoOptions.BenchFlag);

    /// <summary>Runs it; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var options = DemoOptions.Parse(args);
        var explicitDir = args.Any(a => a == "--data-dir" || a.StartsWith("--data-dir=", StringComparison.Ordinal));
        var dataDir = explicitDir ? Path.GetFullPath(options.DataDir) : Directory.CreateTempSubdirectory("cni-sim-bench-").FullName;
        try
        {
            var result = await ScaleRun.RunAsync(
                new SimulationOptions { DataDir = dataDir, NodeCount = options.Nodes, Seed = options.Seed, TimeScale = options.TimeScale, LoggerFactory = NullLoggerFactory.Instance },
                options.BenchHold,
                line => output.WriteLine("bench: " + line),
                cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(Table(result)).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            if (!explicitDir)
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    private static string Table(ScaleRunResult r)
    {
        var c = CultureInfo.InvariantCulture;
        return string.Join(
            '\n',
            "| what | measured |",
            "| --- | --- |",
            string.Create(c, $"| nodes | {r.Nodes:N0} |"),
            string.Create(c, $"| start, new cluster (seed files, objects, {r.Nodes:N0} agents listening) | {r.SeedStart.TotalSeconds:0.0} s |"),
            string.Create(c, $"| start, resumed from the data dir | {r.ResumeStart.TotalSeconds:0.0} s |"),
            string.Create(c, $"| RSS right after start | {ScaleRun.Mib(r.RssAfterStart):N0} MiB |"),
            string.Create(c, $"| RSS peak while running {r.Held.TotalSeconds:0} s (sampled each second) | {ScaleRun.Mib(r.PeakRss):N0} MiB |"),
            string.Create(c, $"| RSS at the end of the run | {ScaleRun.Mib(r.RssAtEnd):N0} MiB |"),
            string.Create(c, $"| RSS once every agent served (and cached) its snapshot | {ScaleRun.Mib(r.RssAfterSweep):N0} MiB (live managed heap {ScaleRun.Mib(r.LiveHeapAfterSweep):N0} MiB) |"),
            string.Create(c, $"| RSS right after the resumed start | {ScaleRun.Mib(r.RssAfterResume):N0} MiB |"),
            string.Create(c, $"| pods / events in the API at the end | {r.Pods:N0} / {r.Events:N0} |"),
            string.Create(c, $"| every agent's snapshot once over HTTP (64 at a time) | {r.AgentsAnswered:N0} answered in {r.AgentSweep.TotalSeconds:0.00} s |"));
    }
}
