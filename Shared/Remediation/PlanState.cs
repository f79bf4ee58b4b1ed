namespace CniDashboard.Shared.Remediation;

/// <summary>Where a remediation plan is in its life. See docs/remediation.md for the allowed transitions.</summary>
public enum PlanState
{
    /// <summary>Being put together: nodes, order and options may change.</summary>
    Draft,

    /// <summary>Submitted; waiting for enough approvals bound to the plan as it is now.</summary>
    PendingApproval,

    /// <summary>Approved (enough valid approvals); may be started until the approvals expire.</summary>
    Approved,

    /// <summary>An approver said no. Final.</summary>
    Rejected,

    /// <summary>Not approved, or not started, in time. Final.</summary>
    Expired,

    /// <summary>The engine is fixing nodes.</summary>
    Running,

    /// <summary>Stopped between steps until an operator acts (<see cref="PauseReason"/> says why).</summary>
    Paused,

    /// <summary>Stopping: the nodes it holds are released (uncordoned, annotation removed); edits made stay.</summary>
    Aborting,

    /// <summary>Putting every node it changed back, byte for byte, newest first.</summary>
    RollingBack,

    /// <summary>Every node done, skipped or rolled back, and no standing approval open. Final.</summary>
    Completed,

    /// <summary>Cancelled before it started, or stopped while running. Final.</summary>
    Aborted,

    /// <summary>Every node it changed is back as it was. Final.</summary>
    RolledBack,
}

/// <summary>Why a plan is paused.</summary>
public enum PauseReason
{
    /// <summary>An operator asked for a pause.</summary>
    OperatorRequest,

    /// <summary>A node's step failed; <see cref="NodeRemediation.Failure"/> says how.</summary>
    StepFailed,

    /// <summary>The canary node is fixed and the options ask for a hold until an operator continues.</summary>
    CanaryHold,

    /// <summary>Starting another node would make more nodes unhealthy at once than the options allow.</summary>
    BlastRadius,

    /// <summary>kured holds its reboot lock: a node is being rebooted, so no other node is touched.</summary>
    KuredLockHeld,

    /// <summary>One node was rolled back on an operator's request; continue, or roll back the rest.</summary>
    NodeRolledBack,
}

/// <summary>Plan states from which nothing moves any more.</summary>
public static class PlanStates
{
    /// <summary>True for <see cref="PlanState.Rejected"/>, <see cref="PlanState.Expired"/>, <see cref="PlanState.Completed"/>, <see cref="PlanState.Aborted"/> and <see cref="PlanState.RolledBack"/>.</summary>
    public static bool IsFinal(this PlanState state) =>
        state is PlanState.Rejected or PlanState.Expired or PlanState.Completed or PlanState.Aborted or PlanState.RolledBack;

    /// <summary>True while the plan may act on nodes (or finish a step it started): running, paused, aborting, rolling back.</summary>
    public static bool IsUnderway(this PlanState state) =>
        state is PlanState.Running or PlanState.Paused or PlanState.Aborting or PlanState.RollingBack;
}
