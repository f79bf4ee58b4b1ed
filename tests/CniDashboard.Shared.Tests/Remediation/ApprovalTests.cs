using CniDashboard.Shared.Remediation;

namespace CniDashboard.Shared.Tests.Remediation;

public sealed class ApprovalTests
{
    private static readonly DateTimeOffset T0 = Plans.T0;

    [Fact]
    public void The_author_can_neither_approve_nor_reject_their_own_plan_while_the_two_person_rule_is_on()
    {
        var pending = Plans.Pending();

        var approve = Assert.Throws<RemediationRefusal>(() => pending.Approve(Plans.Author));
        var reject = Assert.Throws<RemediationRefusal>(() => pending.Reject(Plans.Author, "never mind", T0));

        Assert.Equal((RefusalCodes.TwoPersonRule, RefusalCodes.TwoPersonRule), (approve.Code, reject.Code));
        Assert.Equal(PlanState.Approved, pending.Approve(Plans.Approver).State);
    }

    [Fact]
    public void With_the_two_person_rule_off_the_author_may_approve()
    {
        var pending = Plans.Draft().Submit(Plans.Author, null, new ApprovalPolicy { TwoPersonRule = false }, T0);

        Assert.Equal(PlanState.Approved, pending.Approve(Plans.Author).State);
    }

    [Fact]
    public void Two_required_approvals_need_two_different_approvers()
    {
        var pending = Plans.Draft().Submit(Plans.Author, null, new ApprovalPolicy { RequiredApprovals = 2 }, T0);

        var once = pending.Approve(Plans.Approver);
        var twice = Assert.Throws<RemediationRefusal>(() => once.Approve(Plans.Approver));
        var both = once.Approve(Plans.Approver2);

        Assert.Equal((PlanState.PendingApproval, PlanActions.ApprovalRecorded), (once.State, once.LastEvent!.Action));
        Assert.Equal(RefusalCodes.AlreadyApproved, twice.Code);
        Assert.Equal((PlanState.Approved, PlanActions.Approved, 2), (both.State, both.LastEvent!.Action, both.ValidApprovals(T0.AddMinutes(3)).Count));
    }

    [Fact]
    public void An_approval_must_acknowledge_every_risk_note()
    {
        var pending = Plans.Pending();
        Assert.NotEmpty(pending.Risks);

        var refusal = Assert.Throws<RemediationRefusal>(() => pending.Approve(Plans.Approver, null, [.. pending.Risks.Skip(1).Select(r => r.Id)], T0));

        Assert.Equal(RefusalCodes.RisksNotAcknowledged, refusal.Code);
        Assert.Contains(pending.Risks[0].Id, refusal.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Changes => ["reorder", "remove a node", "change an option", "revise a node's edits"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void Any_change_after_an_approval_voids_it(string change)
    {
        var policy = new ApprovalPolicy { RequiredApprovals = 2 };
        var once = Plans.Pending(policy: policy).Approve(Plans.Approver);
        var approved = once.Approve(Plans.Approver2);
        var now = T0.AddMinutes(5);
        Assert.Single(once.ValidApprovals(now));

        var changedOnce = Change(once, change, now);
        var changedApproved = Change(approved, change, now);

        Assert.NotEqual(once.Sha256(), changedOnce.Sha256());
        Assert.Empty(changedOnce.ValidApprovals(now));
        // The approver may approve the changed plan again: what they approved before no longer counts.
        Assert.Equal(PlanState.PendingApproval, changedOnce.Approve(Plans.Approver, now).State);
        Assert.Equal((PlanState.PendingApproval, PlanActions.Revised), (changedApproved.State, changedApproved.LastEvent!.Action));
        Assert.Equal(RefusalCodes.InvalidState, Assert.Throws<RemediationRefusal>(() => changedApproved.Start(Plans.Author, now, Plans.Clear)).Code);
    }

    [Fact]
    public void A_submitted_plan_expires_after_the_lifetime_given_and_then_cannot_be_approved()
    {
        var submittedAt = T0.AddMinutes(1);
        var pending = Plans.Draft().Submit(Plans.Author, null, new ApprovalPolicy { Lifetime = TimeSpan.FromHours(2) }, submittedAt);

        Assert.False(pending.IsExpiredAt(submittedAt.AddHours(2).AddSeconds(-1)));
        Assert.Equal(EngineActionKind.None, pending.NextAction(submittedAt.AddHours(2).AddSeconds(-1)).Kind);
        Assert.True(pending.IsExpiredAt(submittedAt.AddHours(2)));
        Assert.Equal(EngineActionKind.Expire, pending.NextAction(submittedAt.AddHours(2)).Kind);
        Assert.Equal(RefusalCodes.Expired, Assert.Throws<RemediationRefusal>(() => pending.Approve(Plans.Approver, submittedAt.AddHours(2))).Code);
        Assert.Equal(RefusalCodes.InvalidState, Assert.Throws<RemediationRefusal>(() => pending.Expire(submittedAt.AddHours(1))).Code);

        var expired = pending.Expire(submittedAt.AddHours(2));
        Assert.Equal((PlanState.Expired, PlanActions.Expired), (expired.State, expired.LastEvent!.Action));
    }

    [Fact]
    public void An_approved_plan_not_started_within_24_hours_of_its_approval_expires()
    {
        var approvedAt = T0.AddHours(3);
        var approved = Plans.Pending().Approve(at: approvedAt);

        Assert.Equal(approvedAt + ApprovalPolicy.DefaultLifetime, approved.ExpiresAt(approvedAt));
        Assert.Equal(PlanState.Running, approved.Start(Plans.Author, approvedAt.AddHours(24).AddSeconds(-1), Plans.Clear).State);
        var late = Assert.Throws<RemediationRefusal>(() => approved.Start(Plans.Author, approvedAt.AddHours(24), Plans.Clear));
        Assert.Equal(RefusalCodes.Expired, late.Code);
        Assert.Equal(PlanState.Expired, approved.Expire(approvedAt.AddHours(24)).State);
    }

    [Fact]
    public void With_two_approvals_required_the_plan_expires_when_the_earlier_one_does()
    {
        var pending = Plans.Draft().Submit(Plans.Author, null, new ApprovalPolicy { RequiredApprovals = 2 }, T0);
        var approved = pending.Approve(Plans.Approver, T0.AddHours(1)).Approve(Plans.Approver2, T0.AddHours(5));

        Assert.Equal(T0.AddHours(25), approved.ExpiresAt(T0.AddHours(6)));
        Assert.Equal(RefusalCodes.Expired, Assert.Throws<RemediationRefusal>(() => approved.Start(Plans.Author, T0.AddHours(25), Plans.Clear)).Code);
    }

    [Fact]
    public void A_rejection_needs_a_reason_and_is_final()
    {
        var pending = Plans.Pending();

        Assert.Equal(RefusalCodes.CommentRequired, Assert.Throws<RemediationRefusal>(() => pending.Reject(Plans.Approver, " ", T0)).Code);
        var rejected = pending.Reject(Plans.Approver, "restart linkerd-cni everywhere instead", T0.AddMinutes(4));

        Assert.Equal(PlanState.Rejected, rejected.State);
        Assert.Equal(new Rejection(Plans.Approver, T0.AddMinutes(4), "restart linkerd-cni everywhere instead"), rejected.Rejection);
        Assert.Equal(RefusalCodes.InvalidState, Assert.Throws<RemediationRefusal>(() => rejected.Approve(Plans.Approver2)).Code);
    }

    [Fact]
    public void A_plan_starts_only_with_the_lease_held_kureds_lock_free_and_no_other_plan_running()
    {
        var approved = Plans.Approved();
        var now = T0.AddMinutes(5);

        Assert.Equal(RefusalCodes.LeaseNotHeld, Assert.Throws<RemediationRefusal>(() => approved.Start(Plans.Author, now, new StartConditions(LeaseHeld: false))).Code);
        var kured = Assert.Throws<RemediationRefusal>(() => approved.Start(Plans.Author, now, new StartConditions(true, KuredLockHolder: "node-x")));
        Assert.Equal(RefusalCodes.KuredLockHeld, kured.Code);
        Assert.Contains("node-x", kured.Message, StringComparison.Ordinal);
        Assert.Equal(RefusalCodes.AnotherPlanRunning, Assert.Throws<RemediationRefusal>(() => approved.Start(Plans.Author, now, new StartConditions(true, RunningPlanId: "rp-other"))).Code);

        var running = approved.Start(Plans.Author, now, new StartConditions(true, RunningPlanId: approved.Id));
        Assert.Equal((PlanState.Running, Plans.Author, now), (running.State, running.StartedBy, running.StartedAt));
    }

    private static RemediationPlan Change(RemediationPlan plan, string change, DateTimeOffset now) => change switch
    {
        "reorder" => plan.Reorder(Plans.Author, [.. plan.Nodes.Select(n => n.Node).Reverse()], now),
        "remove a node" => plan.RemoveNode(Plans.Author, plan.Nodes[^1].Node, now),
        "change an option" => plan.ChangeOptions(Plans.Author, plan.Options with { VerificationWindow = TimeSpan.FromMinutes(2) }, now),
        "revise a node's edits" => plan.ReviseNode(Plans.Author, plan.Nodes[0] with
        {
            Edits = [.. plan.Nodes[0].Edits.Take(1).Select(e => e with { ExpectedSha256 = new string('0', 64) })],
        }, now),
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };
}
