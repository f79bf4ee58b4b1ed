using System.Security.Cryptography;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Tests.Remediation;

/// <summary>A rollback whose file already holds its bytes from before the plan has nothing to write and nothing to force.</summary>
public sealed class RemediationRollbackTests(RemediationDashboard dashboard) : IClassFixture<RemediationDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Run = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_restore_of_a_file_already_back_to_its_original_bytes_completes_without_a_write_or_a_forced_restore()
    {
        var node = dashboard.IncidentNodes[0];
        var rule = await dashboard.WaitForIncidentAsync(node);
        var plan = await dashboard.ApprovedPlanAsync(rule, [node.Name]);
        var edits = plan.Nodes[0].Edits;
        Assert.True(edits.Count >= 2, "the incident node needs edits to two files");
        var first = Path.Combine(node.CniDir, edits[0].File);
        var original = await File.ReadAllBytesAsync(first, Ct);

        // The second file changes after the review: the plan writes the first, then pauses at the second.
        await File.AppendAllTextAsync(Path.Combine(node.CniDir, edits[^1].File), "\n", Ct);
        var scale = dashboard.Cluster.TimeScale;
        var operatorService = dashboard.As(RemediationDashboard.Operator);
        try
        {
            await operatorService.StartAsync(plan.Id, Ct);
            var paused = await dashboard.WaitForStateAsync(plan.Id, Run, PlanState.Paused, PlanState.Completed);
            Assert.Equal((PlanState.Paused, 1), (paused.State, paused.NodeNamed(node.Name).Applied.Count));

            // Held still, no installer writes meanwhile; then the first file gets its original bytes back
            // (as a component re-writing them, or a person undoing the fix by hand, would).
            dashboard.Cluster.SetTimeScale(0.001);
            await File.WriteAllBytesAsync(first, original, Ct);
            await operatorService.ControlAsync(plan.Id, new PlanControl { Kind = PlanControlKind.RollBack }, Ct);
            var ended = await dashboard.WaitForStateAsync(plan.Id, Run, PlanState.RolledBack, PlanState.Paused);

            var n = ended.NodeNamed(node.Name);
            Assert.True(ended.State == PlanState.RolledBack, $"paused: {ended.PauseDetail}");
            var restored = Assert.Single(n.Restored);
            var sha = Convert.ToHexStringLower(SHA256.HashData(original));
            Assert.Equal((sha, sha), (restored.PreviousSha256, restored.NewSha256));
            Assert.Empty(n.RestoreOverrides);
            Assert.DoesNotContain(restored.ChangeId, RemediationFaultTests.JournalChangeIds(node.BackupDir));
            Assert.Equal(original, await File.ReadAllBytesAsync(first, Ct));
        }
        finally
        {
            dashboard.Cluster.SetTimeScale(scale);
        }
    }
}
