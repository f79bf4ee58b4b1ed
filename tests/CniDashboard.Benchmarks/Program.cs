using System.Diagnostics;
using BenchmarkDotNet.Running;
using CniDashboard.Benchmarks;
using CniDashboard.Benchmarks.Backend;
using CniDashboard.Benchmarks.Ui;
using CniDashboard.Shared.Analysis;

// `dotnet run -c Release --project tests/CniDashboard.Benchmarks -- --filter '*Analyzer*'` runs BenchmarkDotNet.
// `-- --quick-without RULE[,RULE…]` times passes with and without those rules, interleaved (what they cost).
// `-- --quick` times a few fleet passes with a stopwatch and the process CPU clock: on a shared, loaded
// machine the CPU time is the better estimate of what the pass costs on a quiet one.
// `-- backend [--nodes 5000]` runs the dashboard backend's scale run (Backend/BackendScale.cs).
// `-- ui [--nodes 5000]` times the Nodes page at scale, server side and in Chromium (Ui/UiScale.cs);
// `-- ui-render [--nodes 5000]` times its server-side render with rows, in-process with bUnit (Ui/NodesRender.cs).
// `-- plan [--nodes N] [--runs R]` times remediation plan creation with predicted outcomes for 1,000 and 5,000 incident nodes (PlanCreation.cs).
if (args is ["plan", ..])
{
    Environment.ExitCode = PlanCreation.Run(args[1..]);
    return;
}

// `-- audit [--entries 100000]` measures the audit log: appends, verification, streamed export memory (Backend/AuditBench.cs).
if (args is ["audit", ..])
{
    Environment.ExitCode = await AuditBench.RunAsync(args[1..]);
    return;
}

// `-- ingest-postgres [--snapshots 4000] [--reps 5]` compares the dashboard's ingest into PostgreSQL with a bare
// batched insert of the same rows into the same server (Backend/PostgresIngest.cs; server from CNI_DASHBOARD_TEST_POSTGRES).
if (args is ["ingest-postgres", ..])
{
    Environment.ExitCode = await PostgresIngest.RunAsync(args[1..]);
    return;
}

// `-- fleet [--clusters 10] [--nodes 500]` a fleet in one PostgreSQL: fleet overview and a cluster's nodes page render times, store size per node per day (Backend/FleetBench.cs).
if (args is ["fleet", ..])
{
    Environment.ExitCode = await FleetBench.RunAsync(args[1..]);
    return;
}

// `-- remediation [--nodes 12] [--window 5]` fixes the demo fleet's incident with one plan and times each node against its verification window (Backend/RemediationBench.cs).
if (args is ["remediation", ..])
{
    Environment.ExitCode = await RemediationBench.RunAsync(args[1..]);
    return;
}

// `-- announce [--nodes 5000]` measures both designs on one simulated fleet: announcements vs the 30 s poll (Backend/AnnounceBench.cs).
if (args is ["announce", ..])
{
    Environment.ExitCode = await AnnounceBench.RunAsync(args[1..]);
    return;
}

// `-- failover [--kills 10] [--nodes 12] [--lease 15]` kills the leader of two replicas on PostgreSQL and times the
// follower's takeover and first completed round (Backend/FailoverBench.cs; server from CNI_DASHBOARD_TEST_POSTGRES).
if (args is ["failover", ..])
{
    Environment.ExitCode = await FailoverBench.RunAsync(args[1..]);
    return;
}

if (args is ["backend", ..])
{
    Environment.ExitCode = await BackendScale.RunAsync(args[1..]);
    return;
}

if (args is ["ui-render", ..])
{
    Environment.ExitCode = await NodesRender.RunAsync(args[1..]);
    return;
}

if (args is ["ui", ..])
{
    Environment.ExitCode = await UiScale.RunAsync(args[1..]);
    return;
}

if (args is ["--quick-without", var leftOut, ..])
{
    // What some rules cost: the fleet judged by every rule and by every rule but these, interleaved in one
    // process, so a loaded machine slows both alike. CPU time and allocation are the figures to compare.
    var ids = leftOut.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    var fleet = Fleet.Build(5000);
    var fewer = new CniAnalyzer(AnalyzerRules.All.Where(r => !ids.Contains(r.Id)));
    int Pass(CniAnalyzer analyzer) => fleet.Sum(node => analyzer.Analyze(node.Files, node.Binaries, node.Context, Fleet.JudgedAt).Findings.Count);
    for (var i = 0; i < 3; i++) { Pass(CniAnalyzer.Default); Pass(fewer); }
    var self = Process.GetCurrentProcess();
    for (var run = 1; run <= 8; run++)
    {
        foreach (var (name, analyzer) in new[] { ($"{fewer.Rules.Count} rules", fewer), ($"{CniAnalyzer.Default.Rules.Count} rules", CniAnalyzer.Default) })
        {
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var wall = Stopwatch.StartNew();
            var findings = Pass(analyzer);
            wall.Stop();
            self.Refresh();
            Console.WriteLine($"run {run}, {name}: {wall.Elapsed.TotalMilliseconds:F0} ms wall, {(self.TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU, "
                + $"{(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / 1024.0:F1} MiB allocated, {findings} findings");
        }
    }
    return;
}

if (args is ["--quick", ..])
{
    var benchmark = new AnalyzerBenchmarks { Nodes = 5000 };
    benchmark.Setup();
    for (var i = 0; i < 5; i++) benchmark.AnalyzeFleet();
    var process = Process.GetCurrentProcess();
    for (var run = 1; run <= 5; run++)
    {
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var wall = Stopwatch.StartNew();
        var findings = benchmark.AnalyzeFleet();
        wall.Stop();
        process.Refresh();
        Console.WriteLine($"run {run}: {wall.Elapsed.TotalMilliseconds:F0} ms wall, {(process.TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU, "
            + $"{(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / 1024.0:F1} MiB allocated, {findings} findings over 5000 nodes");
    }
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(AnalyzerBenchmarks).Assembly).Run(args);
