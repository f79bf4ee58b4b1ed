namespace CniDashboard.Shared.Remediation;

/// <summary>
/// Remediation as the UI and the REST API use it: propose, create, review, approve and run plans.
/// The server implements it over the store, the engine and the current user (every command checks
/// the caller's role and writes its audit entry in the same transaction as the plan's new version);
/// UI tests implement it with fakes.
/// </summary>
/// <remarks>
/// Commands that are not allowed in the plan's state throw <see cref="RemediationRefusal"/> (its
/// <c>Code</c> says why); a caller without the role throws <see cref="UnauthorizedAccessException"/>
/// (and is recorded as a denied audit entry); a stale <c>expectedVersion</c> throws
/// <see cref="PlanConflictException"/>. Plan changes reach the change feed as
/// <c>ClusterChangeKind.PlanChanged</c> with the plan id in <c>Plan</c>.
/// </remarks>
public interface IRemediationService
{
    /// <summary>What a plan for this request would be, without creating it (the wizard's review).</summary>
    Task<PlanProposal> ProposeAsync(PlanDraftRequest request, CancellationToken cancellationToken);

    /// <summary>Creates a Draft plan authored by the current user (Operator).</summary>
    Task<RemediationPlan> CreateAsync(PlanDraftRequest request, CancellationToken cancellationToken);

    /// <summary>Plans, newest first.</summary>
    Task<IReadOnlyList<PlanSummary>> ListAsync(PlanListQuery query, CancellationToken cancellationToken);

    /// <summary>One plan with its nodes, steps and approvals, or null.</summary>
    Task<RemediationPlan?> GetAsync(string planId, CancellationToken cancellationToken);

    /// <summary>The plan's step log, oldest first (from its audit entries).</summary>
    Task<IReadOnlyList<PlanLogEntry>> GetLogAsync(string planId, CancellationToken cancellationToken);

    /// <summary>Reorders, removes nodes or changes options of a Draft/PendingApproval/Approved plan (Operator; voids approvals).</summary>
    Task<RemediationPlan> ReviseAsync(string planId, long expectedVersion, PlanRevision revision, CancellationToken cancellationToken);

    /// <summary>Submits a Draft for approval with a comment (Operator).</summary>
    Task<RemediationPlan> SubmitAsync(string planId, long expectedVersion, string? comment, CancellationToken cancellationToken);

    /// <summary>
    /// Approves the plan whose hash is <paramref name="planSha256"/> (Approver; never the author while
    /// the two-person rule is on), acknowledging every risk note by id, optionally with a standing approval.
    /// </summary>
    Task<RemediationPlan> ApproveAsync(string planId, string planSha256, string? comment, IReadOnlyCollection<string> acknowledgedRisks, StandingGrant? standing, CancellationToken cancellationToken);

    /// <summary>Rejects with a comment (Approver).</summary>
    Task<RemediationPlan> RejectAsync(string planId, string comment, CancellationToken cancellationToken);

    /// <summary>Starts an Approved plan (Operator); refused while the Lease is held elsewhere, kured's lock is held, or another plan runs.</summary>
    Task<RemediationPlan> StartAsync(string planId, CancellationToken cancellationToken);

    /// <summary>Runs one operator control on a started plan (Operator).</summary>
    Task<RemediationPlan> ControlAsync(string planId, PlanControl control, CancellationToken cancellationToken);
}

/// <summary>What to plan: a rule (optionally one plugin of it) on some nodes, with options.</summary>
public sealed record PlanDraftRequest
{
    /// <summary>The analyzer rule to fix, e.g. <c>mesh-token-pod-gone</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>Only the findings about this plugin type; null for all.</summary>
    public string? Plugin { get; init; }

    /// <summary>The nodes, in the order asked; empty means every node that currently shows the finding.</summary>
    public IReadOnlyList<string> Nodes { get; init; } = [];

    /// <summary>The plan's options.</summary>
    public RemediationOptions Options { get; init; } = new();
}

/// <summary>A change to a plan under review; exactly one part is set.</summary>
public sealed record PlanRevision
{
    /// <summary>The new order of the plan's nodes.</summary>
    public IReadOnlyList<string>? Order { get; init; }

    /// <summary>A node to take out of the plan.</summary>
    public string? RemoveNode { get; init; }

    /// <summary>New options.</summary>
    public RemediationOptions? Options { get; init; }
}

/// <summary>What an operator may do to a started plan.</summary>
public sealed record PlanControl
{
    /// <summary>The control.</summary>
    public required PlanControlKind Kind { get; init; }

    /// <summary>The node, for <see cref="PlanControlKind.SkipNode"/> and <see cref="PlanControlKind.RollBackNode"/>.</summary>
    public string? Node { get; init; }

    /// <summary>Why, for an abort or a forced restore (recorded).</summary>
    public string? Reason { get; init; }

    /// <summary>For <see cref="PlanControlKind.RestoreAnyway"/>: the file's sha256 now, as the operator reviewed it against the backup.</summary>
    public string? ExpectedSha256 { get; init; }
}

/// <summary>Operator controls on a started plan.</summary>
public enum PlanControlKind
{
    /// <summary>Pause after the current step.</summary>
    Pause,
    /// <summary>Resume (a failed step is retried; after a canary hold, continue).</summary>
    Resume,
    /// <summary>Leave one node as it is and go on.</summary>
    SkipNode,
    /// <summary>Restore one node's backups.</summary>
    RollBackNode,
    /// <summary>Restore every changed node's backups, newest first.</summary>
    RollBack,
    /// <summary>
    /// A restore refused because the file changed since the plan wrote it (e.g. the CNI component
    /// re-installed its entry): overwrite it with the backup anyway, if it still holds the hash the
    /// operator reviewed (<see cref="PlanControl.ExpectedSha256"/>); needs a reason.
    /// </summary>
    RestoreAnyway,
    /// <summary>Stop: finish the node in hand's release, start no other.</summary>
    Abort,
    /// <summary>End the standing approval: no more nodes join.</summary>
    RevokeStanding,
}

/// <summary>Filters for the plan list; null means any.</summary>
public sealed record PlanListQuery
{
    /// <summary>Only plans in these states.</summary>
    public IReadOnlyList<PlanState>? States { get; init; }

    /// <summary>Only plans that include this node.</summary>
    public string? Node { get; init; }

    /// <summary>At most this many (default 100).</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>A plan in a list: enough to show a row and its progress.</summary>
public sealed record PlanSummary
{
    /// <summary>The plan's id.</summary>
    public required string Id { get; init; }

    /// <summary>The rule it fixes.</summary>
    public required string Rule { get; init; }

    /// <summary>The plugin the findings are about, when one.</summary>
    public string? Plugin { get; init; }

    /// <summary>Its state.</summary>
    public required PlanState State { get; init; }

    /// <summary>Who created it.</summary>
    public required string Author { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Nodes in the plan.</summary>
    public required int Nodes { get; init; }

    /// <summary>Nodes fixed or no longer needed (or rolled back, when rolling back).</summary>
    public required int NodesDone { get; init; }

    /// <summary>The nodes the plan holds now: being worked on, or failed and waiting for an operator (<see cref="NodeStatuses.IsInHand"/>).</summary>
    public IReadOnlyList<string> NodesInFlight { get; init; } = [];

    /// <summary>Why it is paused, when it is.</summary>
    public string? PausedReason { get; init; }
}

/// <summary>One line of a plan's step log.</summary>
/// <param name="Sequence">The audit entry's sequence number (links to it).</param>
/// <param name="At">When.</param>
/// <param name="Actor">Who (a person, or the engine).</param>
/// <param name="Action">The audit action, e.g. <c>remediation.step.done</c>.</param>
/// <param name="Node">The node, when the line is about one.</param>
/// <param name="Summary">A sentence for humans.</param>
/// <param name="Outcome">The audit outcome.</param>
public sealed record PlanLogEntry(long Sequence, DateTimeOffset At, string Actor, string Action, string? Node, string Summary, string Outcome);

/// <summary>The plan changed since the caller read it (another person or the engine wrote a newer version).</summary>
public sealed class PlanConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlanConflictException() : base("the plan changed since you read it: reload it and try again") { }

    /// <summary>Creates the exception with a message.</summary>
    public PlanConflictException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public PlanConflictException(string message, Exception innerException) : base(message, innerException) { }
}
