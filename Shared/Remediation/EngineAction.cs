namespace CniDashboard.Shared.Remediation;

/// <summary>What the engine must do next for a plan, read from its persisted state alone (<see cref="RemediationPlan.NextActions"/>).</summary>
public enum EngineActionKind
{
    /// <summary>Nothing until a person acts (or <see cref="EngineAction.Until"/> passes).</summary>
    None,

    /// <summary>The plan is due to expire: call <see cref="RemediationPlan.Expire"/>.</summary>
    Expire,

    /// <summary>Scheduling is due (start the next node, hold, complete…): call <see cref="RemediationPlan.Advance"/>.</summary>
    Advance,

    /// <summary>
    /// Persist the intent of <see cref="EngineAction.Step"/> on <see cref="EngineAction.Node"/> first:
    /// call its <c>Begin…</c> method and commit, before any side effect.
    /// </summary>
    Begin,

    /// <summary>
    /// The step's intent is persisted: perform its side effect (again, idempotently: the keys make a
    /// repeat harmless), or keep observing until <see cref="EngineAction.Until"/>; then commit its
    /// <c>Complete…</c> or <see cref="RemediationPlan.FailStep"/>.
    /// </summary>
    Perform,
}

/// <summary>One thing the engine must do next.</summary>
/// <param name="Kind">What kind of thing.</param>
/// <param name="Node">The node, for <see cref="EngineActionKind.Begin"/> and <see cref="EngineActionKind.Perform"/>.</param>
/// <param name="Step">The step, for <see cref="EngineActionKind.Begin"/> and <see cref="EngineActionKind.Perform"/>.</param>
/// <param name="Until">A deadline: a verification window's end, a ready timeout, an expiry, a standing approval's end.</param>
/// <param name="Reason">Why, in a few words (for logs and the plan page).</param>
public sealed record EngineAction(EngineActionKind Kind, string? Node = null, NodeStep? Step = null, DateTimeOffset? Until = null, string? Reason = null)
{
    /// <summary>Nothing to do.</summary>
    public static EngineAction Idle(string reason, DateTimeOffset? until = null) => new(EngineActionKind.None, Until: until, Reason: reason);
}

/// <summary>What must hold for a plan to start or resume; the engine observes it, the plan judges it.</summary>
/// <param name="LeaseHeld">This dashboard holds the <see cref="RemediationKeys.LeaseName"/> Lease.</param>
/// <param name="KuredLockHolder">The node kured's lock names, or null when the lock is free.</param>
/// <param name="RunningPlanId">The id of a plan running (or paused) now, or null.</param>
public sealed record StartConditions(bool LeaseHeld, string? KuredLockHolder = null, string? RunningPlanId = null);

/// <summary>What the engine observes of the fleet when scheduling (<see cref="RemediationPlan.Advance"/>).</summary>
/// <param name="UnhealthyNodes">Nodes the dashboard sees unhealthy now (a critical finding, NotReady).</param>
/// <param name="KuredLockHolder">The node kured's lock names, or null when the lock is free.</param>
public sealed record FleetObservation(IReadOnlySet<string> UnhealthyNodes, string? KuredLockHolder = null)
{
    /// <summary>Nothing unhealthy, no lock.</summary>
    public static FleetObservation Calm { get; } = new(new HashSet<string>());
}

/// <summary>The agent call an Apply or Restore step makes, derived from the plan.</summary>
/// <param name="ChangeId">The idempotency key (<see cref="RemediationKeys.ChangeId"/>).</param>
/// <param name="File">The file.</param>
/// <param name="ExpectedSha256">What the file must hold now (the agent answers 409 otherwise); null for restoring a deleted file, which must not exist.</param>
/// <param name="Edit">For an apply: the edit (new content, or delete).</param>
/// <param name="BackupId">For a restore: the agent's backup to put back.</param>
public sealed record NodeChange(string ChangeId, string File, string? ExpectedSha256, PlannedEdit? Edit, string? BackupId);
