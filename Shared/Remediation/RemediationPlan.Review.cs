namespace CniDashboard.Shared.Remediation;

/// <summary>Review: changes before the start, submission, approvals, rejection, expiry.</summary>
public sealed partial record RemediationPlan
{
    private static readonly PlanState[] Revisable = [PlanState.Draft, PlanState.PendingApproval, PlanState.Approved];

    /// <summary>Approvals that count now: bound to the plan as it is, not expired, one per approver.</summary>
    public IReadOnlyList<Approval> ValidApprovals(DateTimeOffset now)
    {
        var hash = Sha256();
        return [.. Approvals.Where(a => a.IsValidFor(hash, now)).DistinctBy(a => a.Approver, StringComparer.Ordinal)];
    }

    /// <summary>
    /// When the plan expires if nothing happens: a submitted plan when its review time is up, an
    /// approved one when its approvals stop counting; null in any other state.
    /// </summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset now) => State switch
    {
        PlanState.PendingApproval => ReviewExpiresAt,
        PlanState.Approved => ApprovedUntil(now),
        _ => null,
    };

    /// <summary>The end of the approval that keeps the count at the required number: the N-th latest to expire.</summary>
    private DateTimeOffset ApprovedUntil(DateTimeOffset now)
    {
        var ends = ValidApprovals(now).Select(a => a.ExpiresAt).OrderDescending().ToArray();
        return ends.Length >= Policy.RequiredApprovals ? ends[Policy.RequiredApprovals - 1] : now;
    }

    /// <summary>True when the plan is due to expire at <paramref name="now"/> (see <see cref="ExpiresAt"/>).</summary>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt(now) is { } at && now >= at;

    /// <summary>Puts the nodes in another order (the same nodes). Voids approvals given so far.</summary>
    public RemediationPlan Reorder(string actor, IReadOnlyList<string> order, DateTimeOffset now)
    {
        Require("reorder", Revisable);
        var byName = Nodes.ToDictionary(n => n.Node, StringComparer.Ordinal);
        if (order.Count != Nodes.Count || order.Distinct(StringComparer.Ordinal).Count() != order.Count || order.Any(n => !byName.ContainsKey(n)))
            throw Refuse(RefusalCodes.InvalidPlan, "the new order must name every node of the plan exactly once");
        return Revised(actor, now, "nodes reordered") with { Nodes = [.. order.Select(n => byName[n])] };
    }

    /// <summary>Takes a node out of the plan (at least one must stay). Voids approvals given so far.</summary>
    public RemediationPlan RemoveNode(string actor, string node, DateTimeOffset now)
    {
        Require("remove a node from", Revisable);
        _ = NodeNamed(node);
        if (Nodes.Count == 1) throw Refuse(RefusalCodes.InvalidPlan, "a plan needs at least one node");
        return Revised(actor, now, $"node {node} removed") with { Nodes = [.. Nodes.Where(n => n.Node != node)] };
    }

    /// <summary>Changes the options. Voids approvals given so far.</summary>
    public RemediationPlan ChangeOptions(string actor, RemediationOptions options, DateTimeOffset now)
    {
        Require("change the options of", Revisable);
        CheckOptions(options);
        return Revised(actor, now, "options changed") with { Options = options };
    }

    /// <summary>
    /// Replaces a node's edits and prediction with ones proposed at a newer snapshot (its files changed
    /// since review). Voids approvals given so far.
    /// </summary>
    public RemediationPlan ReviseNode(string actor, NodeRemediation proposed, DateTimeOffset now)
    {
        Require("revise a node of", Revisable);
        var current = NodeNamed(proposed.Node);
        CheckEdits(proposed);
        var node = current with { Edits = proposed.Edits, Targets = proposed.Targets, Prediction = proposed.Prediction, SandboxErrors = proposed.SandboxErrors };
        return Revised(actor, now, $"node {proposed.Node} re-planned at its current files").WithNode(node);
    }

    private RemediationPlan Revised(string actor, DateTimeOffset now, string what)
    {
        // An approved plan that changes is no longer the plan the approvers saw.
        var state = State == PlanState.Approved ? PlanState.PendingApproval : State;
        return Next(new PlanEvent(PlanActions.Revised, actor, now, state, Detail: what)) with { State = state, Standing = null };
    }

    /// <summary>
    /// Submits the draft for approval under <paramref name="policy"/> (the current Admin setting, kept
    /// with the plan). Refused when any node's predicted outcome adds a critical finding.
    /// </summary>
    public RemediationPlan Submit(string actor, string? comment, ApprovalPolicy policy, DateTimeOffset now)
    {
        Require("submit", PlanState.Draft);
        if (policy.Problems() is { Count: > 0 } problems) throw Refuse(RefusalCodes.InvalidPlan, "invalid approval policy: " + string.Join("; ", problems));
        var critical = Nodes.Where(n => n.Prediction.AddsCritical).ToArray();
        if (critical.Length > 0)
        {
            var first = critical[0].Prediction.Introduced.First(f => f.Severity == Analysis.Severity.Critical);
            throw Refuse(RefusalCodes.AddsCritical,
                $"the predicted outcome adds a critical finding on {critical.Length} node(s), e.g. {critical[0].Node}: {first.Rule} ({first.Message}); change the plan first");
        }
        return Next(new PlanEvent(PlanActions.Submitted, actor, now, PlanState.PendingApproval, Detail: comment)) with
        {
            State = PlanState.PendingApproval,
            Policy = policy,
            SubmittedAt = now,
            SubmitComment = comment,
            ReviewExpiresAt = now + policy.Lifetime,
        };
    }

    /// <summary>
    /// Records <paramref name="approver"/>'s approval of the plan as it is now (its hash), acknowledging
    /// <paramref name="acknowledgedRisks"/> (every risk note's id), optionally with a standing approval.
    /// The plan becomes approved once it has the required number of valid approvals.
    /// </summary>
    public RemediationPlan Approve(string approver, string? comment, IReadOnlyCollection<string> acknowledgedRisks, DateTimeOffset now, StandingGrant? standing = null)
    {
        Require("approve", PlanState.PendingApproval);
        if (IsExpiredAt(now)) throw Refuse(RefusalCodes.Expired, $"plan {Id} waited for approval until {ReviewExpiresAt:u}; it has expired");
        CheckReviewer(approver, "approve");
        var hash = Sha256();
        if (Approvals.Any(a => a.Approver == approver && a.IsValidFor(hash, now)))
            throw Refuse(RefusalCodes.AlreadyApproved, $"{approver} has already approved plan {Id} as it is");
        var missing = Risks.Select(r => r.Id).Except(acknowledgedRisks, StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
            throw Refuse(RefusalCodes.RisksNotAcknowledged, $"acknowledge every risk before approving; not acknowledged: {string.Join(", ", missing)}");
        if (standing is { } grant && (grant.MaxAdditionalNodes < 1 || grant.Until <= now))
            throw Refuse(RefusalCodes.InvalidPlan, "a standing approval needs at least one node and an end in the future");

        var approval = new Approval(approver, now, now + Policy.Lifetime, hash, comment, [.. acknowledgedRisks], standing);
        var next = this with { Approvals = [.. Approvals, approval] };
        var valid = next.ValidApprovals(now);
        if (valid.Count < Policy.RequiredApprovals)
            return next.Next(new PlanEvent(PlanActions.ApprovalRecorded, approver, now, PlanState.PendingApproval,
                Detail: $"{valid.Count} of {Policy.RequiredApprovals} approvals" + (comment is null ? "" : $": {comment}")));

        return next.Next(new PlanEvent(PlanActions.Approved, approver, now, PlanState.Approved, Detail: comment)) with
        {
            State = PlanState.Approved,
            Standing = StandingFrom(valid),
        };
    }

    /// <summary>Rejects the plan with a reason. Final.</summary>
    public RemediationPlan Reject(string approver, string comment, DateTimeOffset now)
    {
        Require("reject", PlanState.PendingApproval, PlanState.Approved);
        if (string.IsNullOrWhiteSpace(comment)) throw Refuse(RefusalCodes.CommentRequired, "a rejection says why");
        CheckReviewer(approver, "reject");
        return Next(new PlanEvent(PlanActions.Rejected, approver, now, PlanState.Rejected, Detail: comment)) with
        {
            State = PlanState.Rejected,
            Rejection = new Rejection(approver, now, comment),
            FinishedAt = now,
        };
    }

    /// <summary>Expires a plan that waited too long for approval, or whose approvals ran out before it started.</summary>
    public RemediationPlan Expire(DateTimeOffset now)
    {
        Require("expire", PlanState.PendingApproval, PlanState.Approved);
        if (!IsExpiredAt(now)) throw Refuse(RefusalCodes.InvalidState, $"plan {Id} does not expire before {ExpiresAt(now):u}");
        var why = State == PlanState.PendingApproval ? "not approved in time" : "approvals expired before the start";
        return Next(new PlanEvent(PlanActions.Expired, PlanActions.SystemActor, now, PlanState.Expired, Detail: why)) with { State = PlanState.Expired, FinishedAt = now };
    }

    private void CheckReviewer(string approver, string verb)
    {
        if (string.IsNullOrWhiteSpace(approver)) throw Refuse(RefusalCodes.InvalidPlan, $"who is to {verb}?");
        if (Policy.TwoPersonRule && string.Equals(approver, Author, StringComparison.Ordinal))
            throw Refuse(RefusalCodes.TwoPersonRule, $"{approver} wrote plan {Id}: with the two-person rule on, someone else must {verb} it");
    }

    /// <summary>
    /// The standing approval the valid approvals grant together: only when every one of them granted one,
    /// with the smallest K and the earliest T (no approver is bound beyond what they agreed to).
    /// </summary>
    private StandingApproval? StandingFrom(IReadOnlyList<Approval> valid)
    {
        if (valid.Count == 0 || valid.Any(a => a.Standing is null)) return null;
        return new StandingApproval
        {
            Rule = Rule,
            Shapes = [.. Nodes.SelectMany(n => n.Edits).Select(EditShape.Of).Distinct()],
            MaxAdditionalNodes = valid.Min(a => a.Standing!.MaxAdditionalNodes),
            Until = valid.Min(a => a.Standing!.Until),
            GrantedBy = [.. valid.Select(a => a.Approver)],
        };
    }
}
