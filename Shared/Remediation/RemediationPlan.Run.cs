namespace CniDashboard.Shared.Remediation;

/// <summary>Running: start, pause, resume, skip, roll back, abort, scheduling, the standing approval.</summary>
public sealed partial record RemediationPlan
{
    /// <summary>
    /// Starts an approved plan: its approvals must still bind it and not have expired, this dashboard
    /// must hold the Lease, kured's lock must be free, and no other plan may be running.
    /// </summary>
    public RemediationPlan Start(string actor, DateTimeOffset now, StartConditions conditions)
    {
        Require("start", PlanState.Approved);
        if (IsExpiredAt(now)) throw Refuse(RefusalCodes.Expired, $"the approvals of plan {Id} expired at {ExpiresAt(now):u}; submit it again");
        if (ValidApprovals(now).Count < Policy.RequiredApprovals) throw Refuse(RefusalCodes.NotApproved, $"plan {Id} changed since it was approved");
        CheckConditions(conditions, toRun: true);
        return Next(new PlanEvent(PlanActions.Started, actor, now, PlanState.Running)) with { State = PlanState.Running, StartedBy = actor, StartedAt = now };
    }

    /// <summary>Pauses a running plan after the step in hand (a started step is still finished and recorded).</summary>
    public RemediationPlan Pause(string actor, DateTimeOffset now) =>
        PauseFor(Remediation.PauseReason.OperatorRequest, $"paused by {actor}", actor, now, requireRunning: true);

    /// <summary>
    /// Resumes a paused plan where it was (running, aborting or rolling back). A failed node retries the
    /// step that failed. Needs the Lease; going back to running also needs kured's lock free.
    /// </summary>
    public RemediationPlan Resume(string actor, DateTimeOffset now, StartConditions conditions)
    {
        Require("resume", PlanState.Paused);
        var target = PausedFrom ?? PlanState.Running;
        CheckConditions(conditions, toRun: target == PlanState.Running);
        var nodes = Nodes.Select(n => n.Status == NodeStatus.Failed ? n with { Status = n.FailedWhile ?? NodeStatus.Fixing, FailedWhile = null } : n).ToArray();
        return Next(new PlanEvent(PlanActions.Resumed, actor, now, target, Detail: PauseDetail)) with
        {
            State = target,
            Nodes = nodes,
            PauseReason = null,
            PauseDetail = null,
            PausedFrom = null,
        };
    }

    /// <summary>
    /// Skips a node: a pending one is never touched; a failed one is released (uncordoned if the plan
    /// cordoned it, annotation removed) and left as the failed step left it. A plan paused only for that
    /// failure goes on.
    /// </summary>
    public RemediationPlan SkipNode(string actor, string node, DateTimeOffset now)
    {
        Require("skip a node of", PlanState.Running, PlanState.Paused);
        var n = NodeNamed(node);
        NodeRemediation skipped = n.Status switch
        {
            NodeStatus.Pending => n with { Status = NodeStatus.Skipped, FinishedAt = now },
            NodeStatus.Failed => Route(n with { FailedWhile = null, Attempt = 0 }, NodeStatus.Releasing, NodeStatus.Skipped, now),
            _ => throw Refuse(RefusalCodes.InvalidState, $"node {node} is {n.Status}: only a pending or failed node can be skipped"),
        };
        var next = WithNode(skipped);
        var goOn = State == PlanState.Paused && PauseReason == Remediation.PauseReason.StepFailed && !next.Nodes.Any(x => x.Status == NodeStatus.Failed);
        var state = goOn ? PausedFrom ?? PlanState.Running : State;
        var detail = n.Status == NodeStatus.Failed && n.HasChangesToUndo ? "skipped after a failure; the edits applied stay" : "skipped";
        next = next.Next(new PlanEvent(PlanActions.NodeSkipped, actor, now, state, node, Detail: detail)) with { State = state };
        return goOn ? next with { PauseReason = null, PauseDetail = null, PausedFrom = null } : next;
    }

    /// <summary>
    /// Rolls one node back (a failed or fixed one with changes to undo): its files are restored through
    /// the agent in reverse order, verified, and the plan pauses again when it is done.
    /// </summary>
    public RemediationPlan RollBackNode(string actor, string node, DateTimeOffset now)
    {
        Require("roll back a node of", PlanState.Paused);
        var n = NodeNamed(node);
        if (n.Status is not (NodeStatus.Failed or NodeStatus.Fixed) || (n.Status == NodeStatus.Failed && n.FailedWhile == NodeStatus.Releasing))
            throw Refuse(RefusalCodes.InvalidState, $"node {node} is {n.Status}: only a failed or fixed node can be rolled back");
        if (!n.HasChangesToUndo) throw Refuse(RefusalCodes.InvalidState, $"the plan changed no file on node {node} that is not restored already");
        var rolling = Route(n with { FailedWhile = null, Attempt = 0, FinishedAt = null }, NodeStatus.RollingBack, NodeStatus.RolledBack, now);
        return WithNode(rolling).Next(new PlanEvent(PlanActions.RollbackStarted, actor, now, PlanState.Running, node)) with
        {
            State = PlanState.Running,
            PauseReason = null,
            PauseDetail = null,
            PausedFrom = null,
        };
    }

    /// <summary>
    /// "Restore anyway": a restore the agent refused because the file changed since the plan wrote it
    /// (the CNI component re-installed its entry, a person edited it) is tried again, overwriting the
    /// file with the backup — but only while the file still holds <paramref name="currentSha256"/>, the
    /// hash the operator reviewed against the backup (the agent refuses otherwise, and the plan pauses
    /// again with the newer hash). Needs a reason; resumes like <see cref="Resume"/>.
    /// </summary>
    public RemediationPlan RestoreAnyway(string actor, string node, string? currentSha256, string? reason, DateTimeOffset now, StartConditions conditions)
    {
        Require("force a restore of", PlanState.Paused);
        var n = NodeNamed(node);
        if (n.Status != NodeStatus.Failed || n.FailedWhile != NodeStatus.RollingBack || n.Failure is not { Step: NodeStep.Restore, Kind: StepFailureKind.FileChanged } failure)
            throw Refuse(RefusalCodes.InvalidState, $"node {node} has no restore refused because its file changed: nothing to force");
        if (string.IsNullOrWhiteSpace(reason)) throw Refuse(RefusalCodes.CommentRequired, "say why the file's current content may be overwritten");
        if (!string.Equals(currentSha256, failure.CurrentSha256, StringComparison.Ordinal))
            throw Refuse(RefusalCodes.FileChangedAgain,
                $"{failure.File} holds sha256 {failure.CurrentSha256 ?? "absent"}, not the {currentSha256 ?? "absent"} you reviewed: review its diff again");
        var change = CurrentChange(node) ?? throw Refuse(RefusalCodes.InvalidState, $"node {node} has no restore to make");
        var forced = new RestoreOverride(change.ChangeId, change.File, failure.CurrentSha256, n.Applied.Single(a => a.File == change.File).NewSha256, actor, now, reason.Trim());
        var resumed = WithNode(n with { RestoreOverrides = [.. n.RestoreOverrides, forced] }).Resume(actor, now, conditions);
        return resumed with
        {
            LastEvent = new PlanEvent(PlanActions.RestoreForced, actor, now, resumed.State, node, NodeStep.Restore,
                $"restore {change.File} anyway: it holds sha256 {failure.CurrentSha256 ?? "absent"} (the plan wrote {forced.PlanWroteSha256 ?? "absent"}); the backup's original bytes overwrite it. Reason: {forced.Reason}"),
        };
    }

    /// <summary>
    /// Rolls the whole plan back: every node it changed gets its files restored, newest first, one at a
    /// time, each verified; nodes never touched stay as they are. A step in progress is finished first.
    /// </summary>
    public RemediationPlan RollBack(string actor, DateTimeOffset now)
    {
        Require("roll back", PlanState.Running, PlanState.Paused);
        var nodes = Nodes.Select(n => InHand(n) ? ToRollback(n, now) : n).ToArray();
        return Next(new PlanEvent(PlanActions.RollbackStarted, actor, now, PlanState.RollingBack)) with
        {
            State = PlanState.RollingBack,
            Nodes = nodes,
            PauseReason = null,
            PauseDetail = null,
            PausedFrom = null,
        };
    }

    /// <summary>
    /// Aborts. Before the start: final at once. Underway: nodes in hand are released (uncordoned if the
    /// plan cordoned them, annotation removed) and the plan ends when none is left; edits made stay
    /// (roll back instead to undo them). A side effect in progress is finished and recorded first.
    /// </summary>
    public RemediationPlan Abort(string actor, string? reason, DateTimeOffset now)
    {
        if (State is PlanState.Draft or PlanState.PendingApproval or PlanState.Approved)
            return Next(new PlanEvent(PlanActions.Aborted, actor, now, PlanState.Aborted, Detail: reason)) with { State = PlanState.Aborted, FinishedAt = now };
        Require("abort", PlanState.Running, PlanState.Paused, PlanState.RollingBack);
        var nodes = Nodes.Select(n => InHand(n) ? ToStopped(n, now) : n).ToArray();
        return Next(new PlanEvent(PlanActions.AbortRequested, actor, now, PlanState.Aborting, Detail: reason)) with
        {
            State = PlanState.Aborting,
            Nodes = nodes,
            PauseReason = null,
            PauseDetail = null,
            PausedFrom = null,
        };
    }

    /// <summary>Ends the standing approval now: no more nodes join.</summary>
    public RemediationPlan RevokeStanding(string actor, DateTimeOffset now)
    {
        if (State.IsFinal()) throw Refuse(RefusalCodes.InvalidState, $"plan {Id} is {State}");
        if (Standing is null || Standing.RevokedAt is not null) throw Refuse(RefusalCodes.InvalidState, $"plan {Id} has no standing approval in force");
        return Next(new PlanEvent(PlanActions.StandingRevoked, actor, now, State)) with { Standing = Standing with { RevokedBy = actor, RevokedAt = now } };
    }

    /// <summary>
    /// Whether a node newly showing the plan's finding may join under the standing approval: the
    /// <paramref name="candidate"/> must be one node, proposed for the same rule and plugin, not in the
    /// plan yet, every edit of a kind the approvers saw, its prediction removing the finding and adding no
    /// critical one, no risk the approvers did not acknowledge — within K nodes and before T.
    /// </summary>
    public StandingDecision DecideStanding(PlanProposal candidate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var reasons = new List<string>();
        if (State is not (PlanState.Running or PlanState.Paused)) reasons.Add($"the plan is {State}, not running");
        if (Standing is not { } standing)
        {
            reasons.Add("the plan has no standing approval");
            return new StandingDecision(false, reasons);
        }
        if (standing.RevokedAt is { } revoked) reasons.Add($"the standing approval was revoked by {standing.RevokedBy} at {revoked:u}");
        if (now >= standing.Until) reasons.Add($"the standing approval ended at {standing.Until:u}");
        if (AdmittedByStanding >= standing.MaxAdditionalNodes) reasons.Add($"the standing approval's {standing.MaxAdditionalNodes} additional nodes have all joined");
        if (candidate.Rule != Rule || candidate.Plugin != Plugin) reasons.Add($"it fixes {candidate.Rule}{Of(candidate.Plugin)}, the plan fixes {Rule}{Of(Plugin)}");
        if (candidate.Component != Component) reasons.Add($"it restarts {candidate.Component?.ToString() ?? "nothing"}, the plan restarts {Component?.ToString() ?? "nothing"}");
        if (candidate.Nodes.Count != 1)
        {
            reasons.Add("nodes join one at a time");
            return new StandingDecision(false, reasons);
        }

        var node = candidate.Nodes[0];
        if (Nodes.FirstOrDefault(n => n.Node == node.Node) is { } present) reasons.Add($"node {node.Node} is already in the plan ({present.Status})");
        if (node.Edits.Count == 0) reasons.Add("it has no edit");
        foreach (var edit in node.Edits)
        {
            var shape = EditShape.Of(edit);
            if (!standing.Shapes.Contains(shape)) reasons.Add($"\"{shape}\" is not a kind of edit the approvers saw ({string.Join("; ", standing.Shapes)})");
        }
        if (node.Edits.Select(e => e.File).Distinct(StringComparer.Ordinal).Count() != node.Edits.Count) reasons.Add("it has two edits to one file");
        if (node.Prediction.AddsCritical) reasons.Add("its predicted outcome adds a critical finding");
        var remaining = node.Prediction.Remaining.Concat(node.Prediction.Introduced).Where(f => f.Rule == Rule && (Plugin is null || f.Plugin == Plugin)).ToArray();
        if (node.Targets.Count == 0 || remaining.Length > 0) reasons.Add("its edits do not remove the finding");
        var unacknowledged = candidate.Risks.Select(r => r.Id).Except(Risks.Select(r => r.Id), StringComparer.Ordinal).ToArray();
        if (unacknowledged.Length > 0) reasons.Add($"it carries a risk the approvers did not acknowledge: {string.Join(", ", unacknowledged)}");
        return reasons.Count == 0 ? StandingDecision.Yes : new StandingDecision(false, reasons);
    }

    /// <summary>Adds a node under the standing approval (see <see cref="DecideStanding"/>), last in the order, with the hash of its own edits.</summary>
    public RemediationPlan Admit(PlanProposal candidate, DateTimeOffset now)
    {
        var decision = DecideStanding(candidate, now);
        if (!decision.Admitted) throw Refuse(RefusalCodes.NotApproved, "outside the standing approval: " + string.Join("; ", decision.Reasons));
        var node = candidate.Nodes[0];
        var admitted = node with
        {
            Admission = new NodeAdmission(true, now, PlanHash.EditsSha256(node.Node, node.Edits)),
            Status = NodeStatus.Pending,
            Step = NodeStep.Prepare,
        };
        return Next(new PlanEvent(PlanActions.Extended, PlanActions.SystemActor, now, State, node.Node,
            Detail: $"joined under the standing approval of {string.Join(", ", Standing!.GrantedBy)}: {string.Join("; ", node.Edits.Select(e => e.Summary))}")) with
        {
            Nodes = [.. Nodes, admitted],
        };
    }

    /// <summary>
    /// Scheduling, between steps: starts the next node (canary first) when the pace, the blast radius and
    /// kured's lock allow; holds after the canary; completes, aborts or finishes a rollback when nothing
    /// is left in hand. Returns this same instance when there is nothing to do now (e.g. a node in flight).
    /// </summary>
    public RemediationPlan Advance(DateTimeOffset now, FleetObservation observed)
    {
        ArgumentNullException.ThrowIfNull(observed);
        Require("schedule", PlanState.Running, PlanState.Aborting, PlanState.RollingBack);
        var inFlight = Nodes.Count(n => n.Status.IsInFlight());
        switch (State)
        {
            case PlanState.Aborting:
                return inFlight > 0 ? this : Finish(PlanState.Aborted, PlanActions.Aborted, now, "every node in hand released; edits made stay");
            case PlanState.RollingBack:
                if (inFlight > 0) return this;
                var undo = Nodes.Where(n => n.Status.IsFinal() && n.HasChangesToUndo).OrderByDescending(n => n.StartedAt).FirstOrDefault();
                if (undo is null) return Finish(PlanState.RolledBack, PlanActions.RolledBack, now, "every file the plan changed is back as it was");
                return WithNode(ToRollback(undo with { FinishedAt = null }, now))
                    .Next(new PlanEvent(PlanActions.NodeStarted, PlanActions.SystemActor, now, State, undo.Node, Detail: "rolling back"));
        }

        var pending = Nodes.Where(n => n.Status == NodeStatus.Pending).ToArray();
        var failed = Nodes.Where(n => n.Status == NodeStatus.Failed).ToArray();
        if (pending.Length == 0 && inFlight == 0 && failed.Length == 0)
        {
            if (Standing is { } standing && standing.IsOpen(AdmittedByStanding, now)) return this;
            return Finish(PlanState.Completed, PlanActions.Completed, now,
                $"{Nodes.Count(n => n.Status == NodeStatus.Fixed)} fixed, {Nodes.Count(n => n.Status == NodeStatus.Skipped)} skipped, {Nodes.Count(n => n.Status == NodeStatus.RolledBack)} rolled back" +
                (Nodes.Any(n => n.Status == NodeStatus.NotNeeded) ? $", {Nodes.Count(n => n.Status == NodeStatus.NotNeeded)} no longer needed" : ""));
        }
        if (inFlight >= Options.MaxNodesInFlight) return this;

        // The canary goes alone; others follow only once it is through.
        var canary = Nodes[0];
        if (canary.Status.IsInFlight()) return this;
        if (Options.HoldAfterCanary && !CanaryHeld && canary.Status == NodeStatus.Fixed && pending.Length > 0)
            return PauseFor(Remediation.PauseReason.CanaryHold, $"canary {canary.Node} is fixed; continue to fix the other {pending.Length} nodes", PlanActions.SystemActor, now, requireRunning: true) with { CanaryHeld = true };
        if (pending.Length == 0) return this;

        if (observed.KuredLockHolder is { } holder)
            return inFlight > 0 ? this : PauseFor(Remediation.PauseReason.KuredLockHeld, $"kured holds its reboot lock for node {holder}", PlanActions.SystemActor, now, requireRunning: true);

        var unhealthy = Nodes.Where(n => n.Status.IsInFlight() || n.Status == NodeStatus.Failed || (n.Status == NodeStatus.Fixed && observed.UnhealthyNodes.Contains(n.Node)))
            .Select(n => n.Node).ToArray();
        if (unhealthy.Length + 1 > Options.MaxUnhealthyNodes)
        {
            if (inFlight > 0) return this;
            return PauseFor(Remediation.PauseReason.BlastRadius,
                $"{unhealthy.Length} node(s) of the plan are unhealthy ({string.Join(", ", unhealthy.Take(5))}); starting another would exceed {Options.MaxUnhealthyNodes}",
                PlanActions.SystemActor, now, requireRunning: true);
        }

        var start = pending[0];
        var started = Route(start with { StartedAt = now }, NodeStatus.Fixing, NodeStatus.Fixed, now);
        return WithNode(started).Next(new PlanEvent(PlanActions.NodeStarted, PlanActions.SystemActor, now, State, start.Node,
            Detail: start == canary ? "canary" : null));
    }

    private RemediationPlan Finish(PlanState state, string action, DateTimeOffset now, string detail) =>
        Next(new PlanEvent(action, PlanActions.SystemActor, now, state, Detail: detail)) with { State = state, FinishedAt = now };

    private RemediationPlan PauseFor(PauseReason reason, string detail, string actor, DateTimeOffset now, bool requireRunning)
    {
        if (requireRunning) Require("pause", PlanState.Running);
        return Next(new PlanEvent(PlanActions.Paused, actor, now, PlanState.Paused, Detail: detail)) with
        {
            State = PlanState.Paused,
            PauseReason = reason,
            PauseDetail = detail,
            PausedFrom = State,
        };
    }

    private void CheckConditions(StartConditions conditions, bool toRun)
    {
        if (!conditions.LeaseHeld)
            throw Refuse(RefusalCodes.LeaseNotHeld, $"this dashboard does not hold the {RemediationKeys.LeaseName} Lease: another dashboard may be acting");
        if (!toRun) return;
        if (conditions.KuredLockHolder is { } holder)
            throw Refuse(RefusalCodes.KuredLockHeld, $"kured holds its reboot lock (node {holder}); start when the reboot is done");
        if (conditions.RunningPlanId is { } other && other != Id)
            throw Refuse(RefusalCodes.AnotherPlanRunning, $"plan {other} is running; one plan at a time");
    }

    /// <summary>True for a node the plan is holding: in flight (with no step in progress) or failed.</summary>
    private static bool InHand(NodeRemediation n) =>
        n.Status == NodeStatus.Failed || (n.Status.IsInFlight() && (!n.StepInProgress || IsObservation(n.Step)));

    /// <summary>Waiting for a pod and watching a node have no side effect to finish: they can be cut short.</summary>
    private static bool IsObservation(NodeStep step) => step is NodeStep.WaitReady or NodeStep.Verify;

    private NodeRemediation ToRollback(NodeRemediation n, DateTimeOffset now)
    {
        var clean = n with { FailedWhile = null, StepStartedAt = null, Attempt = 0 };
        if (n.HasChangesToUndo) return Route(clean, NodeStatus.RollingBack, NodeStatus.RolledBack, now);
        return Route(clean, NodeStatus.Releasing, n.Status == NodeStatus.Releasing ? n.ReleaseTo ?? NodeStatus.Skipped : NodeStatus.Skipped, now);
    }

    private NodeRemediation ToStopped(NodeRemediation n, DateTimeOffset now) =>
        Route(n with { FailedWhile = null, StepStartedAt = null, Attempt = 0 }, NodeStatus.Releasing, n.Status == NodeStatus.Releasing ? n.ReleaseTo ?? NodeStatus.Stopped : NodeStatus.Stopped, now);

    private static string Of(string? plugin) => plugin is null ? "" : $" ({plugin})";
}
