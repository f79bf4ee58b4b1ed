using System.Text.Json;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Tests.Analysis;

namespace CniDashboard.Shared.Tests.Remediation;

/// <summary>
/// A node that joined under the standing approval whose file changed before the plan wrote on it: its
/// edits are proposed again from its newer snapshot inside the grant, or it leaves the plan when the
/// finding is gone; anything else pauses as before.
/// </summary>
public sealed class ReproposalTests
{
    private const string Joined = "node-d";

    /// <summary>A running plan of the three incident nodes whose standing approval (one more node) admitted node-d, now at node-d's first apply.</summary>
    private static (RemediationPlan Plan, DateTimeOffset Now) AtJoinedApply(int moreNodes = 1)
    {
        var now = Plans.T0.AddMinutes(5);
        var plan = Plans.Running(standing: new StandingGrant(moreNodes, Plans.T0.AddHours(6)))
            .Admit(Plans.Propose(Plans.Incident(Joined)), now)
            .RunUntilBegun(Joined, NodeStep.Apply, ref now);
        return (plan, now);
    }

    /// <summary>The incident node's files with <paramref name="newlines"/> more newlines at the end of 05-cilium.conflist: other bytes, the same finding.</summary>
    private static PlanNodeInput Rewritten(int newlines = 1)
    {
        var texts = Fixture.NodeTexts("incident");
        var files = Fixture.Folder(texts.Select(t => t.Key == Scenario.CiliumConflist ? KeyValuePair.Create(t.Key, t.Value + new string('\n', newlines)) : t));
        return Plans.Incident(Joined) with { Files = files };
    }

    private static StepFailure Changed(RemediationPlan plan, DateTimeOffset now, string node = Joined)
    {
        var change = plan.CurrentChange(node)!;
        return new StepFailure(StepFailureKind.FileChanged, NodeStep.Apply, $"{change.File} changed since review", now, change.File, new string('f', 64));
    }

    [Fact]
    public void A_joined_node_whose_file_changed_gets_the_newer_edits_recorded_with_both_hashes_and_is_then_fixed_with_them()
    {
        var (plan, now) = AtJoinedApply();
        var old = plan.NodeNamed(Joined);
        var newer = Plans.Propose(Rewritten());

        var next = plan.AfterFileChanged(Joined, Changed(plan, now), newer, now);

        var node = next.NodeNamed(Joined);
        var oldSha = PlanHash.EditsSha256(Joined, old.Edits);
        var newSha = PlanHash.EditsSha256(Joined, newer.Nodes[0].Edits);
        Assert.NotEqual(oldSha, newSha);
        Assert.Equal((PlanState.Running, NodeStatus.Fixing, NodeStep.Apply, false), (next.State, node.Status, node.Step, node.StepInProgress));
        Assert.Equal(newer.Nodes[0].Edits, node.Edits);
        Assert.Equal(newSha, node.Admission.EditsSha256);
        var record = Assert.Single(node.Reproposals);
        Assert.Equal((ReproposalOutcome.Replaced, Scenario.CiliumConflist, new string('f', 64), oldSha, newSha), (record.Outcome, record.File, record.FoundSha256, record.PreviousEditsSha256, record.EditsSha256));
        Assert.Equal(old.Edits, record.PreviousEdits);
        Assert.Equal((PlanActions.StandingReproposed, Joined), (next.LastEvent!.Action, next.LastEvent.Node));
        Assert.Contains($"edits sha256 {oldSha} → {newSha}", next.LastEvent.Detail, StringComparison.Ordinal);
        // The node is the grant's only additional node: it is not counted against itself.
        Assert.Equal(1, next.AdmittedByStanding);
        Assert.Equal(plan.Sha256(), next.Sha256());

        var done = next.Drive(ref now);
        var fixedNode = done.NodeNamed(Joined);
        Assert.Equal(NodeStatus.Fixed, fixedNode.Status);
        Assert.Equal(newer.Nodes[0].Edits.Select(e => e.ExpectedSha256), fixedNode.Applied.Select(a => a.PreviousSha256));
    }

    [Fact]
    public void A_joined_node_whose_newer_snapshot_no_longer_shows_the_finding_leaves_the_plan_released_without_a_pause()
    {
        var (plan, now) = AtJoinedApply();

        var next = plan.AfterFileChanged(Joined, Changed(plan, now), Plans.Propose(Plans.Healthy(Joined)), now);

        Assert.Equal((PlanState.Running, PlanActions.NodeNotNeeded), (next.State, next.LastEvent!.Action));
        Assert.Contains("no longer shows mesh-token-pod-gone (linkerd-cni)", next.LastEvent.Detail, StringComparison.Ordinal);
        var leaving = next.NodeNamed(Joined);
        Assert.Equal((NodeStatus.Releasing, NodeStep.Release), (leaving.Status, leaving.Step));
        Assert.Equal(ReproposalOutcome.NotNeeded, Assert.Single(leaving.Reproposals).Outcome);

        var done = next.Drive(ref now);
        var left = done.NodeNamed(Joined);
        Assert.Equal((NodeStatus.NotNeeded, false, 0), (left.Status, left.Annotated, left.Applied.Count));
        Assert.True(left.Status.IsFinal());
        Assert.Null(done.PauseReason);
    }

    [Fact]
    public void Newer_edits_outside_the_standing_approval_pause_the_plan_with_the_reason()
    {
        var (plan, now) = AtJoinedApply();
        var texts = Fixture.NodeTexts("incident");
        var renamed = Plans.Incident(Joined) with { Files = Fixture.Folder(texts.Select(t => t.Key == Scenario.CiliumConflist ? KeyValuePair.Create("06-cilium.conflist", t.Value) : t)) };

        var next = plan.AfterFileChanged(Joined, Changed(plan, now), Plans.Propose(renamed), now);

        Assert.Equal((PlanState.Paused, PauseReason.StepFailed), (next.State, next.PauseReason));
        var failed = next.NodeNamed(Joined);
        Assert.Equal((NodeStatus.Failed, StepFailureKind.FileChanged), (failed.Status, failed.Failure!.Kind));
        Assert.Contains("not proposed again: its newer edits are outside the standing approval: \"remove linkerd-cni from 06-cilium.conflist\" is not a kind of edit", failed.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(failed.Reproposals);
        Assert.Equal(plan.NodeNamed(Joined).Edits, failed.Edits);
    }

    [Fact]
    public void A_node_the_approvers_reviewed_pauses_as_before_they_approved_those_exact_bytes()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(standing: new StandingGrant(1, Plans.T0.AddHours(6))).RunUntilBegun("node-b", NodeStep.Apply, ref now);
        var changed = Changed(plan, now, "node-b");

        var next = plan.AfterFileChanged("node-b", changed, Plans.Propose(Plans.Incident("node-b") with { Files = Rewritten().Files }), now);

        Assert.Equal("the approvers reviewed this node's edits, and approved those exact bytes", plan.ReproposalBlocker("node-b"));
        Assert.Equal(PlanState.Paused, next.State);
        Assert.Equal(changed, next.NodeNamed("node-b").Failure);
        Assert.Equal(plan.FailStep("node-b", changed, now).PauseDetail, next.PauseDetail);
    }

    [Fact]
    public void Once_the_plan_wrote_a_file_on_the_node_a_change_to_its_next_file_pauses()
    {
        var (plan, now) = AtJoinedApply();
        plan = Plans.Succeed(plan, Joined, NodeStep.Apply, now).BeginApply(Joined, now);

        var next = plan.AfterFileChanged(Joined, Changed(plan, now), Plans.Propose(Rewritten()), now);

        Assert.Equal(PlanState.Paused, next.State);
        Assert.EndsWith($"not proposed again: the plan already wrote {Scenario.CiliumConflist} on the node", next.NodeNamed(Joined).Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_keeps_changing_is_proposed_again_at_most_three_times_then_the_plan_pauses()
    {
        var (plan, now) = AtJoinedApply();
        for (var i = 1; i <= RemediationPlan.MaxReproposals; i++)
        {
            if (!plan.NodeNamed(Joined).StepInProgress) plan = plan.BeginApply(Joined, now);
            plan = plan.AfterFileChanged(Joined, Changed(plan, now), Plans.Propose(Rewritten(i)), now);
            Assert.Equal((PlanState.Running, i), (plan.State, plan.NodeNamed(Joined).Reproposals.Count));
        }

        plan = plan.BeginApply(Joined, now);
        var next = plan.AfterFileChanged(Joined, Changed(plan, now), Plans.Propose(Rewritten(9)), now);

        Assert.Equal(PlanState.Paused, next.State);
        Assert.EndsWith("not proposed again: its edits were proposed again 3 times already", next.NodeNamed(Joined).Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_newer_snapshot_or_one_giving_the_same_edits_pauses()
    {
        var (plan, now) = AtJoinedApply();

        var unread = plan.AfterFileChanged(Joined, Changed(plan, now), null, now);
        var same = plan.AfterFileChanged(Joined, Changed(plan, now), Plans.Propose(Plans.Incident(Joined)), now);

        Assert.EndsWith("not proposed again: the node's newer snapshot could not be read", unread.NodeNamed(Joined).Failure!.Message, StringComparison.Ordinal);
        Assert.EndsWith("not proposed again: its newer snapshot gives the same edits (the dashboard has not seen the file change yet)", same.NodeNamed(Joined).Failure!.Message, StringComparison.Ordinal);
        Assert.All([unread, same], p => Assert.Equal(PlanState.Paused, p.State));
    }

    [Fact]
    public void A_revoked_standing_approval_covers_no_re_proposal()
    {
        var (plan, now) = AtJoinedApply();
        plan = plan.RevokeStanding(Plans.Approver, now);

        var next = plan.AfterFileChanged(Joined, Changed(plan, now), Plans.Propose(Rewritten()), now);

        Assert.Equal(PlanState.Paused, next.State);
        Assert.Contains("the standing approval was revoked by approver", next.NodeNamed(Joined).Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Before_the_first_write_every_file_is_checked_against_the_bytes_its_edit_was_proposed_from()
    {
        var (plan, now) = AtJoinedApply();
        var rewritten = Rewritten().Files;

        var changed = plan.ChangedBeforeFirstWrite(Joined, rewritten, now);

        Assert.NotNull(changed);
        Assert.Equal((StepFailureKind.FileChanged, NodeStep.Apply, Scenario.CiliumConflist), (changed.Kind, changed.Step, changed.File));
        Assert.Equal(rewritten.Single(f => f.Name == Scenario.CiliumConflist).Sha256, changed.CurrentSha256);
        Assert.Null(plan.ChangedBeforeFirstWrite(Joined, Plans.Incident(Joined).Files, now));
        // The second file gone counts too (absent).
        var withoutAws = Plans.Incident(Joined).Files.Where(f => f.Name != Scenario.AwsConflist).ToArray();
        Assert.Equal((Scenario.AwsConflist, (string?)null), (plan.ChangedBeforeFirstWrite(Joined, withoutAws, now)!.File, plan.ChangedBeforeFirstWrite(Joined, withoutAws, now)!.CurrentSha256));
        // Not for a node the approvers reviewed, nor once a file is written.
        var reviewedNow = Plans.T0.AddMinutes(3);
        var reviewed = Plans.Running(standing: new StandingGrant(1, Plans.T0.AddHours(6))).RunUntilBegun("node-b", NodeStep.Apply, ref reviewedNow);
        Assert.Null(reviewed.ChangedBeforeFirstWrite("node-b", Rewritten().Files, reviewedNow));
        var written = Plans.Succeed(plan, Joined, NodeStep.Apply, now);
        Assert.Null(written.ChangedBeforeFirstWrite(Joined, rewritten, now));
    }

    [Fact]
    public void The_history_survives_the_plan_being_saved_and_read_back()
    {
        var (plan, now) = AtJoinedApply();
        plan = plan.AfterFileChanged(Joined, Changed(plan, now), Plans.Propose(Rewritten()), now);

        var read = JsonSerializer.Deserialize(JsonSerializer.Serialize(plan, RemediationJsonContext.Default.RemediationPlan), RemediationJsonContext.Default.RemediationPlan)!;

        var before = Assert.Single(plan.NodeNamed(Joined).Reproposals);
        var after = Assert.Single(read.NodeNamed(Joined).Reproposals);
        Assert.Equal((before.Outcome, before.PreviousEditsSha256, before.EditsSha256, before.Detail), (after.Outcome, after.PreviousEditsSha256, after.EditsSha256, after.Detail));
        Assert.Equal(PlanHash.EditsSha256(Joined, before.PreviousEdits), PlanHash.EditsSha256(Joined, after.PreviousEdits));
        Assert.Equal(before.PreviousEdits.Select(e => e.OldContent), after.PreviousEdits.Select(e => e.OldContent));
    }
}
