using System.Text.Json;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Remediation;
using CniDashboard.Simulator.Faults;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Server.Tests.Remediation;

/// <summary>
/// Nodes that join under the standing approval, whose files change between the snapshot the dashboard
/// planned them from and the apply (the agent's apply held while the test rewrites the file on disk):
/// proposed again from the newer snapshot and fixed, or — when the newer snapshot is healthy — out of
/// the plan; the plan never pauses.
/// </summary>
public sealed class StandingReproposalTests(RemediationDashboard dashboard) : IClassFixture<RemediationDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Run = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_joined_node_whose_file_changed_before_apply_is_proposed_again_and_fixed_and_one_whose_newer_snapshot_is_healthy_leaves_the_plan()
    {
        var rule = await dashboard.WaitForIncidentAsync();
        var reviewed = dashboard.IncidentNodes[0];
        // Both other incident nodes show the finding when the plan starts: they join at once, in name order.
        var joiners = dashboard.IncidentNodes.Skip(1).OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
        var (rewritten, healed) = (joiners[0], joiners[1]);
        var plan = await dashboard.ApprovedPlanAsync(rule, [reviewed.Name], standing: new StandingGrant(2, dashboard.Get<TimeProvider>().GetUtcNow().AddHours(1)));
        using var rewrittenApply = HoldFirstApply(rewritten);
        using var healedApply = HoldFirstApply(healed);

        await dashboard.As(RemediationDashboard.Operator).StartAsync(plan.Id, Ct);

        // The first node: the file changes under the apply, still with the stale entry (other bytes, same finding).
        var file = FileOf(await rewrittenApply.Reached.WaitAsync(Run, Ct));
        var path = Path.Combine(rewritten.CniDir, file);
        var reviewedSha = Sha256(path);
        await File.AppendAllTextAsync(path, "\n", Ct);
        var changedSha = Sha256(path);
        rewrittenApply.Release();

        // The second node: by its apply, its files hold no linkerd-cni entry any more (as if its installer had written a healthy chain).
        _ = await healedApply.Reached.WaitAsync(Run, Ct);
        var joined = (await dashboard.As(RemediationDashboard.Viewer).GetAsync(plan.Id, Ct))!.NodeNamed(healed.Name);
        foreach (var edit in joined.Edits)
        {
            var target = Path.Combine(healed.CniDir, edit.File);
            if (edit.Kind == FileEditKind.Delete) File.Delete(target);
            else await File.WriteAllTextAsync(target, edit.NewContent!, Ct);
        }
        healedApply.Release();

        var done = await dashboard.WaitForStateAsync(plan.Id, Run, PlanState.Completed, PlanState.Paused);
        Assert.True(done.State == PlanState.Completed, $"the plan paused: {done.PauseDetail}");
        Assert.Equal(NodeStatus.Fixed, done.NodeNamed(reviewed.Name).Status);

        // Proposed again and fixed with the newer edits: the file written once, from the bytes the agent found.
        var fixedNode = done.NodeNamed(rewritten.Name);
        Assert.Equal((NodeStatus.Fixed, true), (fixedNode.Status, fixedNode.Admission.ByStandingApproval));
        var again = Assert.Single(fixedNode.Reproposals);
        Assert.Equal((ReproposalOutcome.Replaced, file, changedSha), (again.Outcome, again.File, again.FoundSha256));
        Assert.Equal(reviewedSha, again.PreviousEdits.Single(e => e.File == file).ExpectedSha256);
        Assert.Equal(changedSha, fixedNode.Edits.Single(e => e.File == file).ExpectedSha256);
        Assert.Equal(again.EditsSha256, fixedNode.Admission.EditsSha256);
        Assert.Equal(changedSha, fixedNode.Applied.Single(a => a.File == file).PreviousSha256);
        var journal = RemediationFaultTests.JournalChangeIds(rewritten.BackupDir);
        Assert.All(fixedNode.Applied, a => Assert.Equal(1, journal.Count(id => id == a.ChangeId)));

        // No longer needed: left the plan, nothing written, released.
        var left = done.NodeNamed(healed.Name);
        Assert.Equal((NodeStatus.NotNeeded, 0, false), (left.Status, left.Applied.Count, left.Annotated));
        Assert.Equal(ReproposalOutcome.NotNeeded, Assert.Single(left.Reproposals).Outcome);
        Assert.DoesNotContain(RemediationFaultTests.JournalChangeIds(healed.BackupDir), id => id.StartsWith(plan.Id + ".", StringComparison.Ordinal));
        var k8sNode = dashboard.Cluster.Cluster.Nodes.Get(null, healed.Name)!;
        Assert.NotEqual(true, k8sNode.Spec?.Unschedulable);
        Assert.False(k8sNode.Metadata.Annotations?.ContainsKey(RemediationKeys.PlanAnnotation) ?? false);

        // Both audited; no step failed.
        var log = await dashboard.As(RemediationDashboard.Viewer).GetLogAsync(plan.Id, Ct);
        Assert.Contains(log, l => l.Action == "remediation.plan.standing-reproposed" && l.Node == rewritten.Name);
        Assert.Contains(log, l => l.Action == "remediation.node.not-needed" && l.Node == healed.Name);
        Assert.DoesNotContain(log, l => l.Action == "remediation.step.failed");
        var entries = new List<AuditEntry>();
        await foreach (var e in dashboard.Get<IAuditReader>().ReadAsync(new AuditQuery { TargetKind = "plan", Target = plan.Id, Action = "remediation.plan.standing-reproposed" }, Ct)) entries.Add(e);
        using var details = JsonDocument.Parse(Assert.Single(entries).Details!);
        var recorded = details.RootElement.GetProperty("reproposal");
        Assert.Equal((again.PreviousEditsSha256, again.EditsSha256, changedSha),
            (recorded.GetProperty("previousEditsSha256").GetString(), recorded.GetProperty("editsSha256").GetString(), recorded.GetProperty("foundSha256").GetString()));
        Assert.Contains("linkerd-cni", recorded.GetProperty("edits")[0].GetProperty("diff").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Holds the next apply the node's agent receives, before the agent reads the file.</summary>
    private HeldRequest HoldFirstApply(SimulatedNode node) => dashboard.Cluster.Agents.Holds.Hold(
        r => r.Method == "POST" && node.Address.Equals(r.HttpContext.Connection.LocalIpAddress)
            && r.Path.Value is { } p && p.StartsWith("/v1/files/", StringComparison.Ordinal) && p.EndsWith("/apply", StringComparison.Ordinal),
        HoldStage.BeforeHandling);

    /// <summary>The file of a held apply, from its "POST /v1/files/{file}/apply".</summary>
    private static string FileOf(string request) => request.Split('/')[^2];

    private static string Sha256(string path) => RemediationFaultTests.Sha256(path);
}
