using System.Net;
using CniDashboard.Server.Analysis;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Polling;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;
using k8s.Autorest;

namespace CniDashboard.Server.Remediation;

/// <summary>
/// A node's steps as docs/remediation.md describes them: <see cref="BeginAsync"/> reads what the
/// step's intent needs and returns the plan's Begin version (committed before any side effect);
/// <see cref="PerformAsync"/> makes the side effect idempotently and returns the Complete (or
/// FailStep) version — or null while an observation goes on or a transient error is retried.
/// </summary>
public sealed class StepRunner(
    RemediationCluster kube,
    AgentFileClient agents,
    ClusterState cluster,
    AgentPoller poller,
    CniAnalyzer analyzer,
    NodeContextBuilder contexts,
    SandboxActivity sandbox,
    PlanInputs inputs,
    TimeProvider time,
    ILogger<StepRunner> logger)
{
    /// <summary>Reads what the step's intent needs and returns the plan with the intent recorded.</summary>
    public async Task<RemediationPlan> BeginAsync(RemediationPlan plan, string node, NodeStep step, CallFor call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var now = time.GetUtcNow();
        switch (step)
        {
            case NodeStep.Prepare:
                var reading = await kube.ReadNodeAsync(node, call, cancellationToken);
                return plan.BeginPrepare(node, WasCordoned(plan, reading), now);
            case NodeStep.Apply:
                return await BeforeFirstWriteAsync(plan, node, cancellationToken) ?? plan.BeginApply(node, now);
            case NodeStep.Restore:
                return plan.BeginRestore(node, now);
            case NodeStep.RestartPod:
                var pod = plan.Component is { } component ? await kube.ComponentPodAsync(component, node, call, cancellationToken) : null;
                return plan.BeginRestart(node, pod is null ? null : new PodRef(pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Metadata.Uid), now);
            case NodeStep.WaitReady:
                return plan.BeginWaitReady(node, now);
            case NodeStep.Verify:
                return plan.BeginVerify(node, now);
            case NodeStep.Release:
                return plan.BeginRelease(node, now);
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "unknown step");
        }
    }

    /// <summary>Performs the step's side effect (again, harmlessly) and returns the plan with its result; null to look again later.</summary>
    public async Task<RemediationPlan?> PerformAsync(RemediationPlan plan, string node, NodeStep step, CallFor call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        try
        {
            return step switch
            {
                NodeStep.Prepare => await PrepareAsync(plan, node, call, cancellationToken),
                NodeStep.Apply or NodeStep.Restore => await ChangeFileAsync(plan, node, step, cancellationToken),
                NodeStep.RestartPod => await RestartAsync(plan, node, call, cancellationToken),
                NodeStep.WaitReady => await WaitReadyAsync(plan, node, call, cancellationToken),
                NodeStep.Verify => await VerifyAsync(plan, node, call, cancellationToken),
                NodeStep.Release => await ReleaseAsync(plan, node, call, cancellationToken),
                _ => throw new ArgumentOutOfRangeException(nameof(step), step, "unknown step"),
            };
        }
        catch (HttpOperationException e) when (IsPermanent(e))
        {
            // Refused for good (forbidden, invalid): retrying cannot help; a person must look. The step's
            // side effect did not happen (the API refused it), so failing it is safe.
            return plan.FailStep(node, new StepFailure(StepFailureKind.KubernetesApi, step, $"the Kubernetes API refused: HTTP {(int?)e.Response?.StatusCode} {e.Response?.Content}", time.GetUtcNow()), time.GetUtcNow());
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Transient: the step stays in progress and is performed again (its keys make that harmless).
            logger.LogWarning("Plan {Plan} node {Node} step {Step}: {Error}; trying again", plan.Id, node, step, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Whether the node was cordoned before the plan: its cordon as read, unless the node already
    /// carries this plan's annotation (a patch made before a crash), whose own record says.
    /// </summary>
    private static bool WasCordoned(RemediationPlan plan, NodeReading reading) =>
        reading.PlanAnnotation == plan.Id ? reading.Unschedulable && !reading.CordonedByPlan : reading.Unschedulable;

    private async Task<RemediationPlan?> PrepareAsync(RemediationPlan plan, string node, CallFor call, CancellationToken cancellationToken)
    {
        var n = plan.NodeNamed(node);
        if (n.ProbePod is { } probe) await kube.DeleteProbePodAsync(probe, call, cancellationToken);
        var reading = await kube.ReadNodeAsync(node, call, cancellationToken);
        if (reading.PlanAnnotation != plan.Id)
        {
            // The patch did not happen. If the cordon changed since the intent was recorded, record it again first.
            if (reading.Unschedulable != n.WasCordoned) return plan.BeginPrepare(node, reading.Unschedulable, time.GetUtcNow());
            if (reading.PlanAnnotation is { } other)
                return plan.FailStep(node, new StepFailure(StepFailureKind.Other, NodeStep.Prepare, $"the node is held by plan {other}", time.GetUtcNow()), time.GetUtcNow());
            try
            {
                await kube.PrepareAsync(node, reading.ResourceVersion ?? "", plan.Options.CordonNodes && n.WasCordoned == false, call, cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
            {
                return null; // The node changed between the read and the patch: read it again.
            }
        }
        var restoring = n.Status == NodeStatus.RollingBack;
        await kube.RecordNodeEventAsync(node, restoring ? "rollback-started" : "fix-started", restoring ? "RemediationRollbackStarted" : "RemediationStarted",
            $"cni-dashboard plan {plan.Id} ({plan.Rule}): {(restoring ? "restoring" : "changing")} {string.Join(", ", n.Edits.Select(e => e.File))}{(plan.Options.CordonNodes && n.WasCordoned == false ? "; node cordoned" : "")}",
            warning: false, call, cancellationToken);
        return plan.CompletePrepare(node, time.GetUtcNow());
    }

    private async Task<RemediationPlan> ChangeFileAsync(RemediationPlan plan, string node, NodeStep step, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var change = plan.CurrentChange(node) ?? throw new InvalidOperationException($"plan {plan.Id} node {node} has no {step} to make");
        if (cluster.AgentPodFor(node)?.PodIp is not { } podIp)
            return plan.FailStep(node, new StepFailure(StepFailureKind.AgentUnavailable, step, "the node's agent has no pod IP (not running?)", now, change.File), now);

        var reason = $"cni-dashboard plan {plan.Id}";
        var answer = step == NodeStep.Restore
            ? await agents.RestoreAsync(podIp, change.File, new RestoreFileRequest { ChangeId = change.ChangeId, BackupId = change.BackupId!, ExpectedSha256 = change.ExpectedSha256 }, cancellationToken)
            : change.Edit!.Kind == FileEditKind.Delete
                ? await agents.DeleteAsync(podIp, change.File, new DeleteFileRequest { ChangeId = change.ChangeId, ExpectedSha256 = change.ExpectedSha256!, Reason = reason }, cancellationToken)
                : await agents.ApplyAsync(podIp, change.File, new ApplyFileRequest { ChangeId = change.ChangeId, ExpectedSha256 = change.ExpectedSha256!, Content = change.Edit.NewContent!, Reason = reason }, cancellationToken);

        now = time.GetUtcNow();
        switch (answer)
        {
            case AgentCall<FileChangeResult>.Ok { Value: var result }:
                var applied = new AppliedChange(result.ChangeId, result.File, result.PreviousSha256, result.NewSha256, result.BackupId, now);
                if (step == NodeStep.Apply && result.BackupId is { } backup)
                {
                    // Pinned while the plan is open, so the rollback finds it; a replay pins again (idempotent).
                    var pinned = await agents.PinBackupAsync(podIp, backup, plan.Id, cancellationToken);
                    if (pinned is AgentCall<BackupInfo>.Unreachable { Reason: var down })
                        return plan.FailStep(node, new StepFailure(StepFailureKind.AgentUnavailable, step, $"pinning backup {backup}: {down}", now, change.File), now);
                    if (pinned is AgentCall<BackupInfo>.Refused { Message: var refused })
                        return plan.FailStep(node, new StepFailure(StepFailureKind.AgentRefused, step, $"pinning backup {backup}: {refused}", now, change.File), now);
                }
                try
                {
                    return step == NodeStep.Restore ? plan.CompleteRestore(node, applied, now) : plan.CompleteApply(node, applied, now);
                }
                catch (RemediationRefusal refusal)
                {
                    return plan.FailStep(node, new StepFailure(StepFailureKind.AgentRefused, step, refusal.Message, now, change.File, result.NewSha256), now);
                }
            case AgentCall<FileChangeResult>.ShaMismatch { CurrentSha256: { } current } when step == NodeStep.Restore && current == plan.RestoreTargetSha256(node):
                // The file already holds its bytes from before the plan (the component wrote them back, or a
                // person did): what the restore is for is true, and there is nothing to write or to force.
                logger.LogInformation("Plan {Plan} node {Node}: {File} already holds its bytes from before the plan ({Sha}); restore done without a write", plan.Id, node, change.File, current);
                return plan.CompleteRestore(node, new AppliedChange(change.ChangeId, change.File, current, current, change.BackupId, now), now);
            case AgentCall<FileChangeResult>.ShaMismatch { CurrentSha256: var current }:
                // The node's files now, stored, so the plan page can show what is there against the plan's edit or backup.
                var (latest, _) = await poller.PollNodeAsync(node, cancellationToken);
                now = time.GetUtcNow();
                var changed = new StepFailure(StepFailureKind.FileChanged, step,
                    $"{change.File} changed since review: it holds {current ?? "nothing (absent)"}, the plan expected {change.ExpectedSha256 ?? "absent"}", now, change.File, current);
                if (step != NodeStep.Apply) return plan.FailStep(node, changed, now);
                // A node the standing approval admitted, with nothing written on it yet, is proposed again from that newer snapshot.
                var newer = latest is not null && plan.ReproposalBlocker(node) is null ? ProposeAgain(plan, node, now) : null;
                var next = plan.AfterFileChanged(node, changed, newer, now);
                if (next.LastEvent?.Action is PlanActions.StandingReproposed or PlanActions.NodeNotNeeded)
                    logger.LogInformation("Plan {Plan} node {Node}: {Detail}", plan.Id, node, next.LastEvent.Detail);
                return next;
            case AgentCall<FileChangeResult>.Refused { StatusCode: var status, Code: var code, Message: var message }:
                return plan.FailStep(node, new StepFailure(StepFailureKind.AgentRefused, step, $"the agent refused ({status} {code}): {message}", now, change.File), now);
            case AgentCall<FileChangeResult>.Unreachable { Reason: var why }:
                return plan.FailStep(node, new StepFailure(StepFailureKind.AgentUnavailable, step, $"the node's agent did not answer: {why}", now, change.File), now);
            default:
                throw new InvalidOperationException("unknown agent answer");
        }
    }

    /// <summary>
    /// Before anything is written on a node the standing approval admitted: its files fetched now; when
    /// one of them is no longer what its edit was proposed from (the rollout still writing), the node is
    /// proposed again from that snapshot before the first apply (<see cref="RemediationPlan.AfterFileChanged"/>).
    /// Null to go on with the apply (also when the fetch failed: the agent's precondition still guards).
    /// </summary>
    private async Task<RemediationPlan?> BeforeFirstWriteAsync(RemediationPlan plan, string node, CancellationToken cancellationToken)
    {
        if (plan.ReproposalBlocker(node) is not null) return null;
        var (latest, _) = await poller.PollNodeAsync(node, cancellationToken);
        var now = time.GetUtcNow();
        if (latest is null || plan.ChangedBeforeFirstWrite(node, latest.Files, now) is not { } changed) return null;
        var next = plan.AfterFileChanged(node, changed, ProposeAgain(plan, node, now), now);
        logger.LogInformation("Plan {Plan} node {Node} before its first apply: {Detail}", plan.Id, node, next.LastEvent?.Detail);
        return next;
    }

    /// <summary>The planner's proposal for <paramref name="node"/> alone from its latest stored snapshot; null when there is none.</summary>
    private PlanProposal? ProposeAgain(RemediationPlan plan, string node, DateTimeOffset now)
    {
        var (request, missing) = inputs.Request(plan.Rule, plan.Plugin, [node], plan.Options, now);
        return missing.Count > 0 ? null : RemediationPlanner.Default.Propose(request);
    }

    private async Task<RemediationPlan> RestartAsync(RemediationPlan plan, string node, CallFor call, CancellationToken cancellationToken)
    {
        if (plan.NodeNamed(node).PodToRestart is { } pod) await kube.DeletePodAsync(pod, call, cancellationToken);
        return plan.CompleteRestart(node, time.GetUtcNow());
    }

    private async Task<RemediationPlan?> WaitReadyAsync(RemediationPlan plan, string node, CallFor call, CancellationToken cancellationToken)
    {
        var n = plan.NodeNamed(node);
        var now = time.GetUtcNow();
        if (plan.Component is not { } component) return plan.CompleteWaitReady(node, new PodRef("", "", ""), now);
        var pod = await kube.ComponentPodAsync(component, node, call, cancellationToken);
        if (pod is not null && pod.Metadata.Uid != n.PodToRestart?.Uid && RemediationCluster.IsReady(pod))
            return plan.CompleteWaitReady(node, new PodRef(pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Metadata.Uid), time.GetUtcNow());
        if (n.ReadyDeadline is { } deadline && now >= deadline)
            return plan.FailStep(node, new StepFailure(StepFailureKind.PodNotReady, NodeStep.WaitReady,
                $"no Ready {component} pod replaced {n.PodToRestart?.Name ?? "the pod"} on the node by {deadline:u}", now), now);
        return null;
    }

    private async Task<RemediationPlan?> VerifyAsync(RemediationPlan plan, string node, CallFor call, CancellationToken cancellationToken)
    {
        var n = plan.NodeNamed(node);
        if (n.ProbePod is { } probe) await kube.CreateProbePodAsync(probe, node, call, cancellationToken);

        // The node's files now, through the poller's own path (stored and analyzed like any poll).
        var (latest, failure) = await poller.PollNodeAsync(node, cancellationToken);
        var now = time.GetUtcNow();
        if (latest is null)
        {
            if (n.WindowEnd is { } end && now >= end)
                return await EndVerifyAsync(plan, node, call, new VerificationVerdict(VerdictKind.Failed, $"the node's folder could not be read: {failure}"), StepFailureKind.AgentUnavailable, cancellationToken);
            return null;
        }

        var report = analyzer.Analyze(latest.Files, latest.Binaries, contexts.Build(node), now, latest.Header.CniDir ?? CniAnalyzer.DefaultHostCniDir);
        var observed = new VerificationObservation
        {
            Now = now,
            Findings = report.Findings,
            Files = latest.Files,
            SandboxFailuresSinceWindowStart = n.WindowStart is { } start ? sandbox.CountSince(node, start) : 0,
            ProbePodPhase = n.ProbePod is { } name ? await kube.ProbePhaseAsync(name, call, cancellationToken) : null,
        };
        var verdict = n.Status == NodeStatus.RollingBack ? NodeVerification.JudgeRollback(n, observed) : NodeVerification.Judge(n, plan.Options, observed);
        return verdict.Kind == VerdictKind.Continue ? null : await EndVerifyAsync(plan, node, call, verdict, StepFailureKind.VerificationFailed, cancellationToken);
    }

    private async Task<RemediationPlan> EndVerifyAsync(RemediationPlan plan, string node, CallFor call, VerificationVerdict verdict, StepFailureKind failure, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // A passed verdict keeps its probe pod until Release: deleted before the verdict is committed, a
        // crash in between would make the restarted engine create it again after the window and judge
        // it at once, still Pending.
        if (verdict.Kind == VerdictKind.Passed) return plan.CompleteVerify(node, now);
        if (plan.NodeNamed(node).ProbePod is { } probe) await kube.DeleteProbePodAsync(probe, call, cancellationToken);
        await kube.RecordNodeEventAsync(node, $"verify-failed-{plan.NodeNamed(node).Attempt}", "RemediationVerificationFailed",
            $"cni-dashboard plan {plan.Id}: verification failed: {verdict.Message}", warning: true, call, cancellationToken);
        return plan.FailStep(node, new StepFailure(failure, NodeStep.Verify, verdict.Message, now), now);
    }

    private async Task<RemediationPlan?> ReleaseAsync(RemediationPlan plan, string node, CallFor call, CancellationToken cancellationToken)
    {
        var n = plan.NodeNamed(node);
        if (n.ProbePod is { } probe) await kube.DeleteProbePodAsync(probe, call, cancellationToken);
        var reading = await kube.ReadNodeAsync(node, call, cancellationToken);
        if (reading.PlanAnnotation == plan.Id)
        {
            try
            {
                await kube.ReleaseAsync(node, reading, call, cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
            {
                return null;
            }
        }
        var outcome = n.Status switch
        {
            NodeStatus.Fixing => "fixed",
            NodeStatus.RollingBack => "rolled back",
            _ when n.ReleaseTo == NodeStatus.NotNeeded => "no longer needed",
            _ => (n.ReleaseTo ?? NodeStatus.Skipped).ToString().ToLowerInvariant(),
        };
        await kube.RecordNodeEventAsync(node, "finished-" + outcome.Replace(' ', '-'), "RemediationFinished",
            $"cni-dashboard plan {plan.Id}: node {outcome}{(n.CordonedByPlan ? "; uncordoned" : "")}", warning: false, call, cancellationToken);
        return plan.CompleteRelease(node, time.GetUtcNow());
    }

    private static bool IsPermanent(HttpOperationException e) =>
        e.Response?.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest or HttpStatusCode.NotFound;
}
