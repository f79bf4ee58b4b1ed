using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Tests.Analysis;

namespace CniDashboard.Shared.Tests.Remediation;

public sealed class StandingApprovalTests
{
    private static readonly StandingGrant TwoMoreForSixHours = new(2, Plans.T0.AddHours(6));

    [Fact]
    public void An_approval_with_a_standing_grant_binds_the_rule_and_the_kinds_of_edit_the_approver_saw()
    {
        var plan = Plans.Approved(standing: TwoMoreForSixHours);

        var standing = plan.Standing!;
        Assert.Equal((Plans.Rule, 2, Plans.T0.AddHours(6)), (standing.Rule, standing.MaxAdditionalNodes, standing.Until));
        Assert.Equal([Plans.Approver], standing.GrantedBy);
        Assert.Equal(
            ["remove linkerd-cni from 05-cilium.conflist", "remove linkerd-cni from 10-aws.conflist"],
            standing.Shapes.Select(s => s.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_newly_broken_node_with_the_same_edits_joins_last_with_its_own_recorded_diff_and_the_approved_hash_is_unchanged()
    {
        var now = Plans.T0.AddMinutes(10);
        var plan = Plans.Running(standing: TwoMoreForSixHours);
        var candidate = Plans.Propose(Plans.Incident("node-d"));

        Assert.Equal(StandingDecision.Yes, plan.DecideStanding(candidate, now));
        var extended = plan.Admit(candidate, now);

        var joined = extended.Nodes[^1];
        Assert.Equal(("node-d", NodeStatus.Pending), (joined.Node, joined.Status));
        Assert.Equal(new NodeAdmission(true, now, PlanHash.EditsSha256("node-d", candidate.Nodes[0].Edits)), joined.Admission);
        Assert.Equal((PlanActions.Extended, "node-d"), (extended.LastEvent!.Action, extended.LastEvent.Node));
        Assert.Contains("standing approval of approver", extended.LastEvent.Detail, StringComparison.Ordinal);
        Assert.Equal(plan.Sha256(), extended.Sha256());
        Assert.Equal(1, extended.AdmittedByStanding);
    }

    [Fact]
    public void At_most_k_nodes_join()
    {
        var now = Plans.T0.AddMinutes(10);
        var plan = Plans.Running(standing: TwoMoreForSixHours)
            .Admit(Plans.Propose(Plans.Incident("node-d")), now)
            .Admit(Plans.Propose(Plans.Incident("node-e")), now);

        var third = plan.DecideStanding(Plans.Propose(Plans.Incident("node-f")), now);

        Assert.False(third.Admitted);
        Assert.Equal(["the standing approval's 2 additional nodes have all joined"], third.Reasons);
        Assert.Equal(RefusalCodes.NotApproved, Assert.Throws<RemediationRefusal>(() => plan.Admit(Plans.Propose(Plans.Incident("node-f")), now)).Code);
    }

    [Fact]
    public void No_node_joins_after_t_or_once_revoked()
    {
        var plan = Plans.Running(standing: TwoMoreForSixHours);
        var candidate = Plans.Propose(Plans.Incident("node-d"));

        Assert.True(plan.DecideStanding(candidate, Plans.T0.AddHours(6).AddSeconds(-1)).Admitted);
        Assert.Contains("ended at", Assert.Single(plan.DecideStanding(candidate, Plans.T0.AddHours(6)).Reasons), StringComparison.Ordinal);
        var revoked = plan.RevokeStanding(Plans.Approver, Plans.T0.AddHours(1));
        Assert.Contains("revoked by approver", Assert.Single(revoked.DecideStanding(candidate, Plans.T0.AddHours(2)).Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void An_edit_to_a_file_the_approvers_did_not_see_is_outside_the_bounds()
    {
        var texts = Fixture.NodeTexts("incident");
        var renamed = Fixture.Folder(texts.Select(t => t.Key == Scenario.CiliumConflist ? KeyValuePair.Create("06-cilium.conflist", t.Value) : t));
        var node = Plans.Incident("node-d") with { Files = renamed };
        var plan = Plans.Running(standing: TwoMoreForSixHours);

        var decision = plan.DecideStanding(Plans.Propose(node), Plans.T0.AddMinutes(10));

        Assert.False(decision.Admitted);
        Assert.StartsWith("\"remove linkerd-cni from 06-cilium.conflist\" is not a kind of edit the approvers saw", Assert.Single(decision.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Another_rule_a_node_already_in_the_plan_a_critical_prediction_or_an_unseen_risk_are_each_outside_the_bounds()
    {
        var now = Plans.T0.AddMinutes(10);
        var plan = Plans.Running(standing: TwoMoreForSixHours);
        var candidate = Plans.Propose(Plans.Incident("node-d"));
        var node = candidate.Nodes[0];

        Assert.Contains(plan.DecideStanding(candidate with { Rule = "duplicate-plugin" }, now).Reasons, r => r.StartsWith("it fixes duplicate-plugin", StringComparison.Ordinal));
        Assert.Contains(plan.DecideStanding(Plans.Propose(Plans.Incident("node-a")), now).Reasons, r => r == "node node-a is already in the plan (Pending)");
        var critical = node with { Prediction = node.Prediction with { Introduced = [new PredictedFinding("no-cni-config", Severity.Critical, null, null, "no config")] } };
        Assert.Contains(plan.DecideStanding(candidate with { Nodes = [critical] }, now).Reasons, r => r == "its predicted outcome adds a critical finding");
        var unseen = candidate with { Risks = [.. candidate.Risks, new RiskNote("still-critical", "stays critical", ["node-d"], 1)] };
        Assert.Contains(plan.DecideStanding(unseen, now).Reasons, r => r == "it carries a risk the approvers did not acknowledge: still-critical");
        var notFixing = node with { Prediction = node.Prediction with { Remaining = [new PredictedFinding(Plans.Rule, Severity.Warning, Scenario.AwsConflist, "linkerd-cni", "still there")] } };
        Assert.Contains(plan.DecideStanding(candidate with { Nodes = [notFixing] }, now).Reasons, r => r == "its edits do not remove the finding");
    }

    [Fact]
    public void Nodes_join_only_a_running_or_paused_plan_that_has_a_standing_approval()
    {
        var candidate = Plans.Propose(Plans.Incident("node-d"));

        Assert.Contains(Plans.Approved(standing: TwoMoreForSixHours).DecideStanding(candidate, Plans.T0.AddMinutes(10)).Reasons, r => r == "the plan is Approved, not running");
        Assert.Equal(["the plan has no standing approval"], Plans.Running().DecideStanding(candidate, Plans.T0.AddMinutes(10)).Reasons);
    }

    [Fact]
    public void With_two_approvers_the_standing_approval_is_what_both_granted_at_most()
    {
        var pending = Plans.Draft().Submit(Plans.Author, null, new ApprovalPolicy { RequiredApprovals = 2 }, Plans.T0);

        var both = pending.Approve(standing: new StandingGrant(5, Plans.T0.AddHours(2))).Approve(Plans.Approver2, standing: new StandingGrant(3, Plans.T0.AddHours(8)));
        var one = pending.Approve(standing: new StandingGrant(5, Plans.T0.AddHours(2))).Approve(Plans.Approver2);

        Assert.Equal((3, Plans.T0.AddHours(2)), (both.Standing!.MaxAdditionalNodes, both.Standing.Until));
        Assert.Null(one.Standing);
    }

    [Fact]
    public void A_running_plan_with_an_open_standing_approval_waits_for_nodes_until_t_then_completes()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(standing: TwoMoreForSixHours).Drive(ref now);

        Assert.Equal(PlanState.Running, plan.State);
        Assert.All(plan.Nodes, n => Assert.Equal(NodeStatus.Fixed, n.Status));
        Assert.Equal(EngineAction.Idle("waiting for nodes under the standing approval", Plans.T0.AddHours(6)), plan.NextAction(now));

        var joined = plan.Admit(Plans.Propose(Plans.Incident("node-d")), now).Drive(ref now);
        Assert.Equal((PlanState.Running, NodeStatus.Fixed), (joined.State, joined.NodeNamed("node-d").Status));

        var late = Plans.T0.AddHours(6);
        Assert.Equal(EngineActionKind.Advance, joined.NextAction(late).Kind);
        Assert.Equal(PlanState.Completed, joined.Drive(ref late).State);
        var revokedNow = now;
        Assert.Equal(PlanState.Completed, joined.RevokeStanding(Plans.Approver, now).Drive(ref revokedNow).State);
    }
}
