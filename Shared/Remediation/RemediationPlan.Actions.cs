namespace CniDashboard.Shared.Remediation;

/// <summary>What the engine does next, read from the persisted plan alone.</summary>
public sealed partial record RemediationPlan
{
    /// <summary>The first of <see cref="NextActions"/>.</summary>
    public EngineAction NextAction(DateTimeOffset now) => NextActions(now)[0];

    /// <summary>
    /// Everything the engine may do now, most urgent first. A step whose intent is recorded comes before
    /// anything else, whatever the plan's state (even paused or aborting): its side effect may have
    /// happened, so it is performed again (idempotently) and its result recorded. Never empty.
    /// </summary>
    public IReadOnlyList<EngineAction> NextActions(DateTimeOffset now)
    {
        if (State.IsFinal()) return [EngineAction.Idle($"plan {State}")];
        var actions = new List<EngineAction>();
        foreach (var n in Nodes.Where(n => n.StepInProgress && n.Status.IsInFlight()))
        {
            var until = n.Step switch
            {
                NodeStep.WaitReady => n.ReadyDeadline,
                NodeStep.Verify => n.WindowEnd,
                _ => null,
            };
            actions.Add(new EngineAction(EngineActionKind.Perform, n.Node, n.Step, until, "step in progress"));
        }

        switch (State)
        {
            case PlanState.Draft:
                actions.Add(EngineAction.Idle("draft"));
                break;
            case PlanState.PendingApproval or PlanState.Approved:
                actions.Add(IsExpiredAt(now)
                    ? new EngineAction(EngineActionKind.Expire, Reason: State == PlanState.PendingApproval ? "not approved in time" : "approvals expired")
                    : EngineAction.Idle(State == PlanState.PendingApproval ? "waiting for approval" : "waiting to be started", ExpiresAt(now)));
                break;
            case PlanState.Paused:
                if (actions.Count == 0) actions.Add(EngineAction.Idle($"paused: {PauseDetail}"));
                break;
            default:
                foreach (var n in Nodes.Where(n => n.Status.IsInFlight() && !n.StepInProgress))
                    actions.Add(new EngineAction(EngineActionKind.Begin, n.Node, n.Step, Reason: n.Status.ToString()));
                actions.Add(SchedulingAction(now));
                break;
        }
        return actions;
    }

    private EngineAction SchedulingAction(DateTimeOffset now)
    {
        var inFlight = Nodes.Count(n => n.Status.IsInFlight());
        if (State != PlanState.Running) return inFlight > 0 ? EngineAction.Idle("nodes in hand") : new EngineAction(EngineActionKind.Advance, Reason: $"{State}: nothing in hand");
        var open = Nodes.Any(n => n.Status is NodeStatus.Pending or NodeStatus.Failed);
        if (inFlight == 0 && !open && Standing is { } standing && standing.IsOpen(AdmittedByStanding, now))
            return EngineAction.Idle("waiting for nodes under the standing approval", standing.Until);
        // A failed node and nothing else to start (transitions pause such a plan; should one run, it waits rather than spin on Advance).
        if (inFlight == 0 && Nodes.Any(n => n.Status == NodeStatus.Failed) && !Nodes.Any(n => n.Status == NodeStatus.Pending))
            return EngineAction.Idle("a failed node waits for an operator");
        if (inFlight == 0 || (inFlight < Options.MaxNodesInFlight && open && !Nodes[0].Status.IsInFlight()))
            return new EngineAction(EngineActionKind.Advance, Reason: "schedule the next node");
        return EngineAction.Idle("nodes in flight");
    }
}
