namespace CniDashboard.Shared.Remediation;

/// <summary>
/// What one transition did, for the audit log: every transition of a plan sets
/// <see cref="RemediationPlan.LastEvent"/>, and the engine (or API) writes it in the same
/// transaction as the plan's new version.
/// </summary>
/// <param name="Action">One of <see cref="PlanActions"/>.</param>
/// <param name="Actor">The person's subject, or <see cref="PlanActions.SystemActor"/> for the engine.</param>
/// <param name="At">When.</param>
/// <param name="State">The plan's state after the transition.</param>
/// <param name="Node">The node concerned, when one is.</param>
/// <param name="Step">The step concerned, when one is.</param>
/// <param name="Detail">A sentence: the comment, the failure, the pause reason.</param>
/// <param name="Files">For applies and restores: each file's sha256 before and after, and the change id (the diff is retrievable from the plan's edits and the agent's backups).</param>
public sealed record PlanEvent(
    string Action,
    string Actor,
    DateTimeOffset At,
    PlanState State,
    string? Node = null,
    NodeStep? Step = null,
    string? Detail = null,
    IReadOnlyList<AppliedChange>? Files = null);

/// <summary>The audit actions of remediation: <c>plan.verb</c>, stable (exports and filters depend on them).</summary>
public static class PlanActions
{
    /// <summary>The actor of transitions the engine makes on its own.</summary>
    public const string SystemActor = "system";

    public const string Created = "plan.created";
    public const string Revised = "plan.revised";
    public const string Submitted = "plan.submitted";

    /// <summary>An approval recorded that did not (yet) make the plan approved (more are required).</summary>
    public const string ApprovalRecorded = "plan.approval-recorded";
    public const string Approved = "plan.approved";
    public const string Rejected = "plan.rejected";
    public const string Expired = "plan.expired";
    public const string Started = "plan.started";
    public const string NodeStarted = "plan.node-started";
    public const string StepStarted = "plan.step-started";
    public const string StepDone = "plan.step-done";
    public const string StepFailed = "plan.step-failed";
    /// <summary>An operator forced a restore over a file that changed since the plan wrote it.</summary>
    public const string RestoreForced = "plan.step-restore-forced";
    public const string NodeFinished = "plan.node-finished";
    public const string Paused = "plan.paused";
    public const string Resumed = "plan.resumed";
    public const string NodeSkipped = "plan.node-skipped";
    public const string RollbackStarted = "plan.rollback-started";
    public const string RolledBack = "plan.rolled-back";
    public const string AbortRequested = "plan.abort-requested";
    public const string Aborted = "plan.aborted";
    public const string Extended = "plan.extended";

    /// <summary>A node that joined under the standing approval got new edits from a newer snapshot (its file changed before apply).</summary>
    public const string StandingReproposed = "plan.standing-reproposed";

    /// <summary>A node that joined under the standing approval left the plan: its newer snapshot no longer shows the finding.</summary>
    public const string NodeNotNeeded = "plan.node-not-needed";
    public const string StandingRevoked = "plan.standing-revoked";
    public const string Completed = "plan.completed";
}
