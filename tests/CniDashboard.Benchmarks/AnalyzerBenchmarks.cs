using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CniDashboard.Shared.Analysis;

namespace CniDashboard.Benchmarks;

/// <summary>
/// The design bar "analyzer over 5,000 node snapshots ≤ 0.5 s": every node's folder parsed (CniFolder)
/// and judged by every rule, one node after another on one thread, as a dashboard re-analysis does.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcess))]
public class AnalyzerBenchmarks
{
    private IReadOnlyList<FleetNode> _fleet = [];

    /// <summary>Nodes in the fleet.</summary>
    [Params(5000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup() => _fleet = Fleet.Build(Nodes);

    /// <summary>Analyze every node; returns the number of findings so nothing is optimized away.</summary>
    [Benchmark]
    public int AnalyzeFleet()
    {
        var findings = 0;
        foreach (var node in _fleet)
        {
            findings += CniAnalyzer.Default.Analyze(node.Files, node.Binaries, node.Context, Fleet.JudgedAt).Findings.Count;
        }
        return findings;
    }

    /// <summary>Short and in-process: the machine is shared, and the figure is a total per run, not a micro-benchmark.</summary>
    private sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess()
        {
            AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"));
        }
    }
}
