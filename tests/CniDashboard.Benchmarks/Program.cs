using System.Diagnostics;
using BenchmarkDotNet.Running;
using CniDashboard.Benchmarks;
using CniDashboard.Benchmarks.Backend;
using CniDashboard.Benchmarks.Ui;

// `dotnet run -c Release --project tests/CniDashboard.Benchmarks -- --filter '*Analyzer*'` runs BenchmarkDotNet.
// `-- --quick` times a few fleet passes with a stopwatch and the process CPU clock: on a shared, loaded
// machine the CPU time is the better estimate of what the pass costs on a quiet one.
// `-- backend [--nodes 5000]` runs the dashboard backend's scale run (Backend/BackendScale.cs).
// `-- ui [--nodes 5000]` times the Nodes page at scale, server side and in Chromium (Ui/UiScale.cs);
// `-- ui-render [--nodes 5000]` times its server-side render with rows, in-process with bUnit (Ui/NodesRender.cs).
// `-- audit [--entries 100000]` measures the audit log: appends, verification, streamed export memory (Backend/AuditBench.cs).
if (args is ["audit", ..])
{
    Environment.ExitCode = await AuditBench.RunAsync(args[1..]);
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
