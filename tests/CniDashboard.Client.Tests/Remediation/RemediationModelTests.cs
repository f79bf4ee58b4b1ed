using CniDashboard.Client.Model;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Tests.Remediation;

public class RemediationModelTests
{
    private static readonly DateTimeOffset Now = SampleCluster.Now;

    [Fact]
    public void The_wizard_state_reads_the_address_and_sends_the_order_and_options_as_typed()
    {
        var state = new PlanWizardState("mesh-token-pod-gone", " ", "a, b,a,,c");
        Assert.Null(state.Plugin);
        Assert.Equal(["a", "b", "c"], state.AskedNodes);

        state.Start(SampleRemediation.Proposal());
        state.TypeVerificationSeconds("90");
        state.TypeMaxUnhealthy("3");
        state.TypeInFlight("2");
        state.SetCordon(false);

        var request = state.Request();
        Assert.Equal(SampleCluster.IncidentNodes[1], request.Nodes[0]);
        Assert.Equal((TimeSpan.FromSeconds(90), 3, 2, false), (request.Options.VerificationWindow, request.Options.MaxUnhealthyNodes, request.Options.MaxNodesInFlight, request.Options.CordonNodes));
        Assert.Empty(state.OptionProblems());
    }

    [Fact]
    public void Typed_numbers_that_are_not_numbers_are_problems_and_the_last_good_value_is_kept()
    {
        var state = new PlanWizardState("r", null, null);
        state.Start(SampleRemediation.Proposal());

        state.TypeVerificationSeconds("1m");

        Assert.Contains("the verification window must be a whole number of seconds", state.OptionProblems());
        Assert.Equal(TimeSpan.FromSeconds(60), state.Request().Options.VerificationWindow);
    }

    [Fact]
    public void The_last_node_cannot_be_removed_and_canary_first_puts_the_node_with_most_errors_back_first()
    {
        var state = new PlanWizardState("r", null, null);
        state.Start(SampleRemediation.Proposal());
        var canary = state.Order[0];

        state.Move(canary, 1);
        Assert.False(state.Options.CanaryFirst);
        Assert.NotEqual(canary, state.Order[0]);
        state.SetCanaryFirst(true);
        Assert.Equal(canary, state.Order[0]);

        state.Remove(state.Order[2]);
        state.Remove(state.Order[1]);
        state.Remove(state.Order[0]);
        Assert.Equal([canary], state.Order);
        Assert.Equal(2, state.Removed.Count);
    }

    [Fact]
    public void An_approval_needs_every_risk_and_a_sound_standing_grant()
    {
        var draft = new ApprovalDraft(SampleRemediation.Proposal().Risks, Now.AddHours(4));
        Assert.Equal("2026-11-20T13:30", draft.StandingUntil);
        Assert.Equal(["acknowledge all 2 risk notes (2 left)"], draft.Problems(Now));

        draft.Acknowledge(SampleRemediation.UnmeshedRisk, true);
        draft.Acknowledge(SampleRemediation.InstallerRisk, true);
        draft.Acknowledge(SampleRemediation.InstallerRisk, false);
        Assert.Equal(["acknowledge the risk note"], draft.Problems(Now));
        draft.Acknowledge(SampleRemediation.InstallerRisk, true);
        Assert.Empty(draft.Problems(Now));
        Assert.Null(draft.Grant());

        draft.Standing = true;
        draft.StandingNodes = "0";
        draft.StandingUntil = "";
        Assert.Equal(["a standing approval needs at least 1 more node", "a standing approval needs an end time"], draft.Problems(Now));
        draft.StandingNodes = "4";
        draft.StandingUntil = "2026-11-20T12:00";
        Assert.Equal(new StandingGrant(4, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero)), draft.Grant());
    }

    [Fact]
    public void Refusals_keep_the_plans_words_and_only_a_conflict_asks_for_a_reload()
    {
        var refusal = CommandError.From("start plan p", new RemediationRefusal(RefusalCodes.LeaseNotHeld, "another dashboard holds the remediation Lease"));
        Assert.Equal(new CommandError("Could not start plan p: another dashboard holds the remediation Lease", false, RefusalCodes.LeaseNotHeld), refusal);
        Assert.False(CommandError.From("x", new UnauthorizedAccessException("no")).Reload);
        Assert.StartsWith("You are not allowed to x", CommandError.From("x", new UnauthorizedAccessException("no")).Message, StringComparison.Ordinal);
        Assert.True(CommandError.From("x", new PlanConflictException()).Reload);
    }

    [Fact]
    public void Nodes_being_fixed_come_from_running_and_paused_plans_only()
    {
        PlanSummary Summary(string id, PlanState state, params string[] inFlight) => new()
        {
            Id = id, Rule = "r", State = state, Author = "a", CreatedAt = Now, UpdatedAt = Now, Nodes = 3, NodesDone = 0, NodesInFlight = inFlight,
        };

        var fixing = NodesBeingFixed.From([Summary("p1", PlanState.Running, "n1"), Summary("p2", PlanState.Aborting, "n2"), Summary("p3", PlanState.Paused, "n3")]);

        Assert.Equal("p1", fixing.For("n1")?.Id);
        Assert.Null(fixing.For("n2"));
        Assert.Equal("p3", fixing.For("n3")?.Id);
        Assert.Equal(["p1", "p3"], fixing.Plans.Select(p => p.Id));
    }

    [Fact]
    public async Task Without_a_remediation_service_no_node_is_being_fixed()
    {
        Assert.Same(NodesBeingFixed.None, await NodesBeingFixed.LoadAsync(null, CancellationToken.None));
    }

    [Fact]
    public void A_canary_hold_is_continued_with_its_own_words_and_a_paused_node_with_changes_can_be_rolled_back()
    {
        var service = new FakeRemediationService(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now));
        service.Proposal = SampleRemediation.Proposal(new RemediationOptions { HoldAfterCanary = true });
        var plan = service.Seed(PlanState.Running);
        var canary = plan.Nodes[0].Node;
        foreach (var edit in plan.Nodes[0].Edits)
        {
            plan = plan.CompleteApply(canary, new AppliedChange(plan.CurrentChange(canary)!.ChangeId, edit.File, edit.ExpectedSha256, edit.NewSha256, "b-" + edit.File, Now), Now);
            if (edit != plan.Nodes[0].Edits[^1]) plan = plan.BeginApply(canary, Now);
        }

        var later = Now.AddMinutes(2);
        plan = plan.BeginRestart(canary, new PodRef("linkerd-cni", "linkerd-cni-x", "uid-1"), Now).CompleteRestart(canary, Now)
            .BeginWaitReady(canary, Now).CompleteWaitReady(canary, new PodRef("linkerd-cni", "linkerd-cni-y", "uid-2"), Now)
            .BeginVerify(canary, Now).CompleteVerify(canary, later)
            .BeginRelease(canary, later).CompleteRelease(canary, later)
            .Advance(later, FleetObservation.Calm);

        Assert.Equal((PlanState.Paused, PauseReason.CanaryHold), (plan.State, plan.PauseReason));
        var resume = Assert.Single(PlanCommands.For(plan, later), c => c.Key == "resume");
        Assert.Equal("Continue after the canary", resume.Label);
        Assert.Equal(["roll-back-node"], PlanCommands.ForNode(plan, plan.Nodes[0]).Select(c => c.Key));
        Assert.Equal(["skip-node"], PlanCommands.ForNode(plan, plan.Nodes[1]).Select(c => c.Key));
        Assert.Equal(100, PlanText.Progress(plan.Nodes[0], hasComponent: true));
        Assert.Equal(0, PlanText.Progress(plan.Nodes[1], hasComponent: true));
    }
}
