using System.Net;
using CniDashboard.Simulator.Scenarios;

namespace CniDashboard.Simulator.Tests.Scenarios;

/// <summary>The scale run's entry works end to end (the 5,000-node figures come from running it by hand, see docs/performance.md).</summary>
public sealed class ScaleRunTests
{
    [Fact]
    public async Task The_scale_run_starts_holds_sweeps_every_agent_and_resumes_a_cluster()
    {
        var dataDir = Directory.CreateTempSubdirectory("cni-sim-scale-").FullName;
        try
        {
            var lines = new List<string>();
            var result = await ScaleRun.RunAsync(
                new SimulationOptions { DataDir = dataDir, NodeCount = 40, AddressBase = IPAddress.Parse("127.99.0.0") },
                TimeSpan.FromSeconds(2),
                lines.Add,
                TestContext.Current.CancellationToken);

            Assert.Equal(40, result.Nodes);
            Assert.Equal(40, result.AgentsAnswered);
            // Four DaemonSet pods per node, plus workload pods, minus the incident nodes' deleted v1.6.0 pods (replaced by stuck ones).
            Assert.InRange(result.Pods, 160, 160 + (40 * 4));
            Assert.InRange(result.SeedStart, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30));
            Assert.InRange(result.ResumeStart, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30));
            Assert.True(result.PeakRss >= result.RssAfterStart);
            Assert.Contains(lines, l => l.Contains("resumed in", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(dataDir, "simulator", "state.json")));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
