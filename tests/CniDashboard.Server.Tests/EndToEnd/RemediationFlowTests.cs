using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Server.Tests.EndToEnd;

/// <summary>The incident fixed by hand on a simulated node, as the runbook says: the dashboard sees it resolve.</summary>
public sealed class RemediationFlowTests(SimulatedDashboard dashboard) : IClassFixture<SimulatedDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Applying_the_findings_edit_and_restarting_linkerd_cni_resolves_the_finding_and_keeps_its_history()
    {
        var node = dashboard.Cluster.NodesWithRole(NodeRole.Incident).First();
        var critical = await Eventually.WaitAsync(async () =>
        {
            var d = await dashboard.GetJsonAsync<NodeDetail>($"api/v1/nodes/{node.Name}");
            return d?.Findings.FirstOrDefault(f => f.Severity == Severity.Critical && f.Edit is { Kind: FileEditKind.Replace });
        }, "the incident's critical finding with its edit", TimeSpan.FromSeconds(60));

        // The runbook: remove the stale entry (the finding's edit), restart the node's linkerd-cni pod.
        var edit = critical.Edit!;
        await File.WriteAllTextAsync(Path.Combine(node.CniDir, edit.File), edit.NewContent, Ct);
        await dashboard.Cluster.RestartPodAsync(node.Name, "linkerd-cni", Ct);

        await Eventually.WaitAsync(async () =>
        {
            var d = await dashboard.GetJsonAsync<NodeDetail>($"api/v1/nodes/{node.Name}");
            return d is not null && d.Findings.All(f => f.Key != critical.Key) && d.Summary.WorstSeverity != Severity.Critical;
        }, "the finding to resolve", TimeSpan.FromSeconds(90));

        var history = await dashboard.GetJsonAsync<FindingRecord[]>($"api/v1/nodes/{node.Name}/findings?includeResolved=true");
        var record = Assert.Single(history!, r => r.Finding.Key == critical.Key);
        Assert.NotNull(record.ResolvedAt);
        Assert.True(record.ResolvedAt > record.OpenedAt);
        var snapshots = await dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/nodes/{node.Name}/snapshots");
        Assert.True(snapshots!.Snapshots.Count >= 2, "the edit and the re-install are in the history");
        Assert.Contains(snapshots.Snapshots, s => s.ChangedFiles.Contains(edit.File));
    }
}
