using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;

namespace CniDashboard.Client.Tests.Remediation;

public class RemediationPlanPageTests : DashboardTestContext
{
    private IRenderedComponent<RemediationPlanPage> RenderPlan(RemediationPlan plan)
    {
        GoTo(Client.Model.Links.Plan(plan.Id));
        var cut = Render<RemediationPlanPage>(p => p.Add(x => x.Id, plan.Id));
        cut.WaitForElement("[data-testid=plan-header]");
        return cut;
    }

    private static string State(IRenderedComponent<RemediationPlanPage> cut) => cut.Find("[data-testid=plan-header] [data-testid=plan-state]").GetAttribute("data-state")!;

    private static IReadOnlyList<string> Controls(IRenderedComponent<RemediationPlanPage> cut) =>
        [.. cut.FindAll("[data-testid=operator-controls] button").Select(b => b.GetAttribute("data-testid")!)];

    private static void AcknowledgeEveryRisk(IRenderedComponent<RemediationPlanPage> cut)
    {
        // Each tick re-renders the form: find the next box afresh.
        for (var i = 0; i < cut.FindAll("[data-testid=risk-ack]").Count; i++)
        {
            cut.FindAll("[data-testid=risk-ack]")[i].Change(true);
        }
    }

    private void AsOperator() => SignIn("operator", "oidc", [], DashboardRole.Operator);

    private void AsApprover(string name = "approver2")
    {
        SignIn(name, "oidc", [], DashboardRole.Approver);
        Remediation.Actor = name;
    }

    [Fact]
    public void The_header_shows_state_author_approvals_with_comment_and_expiry_and_the_standing_approvals_bounds()
    {
        AsOperator();
        var until = SampleCluster.Now.AddHours(6);
        var plan = Remediation.Seed(PlanState.Approved, standing: new StandingGrant(9, until));

        var cut = RenderPlan(plan);

        Assert.Equal("approved", State(cut));
        Assert.Contains("by operator", cut.Find("[data-testid=plan-author]").TextContent);
        var approval = cut.Find("[data-testid=approval]");
        Assert.Equal(("approver", "true"), (approval.GetAttribute("data-approver"), approval.GetAttribute("data-valid")));
        Assert.Contains("“looks right”", approval.TextContent);
        Assert.Contains("counts until 2026-11-21 09:30:00Z", approval.TextContent);
        var standing = cut.Find("[data-testid=standing]").TextContent;
        Assert.Contains("up to 9 more nodes until 2026-11-20 15:30:00Z", standing);
        Assert.Contains("granted by approver", standing);
        Assert.Contains("remove linkerd-cni from 05-cilium.conflist", standing);
        Assert.Contains("2026-11-21 09:30:00Z", cut.Find("[data-testid=plan-expires]").TextContent);
        Assert.Equal(3, cut.FindAll("[data-testid=plan-node]").Count);
    }

    [Fact]
    public void Each_node_row_shows_its_status_step_progress_and_on_demand_its_diffs_and_predicted_findings()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Running);
        var canary = plan.Nodes[0].Node;

        var cut = RenderPlan(plan);

        var row = cut.Find($"[data-testid=plan-node][data-node='{canary}']");
        Assert.Equal("fixing", row.GetAttribute("data-status"));
        Assert.Equal("Apply the edits", row.QuerySelector("[data-testid=node-step]")!.TextContent);
        Assert.Equal("pending", cut.FindAll("[data-testid=plan-node]")[1].GetAttribute("data-status"));
        Assert.Empty(cut.FindAll("[data-testid=node-details]"));

        cut.Find($"[data-testid=plan-node][data-node='{canary}'] [data-testid=node-details-toggle]").Click();

        var details = cut.Find("[data-testid=node-details]");
        Assert.Equal(2, details.QuerySelectorAll("[data-testid=planned-edit]").Length);
        Assert.Equal("1", details.QuerySelector("[data-testid=predicted-resolved]")!.GetAttribute("data-count"));
        Assert.Contains("0 of 3 nodes done", cut.Find("[data-testid=plan-progress-text]").TextContent);
    }

    [Fact]
    public void The_step_log_lists_each_transition_with_a_link_to_its_audit_entry()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.PendingApproval);

        var cut = RenderPlan(plan);

        var entries = cut.FindAll("[data-testid=log-entry]");
        Assert.Equal([PlanActions.Submitted], entries.Select(e => e.GetAttribute("data-action")));
        Assert.Equal("audit?before=101", entries[0].QuerySelector("[data-testid=log-audit-link]")!.GetAttribute("href"));
    }

    [Fact]
    public void An_approver_acknowledges_every_risk_and_may_grant_a_standing_approval_before_approving()
    {
        AsApprover();
        var plan = Remediation.Seed(PlanState.PendingApproval);
        var cut = RenderPlan(plan);

        Assert.True(cut.Find("[data-testid=approve]").HasAttribute("disabled"));
        Assert.Contains("acknowledge all 2 risk notes (2 left)", cut.Find("[data-testid=approve-problems]").TextContent);
        cut.Find($"[data-testid=risk-ack][data-risk='{SampleRemediation.UnmeshedRisk}']").Change(true);
        Assert.True(cut.Find("[data-testid=approve]").HasAttribute("disabled"));
        cut.Find($"[data-testid=risk-ack][data-risk='{SampleRemediation.InstallerRisk}']").Change(true);
        cut.Find("[data-testid=standing-toggle]").Change(true);
        cut.Find("[data-testid=standing-nodes]").Input("9");
        cut.Find("[data-testid=standing-until]").Change("2026-11-20T18:00");
        cut.Find("[data-testid=approval-comment]").Input("checked the diffs");
        cut.Find("[data-testid=approve]").Click();

        cut.WaitForAssertion(() => Assert.Equal("approved", State(cut)));
        Assert.Equal([$"approve {plan.Id} \"checked the diffs\" [{SampleRemediation.InstallerRisk},{SampleRemediation.UnmeshedRisk}] standing 9 until 2026-11-20 18:00:00Z"], Remediation.Calls);
        Assert.Contains("up to 9 more nodes", cut.Find("[data-testid=standing]").TextContent);
        Assert.Contains("You approved this plan", cut.Find("[data-testid=approved-by-you]").TextContent);
    }

    [Fact]
    public void A_standing_approval_in_the_past_is_explained_and_holds_the_approval()
    {
        AsApprover();
        var cut = RenderPlan(Remediation.Seed(PlanState.PendingApproval));
        AcknowledgeEveryRisk(cut);
        cut.Find("[data-testid=standing-toggle]").Change(true);
        cut.Find("[data-testid=standing-until]").Change("2026-11-20T08:00");

        Assert.Contains("a standing approval must end in the future", cut.Find("[data-testid=approve-problems]").TextContent);
        Assert.True(cut.Find("[data-testid=approve]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_rejection_needs_a_comment_and_is_sent_with_it()
    {
        AsApprover();
        var plan = Remediation.Seed(PlanState.PendingApproval);
        var cut = RenderPlan(plan);

        Assert.True(cut.Find("[data-testid=reject]").HasAttribute("disabled"));
        cut.Find("[data-testid=approval-comment]").Input("wait for the linkerd-cni 1.6.3 release");
        cut.Find("[data-testid=reject]").Click();

        cut.WaitForAssertion(() => Assert.Equal("rejected", State(cut)));
        Assert.Equal([$"reject {plan.Id} \"wait for the linkerd-cni 1.6.3 release\""], Remediation.Calls);
        Assert.Contains("Rejected by approver2", cut.Find("[data-testid=rejection]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=approver-panel]"));
    }

    [Fact]
    public void The_author_who_is_also_an_approver_sees_why_they_cannot_approve_their_own_plan()
    {
        SignIn("operator", "oidc", [], DashboardRole.Operator, DashboardRole.Approver);
        var cut = RenderPlan(Remediation.Seed(PlanState.PendingApproval, author: "operator"));

        Assert.Contains("You wrote this plan. The two-person rule is on", cut.Find("[data-testid=approve-own-plan]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=approve]"));
        Assert.Empty(cut.FindAll("[data-testid=reject]"));
    }

    [Fact]
    public void Someone_without_the_approver_role_sees_that_approving_needs_it_and_no_approve_button()
    {
        AsOperator();
        var cut = RenderPlan(Remediation.Seed(PlanState.PendingApproval));

        Assert.Contains("needs the Approver role", cut.Find("[data-testid=approve-not-allowed]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=approve-form]"));
    }

    [Fact]
    public void A_forged_approval_the_service_refuses_is_shown_as_a_message()
    {
        AsApprover();
        var cut = RenderPlan(Remediation.Seed(PlanState.PendingApproval));
        AcknowledgeEveryRisk(cut);
        Remediation.FailNext = new UnauthorizedAccessException("approve needs the Approver role");

        cut.Find("[data-testid=approve]").Click();

        cut.WaitForAssertion(() => Assert.Contains("You are not allowed to approve plan plan-1: approve needs the Approver role", cut.Find("[data-testid=command-error]").TextContent));
        Assert.Equal("pending-approval", State(cut));
    }

    [Theory]
    [InlineData(PlanState.Draft, new[] { "control-submit", "control-abort" })]
    [InlineData(PlanState.PendingApproval, new[] { "control-abort" })]
    [InlineData(PlanState.Approved, new[] { "control-start", "control-abort" })]
    [InlineData(PlanState.Running, new[] { "control-pause", "control-roll-back", "control-abort" })]
    [InlineData(PlanState.Paused, new[] { "control-resume", "control-roll-back", "control-abort" })]
    [InlineData(PlanState.Rejected, new string[0])]
    public void An_operator_has_the_controls_the_plans_state_allows(PlanState state, string[] expected)
    {
        AsOperator();
        var cut = RenderPlan(Remediation.Seed(state));

        Assert.Equal(expected, Controls(cut));
    }

    [Fact]
    public void A_viewer_sees_no_controls()
    {
        SignIn("viewer", "oidc", [], DashboardRole.Viewer);
        var cut = RenderPlan(Remediation.Seed(PlanState.Running));

        Assert.Empty(cut.FindAll("[data-testid=operator-controls]"));
        Assert.Empty(cut.FindAll("[data-testid=node-control-skip-node]"));
    }

    [Fact]
    public void An_open_standing_approval_can_be_revoked()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Running, standing: new StandingGrant(5, SampleCluster.Now.AddHours(2)));
        var cut = RenderPlan(plan);

        cut.Find("[data-testid=control-revoke-standing]").Click();
        cut.Find("[data-testid=confirm-yes]").Click();

        cut.WaitForAssertion(() => Assert.Contains("revoked by operator", cut.Find("[data-testid=standing-revoked]").TextContent));
        Assert.Equal([$"control {plan.Id} RevokeStanding"], Remediation.Calls);
        Assert.DoesNotContain("control-revoke-standing", Controls(cut));
    }

    [Fact]
    public void A_control_asks_for_confirmation_first_and_cancelling_does_nothing()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Running);
        var cut = RenderPlan(plan);

        cut.Find("[data-testid=control-pause]").Click();
        Assert.Contains("Pause plan plan-1 after the current step?", cut.Find("[data-testid=confirm-question]").TextContent);
        cut.Find("[data-testid=confirm-no]").Click();
        Assert.Empty(cut.FindAll("[data-testid=confirm]"));
        Assert.Empty(Remediation.Calls);

        cut.Find("[data-testid=control-pause]").Click();
        cut.Find("[data-testid=confirm-yes]").Click();

        cut.WaitForAssertion(() => Assert.Equal("paused", State(cut)));
        Assert.Equal([$"control {plan.Id} Pause"], Remediation.Calls);
        Assert.Contains("Paused: paused by operator", cut.Find("[data-testid=paused-reason]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=confirm]"));
    }

    [Fact]
    public void Abort_needs_a_reason_and_sends_it()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Paused);
        var cut = RenderPlan(plan);

        cut.Find("[data-testid=control-abort]").Click();
        Assert.True(cut.Find("[data-testid=confirm-yes]").HasAttribute("disabled"));
        cut.Find("[data-testid=confirm-text]").Input("rollout paused upstream");
        cut.Find("[data-testid=confirm-yes]").Click();

        cut.WaitForAssertion(() => Assert.Equal([$"control {plan.Id} Abort \"rollout paused upstream\""], Remediation.Calls));
        Assert.Equal("aborting", State(cut));
    }

    [Fact]
    public void Starting_an_approved_plan_runs_it()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Approved);
        var cut = RenderPlan(plan);

        cut.Find("[data-testid=control-start]").Click();
        Assert.Contains($"begins with {plan.Nodes[0].Node}, cordons it", cut.Find("[data-testid=confirm-question]").TextContent);
        cut.Find("[data-testid=confirm-yes]").Click();

        cut.WaitForAssertion(() => Assert.Equal("running", State(cut)));
        Assert.Equal([$"start {plan.Id}"], Remediation.Calls);
    }

    [Fact]
    public void A_node_can_be_skipped_from_its_row()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Running);
        var second = plan.Nodes[1].Node;
        var cut = RenderPlan(plan);

        cut.Find($"[data-testid=plan-node][data-node='{second}'] [data-testid=node-control-skip-node]").Click();
        Assert.Equal(second, cut.Find("[data-testid=confirm]").GetAttribute("data-node"));
        cut.Find("[data-testid=confirm-yes]").Click();

        cut.WaitForAssertion(() => Assert.Equal("skipped", cut.Find($"[data-testid=plan-node][data-node='{second}']").GetAttribute("data-status")));
        Assert.Equal([$"control {plan.Id} SkipNode {second}"], Remediation.Calls);
    }

    [Fact]
    public void A_node_that_joined_and_was_proposed_again_shows_each_re_proposal_with_the_edits_it_replaced_and_its_final_status()
    {
        AsOperator();
        const string joined = SampleCluster.HealthyNode;
        var plan = Remediation.Seed(PlanState.Running, standing: new StandingGrant(1, Clock.GetUtcNow().AddHours(6)));
        string? reviewedSha = null, newerSha = null;
        Remediation.Change(plan.Id, p =>
        {
            var now = Clock.GetUtcNow();
            // The reviewed nodes are out of the way (the canary failed and was skipped, the others skipped), so the joined node runs.
            var canary = p.Nodes[0].Node;
            p = p.FailStep(canary, new StepFailure(StepFailureKind.AgentUnavailable, NodeStep.Apply, "agent down", now), now).SkipNode("operator", canary, now)
                .BeginRelease(canary, now).CompleteRelease(canary, now);
            foreach (var other in p.Nodes.Skip(1).Select(n => n.Node).ToArray()) p = p.SkipNode("operator", other, now);
            var candidate = Remediation.Proposal with { Nodes = [SampleRemediation.Node(joined)] };
            p = p.Admit(candidate, now).Advance(now, FleetObservation.Calm).BeginPrepare(joined, false, now).CompletePrepare(joined, now).BeginApply(joined, now);

            // Its file changed before the apply: the newer snapshot has other bytes with the same stale entry.
            var reviewed = p.NodeNamed(joined).Edits[0];
            reviewedSha = reviewed.ExpectedSha256;
            var newer = SampleRemediation.Node(joined);
            newer = newer with { Edits = [.. newer.Edits.Select(e => e with { OldContent = e.OldContent + "\n", ExpectedSha256 = PlannedEdit.Sha256Of(e.OldContent + "\n") })] };
            newerSha = newer.Edits[0].ExpectedSha256;
            var changed = new StepFailure(StepFailureKind.FileChanged, NodeStep.Apply, $"{reviewed.File} changed since review", now, reviewed.File, newerSha);
            p = p.AfterFileChanged(joined, changed, candidate with { Nodes = [newer] }, now);

            // Changed again, and now healthy: it leaves the plan.
            p = p.BeginApply(joined, now);
            var gone = candidate with { Nodes = [], Excluded = [new ExcludedNode(joined, "no finding now", FindingGone: true)] };
            p = p.AfterFileChanged(joined, changed with { CurrentSha256 = new string('9', 64) }, gone, now);
            return p.BeginRelease(joined, now).CompleteRelease(joined, now);
        });

        var cut = RenderPlan(Remediation.Plans[plan.Id]);

        var row = cut.Find($"[data-testid=plan-node][data-node='{joined}']");
        Assert.Equal("not-needed", row.GetAttribute("data-status"));
        Assert.Equal("No longer needed", row.QuerySelector("[data-testid=node-status]")!.TextContent.Trim());
        Assert.NotNull(row.QuerySelector("[data-testid=joined-by-standing]"));
        var history = row.QuerySelectorAll("[data-testid=reproposal]");
        Assert.Equal(["replaced", "not-needed"], history.Select(h => h.GetAttribute("data-outcome")));
        Assert.Contains("edits proposed again from the node's newer snapshot", history[0].QuerySelector("[data-testid=reproposal-detail]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("no longer shows", history[1].TextContent, StringComparison.Ordinal);
        // Each entry keeps the edits it replaced, with their diff: the first the reviewed bytes, the second the newer ones.
        var replaced = history.Select(h => h.QuerySelectorAll("[data-testid=reproposal-replaced] [data-testid=planned-edit]")).ToArray();
        Assert.Equal([2, 2], replaced.Select(r => r.Length));
        Assert.Contains($"sha256 {reviewedSha![..12]}", replaced[0][0].TextContent, StringComparison.Ordinal);
        Assert.Contains($"sha256 {newerSha![..12]}", replaced[1][0].TextContent, StringComparison.Ordinal);
        Assert.NotNull(replaced[0][0].QuerySelector("[data-testid=side-by-side-diff]"));
        // A node the approvers reviewed has no such history.
        Assert.Empty(cut.FindAll($"[data-testid=plan-node][data-node='{plan.Nodes[0].Node}'] [data-testid=reproposal-history]"));
    }

    [Fact]
    public void A_refusal_is_shown_with_its_reason_and_the_page_keeps_working()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Approved);
        var cut = RenderPlan(plan);
        Remediation.FailNext = new RemediationRefusal(RefusalCodes.KuredLockHeld, "kured holds its reboot lock (node ip-10-0-1-12): the plan does not start while a node reboots");

        cut.Find("[data-testid=control-start]").Click();
        cut.Find("[data-testid=confirm-yes]").Click();

        var error = cut.WaitForElement("[data-testid=command-error]");
        Assert.Equal(RefusalCodes.KuredLockHeld, error.GetAttribute("data-code"));
        Assert.Contains("Could not start plan plan-1: kured holds its reboot lock (node ip-10-0-1-12)", error.TextContent);
        Assert.Equal("approved", State(cut));
        // The confirmation stays, so trying again is one click.
        cut.Find("[data-testid=confirm-yes]").Click();
        cut.WaitForAssertion(() => Assert.Equal("running", State(cut)));
        Assert.Empty(cut.FindAll("[data-testid=command-error]"));
    }

    [Fact]
    public void A_plan_changed_by_someone_else_is_reloaded_and_the_person_told_to_check_it()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Running);
        var cut = RenderPlan(plan);
        // The engine paused it meanwhile; this page still shows it running.
        Remediation.Change(plan.Id, p => p.Pause(PlanActions.SystemActor, SampleCluster.Now));
        Remediation.FailNext = new PlanConflictException();

        cut.Find("[data-testid=control-pause]").Click();
        cut.Find("[data-testid=confirm-yes]").Click();

        cut.WaitForAssertion(() => Assert.Equal("paused", State(cut)));
        Assert.Contains("the plan changed since you read it", cut.Find("[data-testid=command-error]").TextContent);
        Assert.Contains("has been reloaded", cut.Find("[data-testid=command-error]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=confirm]"));
    }

    [Fact]
    public void A_change_to_this_plan_on_the_feed_re_reads_it_and_a_change_to_another_does_not()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Running);
        var other = Remediation.Seed(PlanState.Draft);
        var canary = plan.Nodes[0].Node;
        var cut = RenderPlan(plan);
        WaitForSubscription(cut, Feed);
        var reads = Remediation.Reads;

        Feed.Publish(new ClusterChange { Kind = ClusterChangeKind.PlanChanged, At = SampleCluster.Now, Plan = other.Id });
        Feed.Publish(new ClusterChange { Kind = ClusterChangeKind.NodeChanged, At = SampleCluster.Now, Node = canary });
        Feed.Publish(new ClusterChange { Kind = ClusterChangeKind.PlanChanged, At = SampleCluster.Now, Plan = other.Id });
        cut.WaitForState(() => Feed.Pending == 0, TimeSpan.FromSeconds(5));

        // The first two were applied (the third taken): none is about this plan, so nothing was re-read.
        Assert.Equal(reads, Remediation.Reads);

        Remediation.Change(plan.Id, p => p.FailStep(canary, new StepFailure(StepFailureKind.FileChanged, NodeStep.Apply, "the file changed since review", SampleCluster.Now, "05-cilium.conflist", new string('a', 64)), SampleCluster.Now));
        Feed.Publish(new ClusterChange { Kind = ClusterChangeKind.PlanChanged, At = SampleCluster.Now, Plan = plan.Id, Node = canary });

        cut.WaitForAssertion(() => Assert.Equal("paused", State(cut)));
        Assert.Equal(reads + 2, Remediation.Reads);
        var row = cut.Find($"[data-testid=plan-node][data-node='{canary}']");
        Assert.Equal("failed", row.GetAttribute("data-status"));
        Assert.Contains("Apply the edits failed: the file changed since review (05-cilium.conflist now has sha256 aaaaaaaaaaaa)", row.QuerySelector("[data-testid=node-failure]")!.TextContent);
        Assert.Contains(cut.FindAll("[data-testid=log-entry]"), e => e.GetAttribute("data-action") == PlanActions.StepFailed);
    }

    /// <summary>
    /// The canary's rollback stopped at its first restore: the agent refused because the file holds
    /// <paramref name="current"/>, not what the plan wrote (linkerd-cni re-installed its entry).
    /// </summary>
    private (RemediationPlan Plan, string Node, AppliedChange Written) RestoreRefused(string current)
    {
        var plan = Remediation.Seed(PlanState.Running);
        var canary = plan.Nodes[0].Node;
        var now = SampleCluster.Now;
        Remediation.Change(plan.Id, p =>
        {
            foreach (var edit in p.NodeNamed(canary).Edits)
            {
                if (!p.NodeNamed(canary).StepInProgress) p = p.BeginApply(canary, now);
                p = p.CompleteApply(canary, new AppliedChange(p.CurrentChange(canary)!.ChangeId, edit.File, edit.ExpectedSha256, edit.NewSha256, "backup-" + edit.File, now), now);
            }
            p = p.FailStep(canary, new StepFailure(StepFailureKind.PodNotReady, NodeStep.RestartPod, "no Ready pod", now), now)
                .RollBackNode("operator", canary, now).BeginRestore(canary, now);
            var change = p.CurrentChange(canary)!;
            return p.FailStep(canary, new StepFailure(StepFailureKind.FileChanged, NodeStep.Restore, $"{change.File} changed since the plan wrote it", now, change.File, current), now);
        });
        var stored = Remediation.Plans[plan.Id];
        var node = stored.NodeNamed(canary);
        return (stored, canary, node.Applied.Single(a => a.File == node.Failure!.File));
    }

    [Fact]
    public void A_restore_refused_because_the_file_changed_shows_now_against_the_original_and_restores_anyway_with_the_reviewed_hash_and_a_reason()
    {
        AsOperator();
        var current = new string('c', 64);
        var (plan, canary, written) = RestoreRefused(current);
        const string reinstalled = "{\n  \"name\": \"reinstalled by linkerd-cni\"\n}\n";
        var detail = Queries.Cluster.Details[canary];
        var file = detail.Files.First().File with { Name = written.File, Content = reinstalled, Sha256 = current };
        Queries.Cluster.Details[canary] = detail with { Files = [.. detail.Files.Where(f => f.File.Name != written.File), new NodeFileView { File = file }] };

        var cut = RenderPlan(plan);

        var conflict = cut.WaitForElement($"[data-testid=plan-node][data-node='{canary}'] [data-testid=restore-conflict]");
        Assert.Equal(written.File, conflict.GetAttribute("data-file"));
        var summary = cut.Find("[data-testid=restore-conflict-summary]").TextContent;
        Assert.Contains("sha256 cccccccccccc", summary);
        Assert.Contains($"sha256 {written.NewSha256![..12]}", summary);
        Assert.Contains($"sha256 {written.PreviousSha256![..12]}", summary);
        cut.WaitForAssertion(() => Assert.Contains("reinstalled by linkerd-cni", cut.Find("[data-testid=restore-conflict] [data-testid=side-by-side-diff]").TextContent));
        Assert.Contains("linkerd-cni", cut.Find("[data-testid=restore-conflict] [data-testid=side-by-side-diff]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=restore-conflict-changed-again]"));
        // Rolling the node back again is not offered: it would hit the same refusal.
        Assert.Empty(cut.FindAll($"[data-testid=plan-node][data-node='{canary}'] [data-testid=node-control-roll-back-node]"));

        cut.Find($"[data-testid=plan-node][data-node='{canary}'] [data-testid=node-control-restore-anyway]").Click();
        Assert.Contains("sha256 cccccccccccc", cut.Find("[data-testid=confirm-question]").TextContent);
        Assert.True(cut.Find("[data-testid=confirm-yes]").HasAttribute("disabled"));
        cut.Find("[data-testid=confirm-text]").Input("back to the chain we reviewed");
        cut.Find("[data-testid=confirm-yes]").Click();

        cut.WaitForAssertion(() => Assert.Equal([$"control {plan.Id} RestoreAnyway {canary} \"back to the chain we reviewed\""], Remediation.Calls));
        var forced = Assert.Single(Remediation.Plans[plan.Id].NodeNamed(canary).RestoreOverrides);
        Assert.Equal((current, "back to the chain we reviewed"), (forced.ExpectedSha256, forced.Reason));
        Assert.Equal("running", State(cut));
        Assert.Empty(cut.FindAll("[data-testid=restore-conflict]"));
    }

    [Fact]
    public void A_restore_conflict_whose_file_changed_again_says_so_and_a_viewer_gets_no_restore_anyway()
    {
        SignIn("viewer", "oidc", [], DashboardRole.Viewer);
        var (plan, canary, written) = RestoreRefused(new string('c', 64));
        var detail = Queries.Cluster.Details[canary];
        var file = detail.Files.First().File with { Name = written.File, Content = "{}\n", Sha256 = new string('d', 64) };
        Queries.Cluster.Details[canary] = detail with { Files = [new NodeFileView { File = file }] };

        var cut = RenderPlan(plan);

        cut.WaitForElement("[data-testid=restore-conflict-changed-again]");
        Assert.Contains("sha256 dddddddddddd", cut.Find("[data-testid=restore-conflict-changed-again]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=node-control-restore-anyway]"));
    }

    [Fact]
    public void A_plan_that_does_not_exist_says_so()
    {
        AsOperator();
        GoTo("remediation/plan-404");
        var cut = Render<RemediationPlanPage>(p => p.Add(x => x.Id, "plan-404"));

        cut.WaitForAssertion(() => Assert.Contains("There is no plan plan-404", cut.Find("[data-testid=empty-state]").TextContent));
    }

    [Fact]
    public void A_failed_read_is_shown_with_a_retry()
    {
        AsOperator();
        var plan = Remediation.Seed(PlanState.Running);
        Remediation.FailReads = new InvalidOperationException("database is locked");
        GoTo(Client.Model.Links.Plan(plan.Id));
        var cut = Render<RemediationPlanPage>(p => p.Add(x => x.Id, plan.Id));

        Assert.Contains("Could not load plan plan-1: database is locked", cut.WaitForElement("[data-testid=query-error]").TextContent);
        Remediation.FailReads = null;
        cut.Find("[data-testid=retry]").Click();
        cut.WaitForElement("[data-testid=plan-header]");
    }
}
