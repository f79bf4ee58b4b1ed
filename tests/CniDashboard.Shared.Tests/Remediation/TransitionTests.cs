using CniDashboard.Shared.Remediation;

namespace CniDashboard.Shared.Tests.Remediation;

/// <summary>
/// The plan's state machine as a table: every lifecycle transition tried in every state. Allowed ones
/// succeed; every other one is refused with <see cref="RefusalCodes.InvalidState"/> and changes nothing.
/// </summary>
public sealed class TransitionTests
{
    private static readonly DateTimeOffset Now = Plans.T0.AddMinutes(30);

    private static readonly Dictionary<string, PlanState[]> Allowed = new()
    {
        ["reorder"] = [PlanState.Draft, PlanState.PendingApproval, PlanState.Approved],
        ["remove node"] = [PlanState.Draft, PlanState.PendingApproval, PlanState.Approved],
        ["change options"] = [PlanState.Draft, PlanState.PendingApproval, PlanState.Approved],
        ["revise node"] = [PlanState.Draft, PlanState.PendingApproval, PlanState.Approved],
        ["submit"] = [PlanState.Draft],
        ["approve"] = [PlanState.PendingApproval],
        ["reject"] = [PlanState.PendingApproval, PlanState.Approved],
        ["expire"] = [PlanState.PendingApproval, PlanState.Approved],
        ["start"] = [PlanState.Approved],
        ["pause"] = [PlanState.Running],
        ["resume"] = [PlanState.Paused],
        ["skip node"] = [PlanState.Running, PlanState.Paused],
        ["roll back"] = [PlanState.Running, PlanState.Paused],
        ["abort"] = [PlanState.Draft, PlanState.PendingApproval, PlanState.Approved, PlanState.Running, PlanState.Paused, PlanState.RollingBack],
        ["advance"] = [PlanState.Running, PlanState.Aborting, PlanState.RollingBack],
    };

    public static TheoryData<PlanState, string> Cases()
    {
        var data = new TheoryData<PlanState, string>();
        foreach (var state in Enum.GetValues<PlanState>())
        {
            foreach (var transition in Allowed.Keys) data.Add(state, transition);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_transition_is_allowed_exactly_in_its_states(PlanState state, string transition)
    {
        var plan = InState(state);
        Assert.Equal(state, plan.State);

        if (Allowed[transition].Contains(state))
        {
            var next = Apply(plan, transition);
            Assert.True(next.Version >= plan.Version);
            if (!ReferenceEquals(next, plan))
            {
                Assert.Equal(plan.Version + 1, next.Version);
                Assert.NotNull(next.LastEvent);
                Assert.Equal(next.State, next.LastEvent.State);
            }
        }
        else
        {
            var refusal = Assert.Throws<RemediationRefusal>(() => Apply(plan, transition));
            Assert.Equal(RefusalCodes.InvalidState, refusal.Code);
        }
    }

    [Fact]
    public void Every_state_of_the_table_is_reachable_through_real_transitions()
    {
        foreach (var state in Enum.GetValues<PlanState>()) Assert.Equal(state, InState(state).State);
    }

    private static RemediationPlan Apply(RemediationPlan plan, string transition) => transition switch
    {
        "reorder" => plan.Reorder(Plans.Author, [.. plan.Nodes.Select(n => n.Node).Reverse()], Now),
        "remove node" => plan.RemoveNode(Plans.Author, plan.Nodes[^1].Node, Now),
        "change options" => plan.ChangeOptions(Plans.Author, plan.Options with { HoldAfterCanary = !plan.Options.HoldAfterCanary }, Now),
        "revise node" => plan.ReviseNode(Plans.Author, plan.Nodes[0], Now),
        "submit" => plan.Submit(Plans.Author, null, new ApprovalPolicy(), Now),
        "approve" => plan.Approve(Plans.Approver2, Now),
        "reject" => plan.Reject(Plans.Approver2, "no", Now),
        // Far enough for any approval to have run out; refused by state before that matters elsewhere.
        "expire" => plan.Expire(Plans.T0.AddDays(30)),
        "start" => plan.Start(Plans.Author, Now, Plans.Clear),
        "pause" => plan.Pause(Plans.Author, Now),
        "resume" => plan.Resume(Plans.Author, Now, Plans.Clear),
        "skip node" => plan.SkipNode(Plans.Author, plan.Nodes[^1].Node, Now),
        "roll back" => plan.RollBack(Plans.Author, Now),
        "abort" => plan.Abort(Plans.Author, "enough", Now),
        "advance" => plan.Advance(Now, FleetObservation.Calm),
        _ => throw new ArgumentOutOfRangeException(nameof(transition)),
    };

    /// <summary>A three-node plan in <paramref name="state"/>, reached the way the engine and people reach it.</summary>
    internal static RemediationPlan InState(PlanState state)
    {
        var now = Plans.T0.AddMinutes(3);
        switch (state)
        {
            case PlanState.Draft: return Plans.Draft();
            case PlanState.PendingApproval: return Plans.Pending();
            case PlanState.Approved: return Plans.Approved();
            case PlanState.Rejected: return Plans.Pending().Reject(Plans.Approver, "no", now);
            case PlanState.Expired: return Plans.Pending().Expire(Plans.T0.AddDays(2));
            case PlanState.Running: return Plans.Running();
            case PlanState.Paused: return Plans.Running().Pause(Plans.Author, now);
            case PlanState.Aborting:
            {
                var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.Apply, ref now);
                return plan.Abort(Plans.Author, "stop", now);
            }
            case PlanState.RollingBack:
            {
                var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.Apply, ref now);
                return plan.RollBack(Plans.Author, now);
            }
            case PlanState.Completed: return Plans.Running().Drive(ref now);
            case PlanState.Aborted: return Plans.Draft().Abort(Plans.Author, null, now);
            case PlanState.RolledBack:
            {
                var held = Plans.Running(new RemediationOptions { HoldAfterCanary = true }).Drive(ref now);
                return held.RollBack(Plans.Author, now).Drive(ref now);
            }
            default: throw new ArgumentOutOfRangeException(nameof(state));
        }
    }
}
