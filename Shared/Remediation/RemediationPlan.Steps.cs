namespace CniDashboard.Shared.Remediation;

/// <summary>
/// A node's steps. Each side effect is bracketed: <c>Begin…</c> records the intent (committed before
/// the side effect), <c>Complete…</c> records the result (committed after it). A step whose intent is
/// recorded but whose result is not is performed again after a crash; the keys in
/// <see cref="RemediationKeys"/> make the repeat harmless.
/// </summary>
public sealed partial record RemediationPlan
{
    /// <summary>
    /// Records, before the node is patched, whether it was cordoned already. May be called again while
    /// the prepare step is in progress (after a crash, if the node has no annotation of this plan: the
    /// patch did not happen, read the node again).
    /// </summary>
    public RemediationPlan BeginPrepare(string node, bool wasCordoned, DateTimeOffset now) =>
        Begin(node, NodeStep.Prepare, now, n => n with { WasCordoned = wasCordoned }, $"node {(wasCordoned ? "already cordoned" : "schedulable")}", allowAgain: true);

    /// <summary>Records that the node carries the plan's annotation (and the cordon, unless it was cordoned already or cordoning is off).</summary>
    public RemediationPlan CompletePrepare(string node, DateTimeOffset now) =>
        Complete(node, NodeStep.Prepare, now, n => n with { Annotated = true, CordonedByPlan = Options.CordonNodes && n.WasCordoned == false });

    /// <summary>Records the intent to apply the node's next edit; <see cref="CurrentChange"/> gives the call to make.</summary>
    public RemediationPlan BeginApply(string node, DateTimeOffset now)
    {
        var n = NodeNamed(node);
        var change = n.Applied.Count < n.Edits.Count ? ChangeFor(n, n.Edits[n.Applied.Count]) : null;
        return Begin(node, NodeStep.Apply, now, x => x, change is null ? null : $"{change.File} ({change.ChangeId})");
    }

    /// <summary>Records the agent's confirmation of the current apply (a replay answer counts the same).</summary>
    public RemediationPlan CompleteApply(string node, AppliedChange result, DateTimeOffset now)
    {
        var expected = CurrentChange(node) ?? throw Refuse(RefusalCodes.InvalidState, $"node {node} has no apply in progress");
        var edit = expected.Edit!;
        if (result.ChangeId != expected.ChangeId || result.File != expected.File)
            throw Refuse(RefusalCodes.InvalidState, $"the result is of change {result.ChangeId} ({result.File}), not {expected.ChangeId} ({expected.File})");
        if (result.PreviousSha256 != edit.ExpectedSha256 || result.NewSha256 != edit.NewSha256)
            throw Refuse(RefusalCodes.InvalidState, $"the agent changed {result.File} from {result.PreviousSha256} to {result.NewSha256}, not from {edit.ExpectedSha256} to {edit.NewSha256} as reviewed");
        return Complete(node, NodeStep.Apply, now, n => n with { Applied = [.. n.Applied, result] }, files: [result]);
    }

    /// <summary>Records the intent to restore the most recent change not restored yet.</summary>
    public RemediationPlan BeginRestore(string node, DateTimeOffset now)
    {
        var n = NodeNamed(node);
        var undo = n.HasChangesToUndo ? RestoreFor(n) : null;
        return Begin(node, NodeStep.Restore, now, x => x, undo is null ? null : $"{undo.File} ({undo.ChangeId})");
    }

    /// <summary>Records the agent's confirmation of the current restore: the file holds its original bytes again.</summary>
    public RemediationPlan CompleteRestore(string node, AppliedChange result, DateTimeOffset now)
    {
        var n = NodeNamed(node);
        var expected = CurrentChange(node) ?? throw Refuse(RefusalCodes.InvalidState, $"node {node} has no restore in progress");
        var undone = n.Applied[n.Applied.Count - 1 - n.Restored.Count];
        if (result.ChangeId != expected.ChangeId || result.File != expected.File)
            throw Refuse(RefusalCodes.InvalidState, $"the result is of change {result.ChangeId} ({result.File}), not {expected.ChangeId} ({expected.File})");
        if (result.NewSha256 != undone.PreviousSha256)
            throw Refuse(RefusalCodes.InvalidState, $"the agent restored {result.File} to {result.NewSha256}, not to its original {undone.PreviousSha256}");
        return Complete(node, NodeStep.Restore, now, x => x with { Restored = [.. x.Restored, result] }, files: [result]);
    }

    /// <summary>
    /// The sha256 the node's current restore puts back (the file's bytes before the plan's change), or
    /// null when the node has no restore in progress or the file was absent before.
    /// </summary>
    public string? RestoreTargetSha256(string node)
    {
        var n = NodeNamed(node);
        return n.Step == NodeStep.Restore && n.HasChangesToUndo ? n.Applied[n.Applied.Count - 1 - n.Restored.Count].PreviousSha256 : null;
    }

    /// <summary>Records, before deleting it, the pod to restart (null when none of the component runs on the node: then only wait for one).</summary>
    public RemediationPlan BeginRestart(string node, PodRef? pod, DateTimeOffset now) =>
        Begin(node, NodeStep.RestartPod, now, n => n with { PodToRestart = pod, ReplacementPod = null },
            pod is null ? $"no {Component} pod on the node" : $"delete pod {pod.Namespace}/{pod.Name}");

    /// <summary>Records that the pod is deleted (or was gone already).</summary>
    public RemediationPlan CompleteRestart(string node, DateTimeOffset now) => Complete(node, NodeStep.RestartPod, now, n => n);

    /// <summary>Records the start of the wait for the replacement pod; its deadline is now + the ready timeout.</summary>
    public RemediationPlan BeginWaitReady(string node, DateTimeOffset now) =>
        Begin(node, NodeStep.WaitReady, now, n => n with { ReadyDeadline = now + Options.ReadyTimeout }, $"until {now + Options.ReadyTimeout:u}");

    /// <summary>Records the replacement pod, Ready (it must not be the pod deleted).</summary>
    public RemediationPlan CompleteWaitReady(string node, PodRef replacement, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        if (NodeNamed(node).PodToRestart is { } deleted && deleted.Uid == replacement.Uid)
            throw Refuse(RefusalCodes.InvalidState, $"pod {replacement.Name} is the pod that was deleted, not its replacement");
        return Complete(node, NodeStep.WaitReady, now, n => n with { ReplacementPod = replacement });
    }

    /// <summary>Opens the verification window (now until now + the window) and names the probe pod when the criteria ask for one.</summary>
    public RemediationPlan BeginVerify(string node, DateTimeOffset now) =>
        Begin(node, NodeStep.Verify, now, n => n with
        {
            WindowStart = now,
            WindowEnd = now + Options.VerificationWindow,
            ProbePod = Options.Success.ProbePodRunning ? RemediationKeys.ProbePodName(Id, node, n.Attempt) : null,
        }, $"until {now + Options.VerificationWindow:u}");

    /// <summary>Records a passed verification; only once the window is over (see <see cref="NodeVerification"/>).</summary>
    public RemediationPlan CompleteVerify(string node, DateTimeOffset now)
    {
        if (NodeNamed(node).WindowEnd is { } end && now < end)
            throw Refuse(RefusalCodes.InvalidState, $"the verification window of node {node} is open until {end:u}");
        return Complete(node, NodeStep.Verify, now, n => n);
    }

    /// <summary>Records the intent to release the node (uncordon only if the plan cordoned it, remove the annotation).</summary>
    public RemediationPlan BeginRelease(string node, DateTimeOffset now) =>
        Begin(node, NodeStep.Release, now, n => n, NodeNamed(node).CordonedByPlan ? "uncordon and remove the annotation" : "remove the annotation (the plan did not cordon it)");

    /// <summary>Records that the node no longer carries the plan's annotation (nor the plan's cordon).</summary>
    public RemediationPlan CompleteRelease(string node, DateTimeOffset now) =>
        Complete(node, NodeStep.Release, now, n => n with { Annotated = false });

    /// <summary>
    /// Records a failed step: the node is failed and the plan pauses with the reason. A side effect that
    /// may have happened must be known not to have happened first (the step's keys tell).
    /// </summary>
    public RemediationPlan FailStep(string node, StepFailure failure, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (!State.IsUnderway()) throw Refuse(RefusalCodes.InvalidState, $"plan {Id} is {State}: no step can fail");
        var n = NodeNamed(node);
        if (!n.Status.IsInFlight()) throw Refuse(RefusalCodes.InvalidState, $"node {node} is {n.Status}, not in flight");
        var failed = n with { Status = NodeStatus.Failed, FailedWhile = n.Status, Failure = failure, StepStartedAt = null };
        var from = State == PlanState.Paused ? PausedFrom : State;
        var detail = $"{node}: {failure.Step} failed: {failure.Message}";
        return WithNode(failed).Next(new PlanEvent(PlanActions.StepFailed, PlanActions.SystemActor, now, PlanState.Paused, node, failure.Step, failure.Message)) with
        {
            State = PlanState.Paused,
            PauseReason = Remediation.PauseReason.StepFailed,
            PauseDetail = detail,
            PausedFrom = from,
        };
    }

    /// <summary>The agent call of the node's apply or restore step (whether begun or not); null at any other step.</summary>
    public NodeChange? CurrentChange(string node)
    {
        var n = NodeNamed(node);
        return n.Step switch
        {
            NodeStep.Apply when n.Applied.Count < n.Edits.Count => ChangeFor(n, n.Edits[n.Applied.Count]),
            NodeStep.Restore when n.HasChangesToUndo => RestoreFor(n),
            _ => null,
        };
    }

    private NodeChange ChangeFor(NodeRemediation n, PlannedEdit edit) =>
        new(RemediationKeys.ChangeId(Id, n.Node, edit.File, RemediationKeys.ApplyOperation), edit.File, edit.ExpectedSha256, edit, null);

    private NodeChange RestoreFor(NodeRemediation n)
    {
        var undo = n.Applied[n.Applied.Count - 1 - n.Restored.Count];
        var changeId = RemediationKeys.ChangeId(Id, n.Node, undo.File, RemediationKeys.RestoreOperation);
        // Forced by an operator: the file as they reviewed it, not as the plan left it.
        var expected = n.RestoreOverrides.LastOrDefault(o => o.ChangeId == changeId) is { } forced ? forced.ExpectedSha256 : undo.NewSha256;
        return new(changeId, undo.File, expected, null, undo.BackupId);
    }

    private RemediationPlan Begin(string node, NodeStep step, DateTimeOffset now, Func<NodeRemediation, NodeRemediation> intent, string? detail, bool allowAgain = false)
    {
        Require("begin a step of", PlanState.Running, PlanState.Aborting, PlanState.RollingBack);
        var n = NodeNamed(node);
        if (!n.Status.IsInFlight() || n.Step != step)
            throw Refuse(RefusalCodes.InvalidState, $"node {node} is {n.Status} at step {n.Step}, not ready for {step}");
        if (n.StepInProgress && !allowAgain)
            throw Refuse(RefusalCodes.InvalidState, $"step {step} of node {node} is in progress since {n.StepStartedAt:u}: perform it and complete it (or fail it)");
        var begun = intent(n with { StepStartedAt = now, Attempt = n.Attempt + 1 });
        return WithNode(begun).Next(new PlanEvent(PlanActions.StepStarted, PlanActions.SystemActor, now, State, node, step, detail));
    }

    private RemediationPlan Complete(string node, NodeStep step, DateTimeOffset now, Func<NodeRemediation, NodeRemediation> result, IReadOnlyList<AppliedChange>? files = null)
    {
        if (!State.IsUnderway()) throw Refuse(RefusalCodes.InvalidState, $"plan {Id} is {State}: no step can complete");
        var n = NodeNamed(node);
        if (!n.Status.IsInFlight() || n.Step != step || !n.StepInProgress)
            throw Refuse(RefusalCodes.InvalidState, $"step {step} of node {node} is not in progress (the node is {n.Status} at step {n.Step})");

        var done = result(n with { StepStartedAt = null, Attempt = 0 });
        var effective = State == PlanState.Paused ? PausedFrom ?? PlanState.Running : State;
        var next = effective switch
        {
            // The plan changed course while the side effect was in flight: now that it is recorded, follow the new course.
            PlanState.Aborting when done.Status is NodeStatus.Fixing or NodeStatus.RollingBack => ToStopped(done, now),
            PlanState.RollingBack when done.Status == NodeStatus.Fixing => ToRollback(done, now),
            _ => Proceed(done, step, now),
        };

        var plan = WithNode(next);
        if (next.Status.IsFinal())
        {
            // A node rolled back on request pauses the plan again: an operator decides what comes next.
            if (next.Status == NodeStatus.RolledBack && State == PlanState.Running)
            {
                var why = $"node {node} is rolled back; continue with the other nodes, or roll the plan back";
                return plan.Next(new PlanEvent(PlanActions.NodeFinished, PlanActions.SystemActor, now, PlanState.Paused, node, step, $"{step} done; {why}", files)) with
                {
                    State = PlanState.Paused,
                    PauseReason = Remediation.PauseReason.NodeRolledBack,
                    PauseDetail = why,
                    PausedFrom = PlanState.Running,
                };
            }
            return plan.Next(new PlanEvent(PlanActions.NodeFinished, PlanActions.SystemActor, now, plan.State, node, step, $"{step} done; node {next.Status}", files));
        }
        return plan.Next(new PlanEvent(PlanActions.StepDone, PlanActions.SystemActor, now, plan.State, node, step, Detail: $"next: {next.Step}", Files: files));
    }

    /// <summary>The node after <paramref name="completed"/>: its next step on the same path, or its final status.</summary>
    private NodeRemediation Proceed(NodeRemediation n, NodeStep completed, DateTimeOffset now) =>
        NextStep(n, completed) is { } step ? n with { Step = step } : Final(n, now);

    /// <summary>Puts a node on a path (<paramref name="status"/>) at its first step, or straight to <paramref name="final"/> when the path has nothing to do.</summary>
    private NodeRemediation Route(NodeRemediation n, NodeStatus status, NodeStatus final, DateTimeOffset now)
    {
        var routed = n with { Status = status, ReleaseTo = status == NodeStatus.Releasing ? final : null };
        return NextStep(routed, null) is { } step ? routed with { Step = step } : Final(routed with { ReleaseTo = final }, now, final);
    }

    private static NodeRemediation Final(NodeRemediation n, DateTimeOffset now, NodeStatus? final = null) => n with
    {
        Status = final ?? n.Status switch
        {
            NodeStatus.Fixing => NodeStatus.Fixed,
            NodeStatus.RollingBack => NodeStatus.RolledBack,
            _ => n.ReleaseTo ?? NodeStatus.Skipped,
        },
        ReleaseTo = null,
        FinishedAt = now,
    };

    /// <summary>
    /// The step after <paramref name="after"/> on the node's path (null <paramref name="after"/>: the
    /// path's first step); null when the path is done. Fixing: prepare, apply each edit, restart the
    /// pod and wait for it (when the plan restarts one), verify, release. Rolling back: prepare (if
    /// released), restore each change newest first, verify, release. Releasing: release.
    /// </summary>
    private NodeStep? NextStep(NodeRemediation n, NodeStep? after)
    {
        if (n.Status == NodeStatus.Releasing) return after is null && n.Annotated ? NodeStep.Release : null;
        if (n.Status is not (NodeStatus.Fixing or NodeStatus.RollingBack)) return null;
        var fixing = n.Status == NodeStatus.Fixing;
        if (after is null && !n.Annotated) return NodeStep.Prepare;
        switch (after)
        {
            case null or NodeStep.Prepare or NodeStep.Apply or NodeStep.Restore:
                if (fixing && n.Applied.Count < n.Edits.Count) return NodeStep.Apply;
                if (!fixing && n.HasChangesToUndo) return NodeStep.Restore;
                // A rollback does not restart the component: a restarted CNI pod re-installs its entry
                // into the files just restored (they would not stay byte for byte), and on a node whose
                // original chain was the incident's it cannot even start (docs/remediation.md, "Rollback").
                return Component is null || !fixing ? NodeStep.Verify : NodeStep.RestartPod;
            case NodeStep.RestartPod:
                return NodeStep.WaitReady;
            case NodeStep.WaitReady:
                return NodeStep.Verify;
            case NodeStep.Verify:
                return NodeStep.Release;
            default:
                return null;
        }
    }
}
