using System.Diagnostics;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Benchmarks;

/// <summary>
/// Plan creation with predicted outcomes, as the wizard asks for it: every node's findings and edits
/// at its snapshot, each node's folder re-analyzed with its edits applied in memory, canary order and
/// risk notes (<see cref="RemediationPlanner.Propose"/>); then the draft and its canonical hash (what
/// an approval computes). Prints wall and process CPU time per run for 1,000 and 5,000 incident nodes.
/// <c>dotnet run -c Release --project tests/CniDashboard.Benchmarks -- plan [--nodes N] [--runs R]</c>
/// </summary>
public static class PlanCreation
{
    public static int Run(string[] args)
    {
        var sizes = Option(args, "--nodes") is { } n ? [int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)] : new[] { 1000, 5000 };
        var runs = Option(args, "--runs") is { } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"plan creation with predictions, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}");

        // Warm-up: JIT and the analyzer's first use, not measured.
        Measure(Inputs(200), out _);

        foreach (var size in sizes)
        {
            var inputs = Inputs(size);
            var totals = new List<double>();
            for (var run = 1; run <= runs; run++)
            {
                var process = Process.GetCurrentProcess();
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var allocated = GC.GetTotalAllocatedBytes(precise: false);
                var times = Measure(inputs, out var plan);
                process.Refresh();
                totals.Add(times.Total.TotalMilliseconds);
                Console.WriteLine(
                    $"{size} nodes, run {run}: propose {times.Propose.TotalMilliseconds:F0} ms, draft {times.Draft.TotalMilliseconds:F1} ms, hash {times.Hash.TotalMilliseconds:F1} ms, "
                    + $"total {times.Total.TotalMilliseconds:F0} ms wall, {(process.TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU, "
                    + $"{(GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1024.0 / 1024.0:F0} MiB allocated; "
                    + $"{plan.Nodes.Count} nodes planned, {plan.Nodes.Sum(x => x.Edits.Count)} edits, {plan.Risks.Count} risk notes");
            }
            totals.Sort();
            Console.WriteLine($"{size} nodes: median {totals[totals.Count / 2]:F0} ms, min {totals[0]:F0} ms, max {totals[^1]:F0} ms");
        }
        return 0;
    }

    private static (TimeSpan Propose, TimeSpan Draft, TimeSpan Hash, TimeSpan Total) Measure(IReadOnlyList<PlanNodeInput> inputs, out RemediationPlan plan)
    {
        var fleet = inputs.Select(i => i.Context).ToArray();
        var watch = Stopwatch.StartNew();
        var proposal = RemediationPlanner.Default.Propose(new PlanRequest { Rule = "mesh-token-pod-gone", Nodes = inputs, Fleet = fleet, Now = Fleet.JudgedAt });
        var propose = watch.Elapsed;
        plan = RemediationPlan.CreateDraft("rp-bench", "operator", Fleet.JudgedAt, proposal);
        var draft = watch.Elapsed - propose;
        var hash = plan.Sha256();
        var total = watch.Elapsed;
        if (hash.Length != 64 || plan.Nodes.Count != inputs.Count) throw new InvalidOperationException($"planned {plan.Nodes.Count} of {inputs.Count} nodes");
        return (propose, draft, total - propose - draft, total);
    }

    private static PlanNodeInput[] Inputs(int count) =>
        [.. Fleet.Incident(count).Select(n => new PlanNodeInput { Node = n.Name, Files = n.Files, Binaries = n.Binaries, Context = n.Context })];

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
