namespace CniDashboard.Shared.Remediation;

/// <summary>
/// A file that changed before the first apply on a node that joined under the standing approval: the
/// node's edits came from a snapshot the dashboard stored, and its CNI component (e.g. a linkerd-cni
/// pod the rollout just started) may still have been writing. Such a node is proposed again from its
/// newer snapshot, inside the same standing approval, instead of pausing the plan.
/// </summary>
public sealed partial record RemediationPlan
{
    /// <summary>How many times a node's edits are proposed again before a further change pauses the plan (a flapping file cannot loop).</summary>
    public const int MaxReproposals = 3;

    /// <summary>
    /// Why a changed file at <paramref name="node"/>'s apply pauses the plan rather than proposing the
    /// node's edits again; null when they may be proposed again. Only a node that joined under the
    /// standing approval, at its apply step of a running plan, with nothing written on it yet, fewer than
    /// <see cref="MaxReproposals"/> times so far. A node the approvers reviewed is never proposed again:
    /// their approval bound those exact bytes.
    /// </summary>
    public string? ReproposalBlocker(string node)
    {
        var n = NodeNamed(node);
        if (!n.Admission.ByStandingApproval) return "the approvers reviewed this node's edits, and approved those exact bytes";
        if (State != PlanState.Running) return $"the plan is {State}, not running";
        if (n.Status != NodeStatus.Fixing || n.Step != NodeStep.Apply) return $"the node is {n.Status} at step {n.Step}, not applying its edits";
        if (n.Applied.Count > 0) return $"the plan already wrote {string.Join(", ", n.Applied.Select(a => a.File))} on the node";
        if (n.Reproposals.Count >= MaxReproposals) return $"its edits were proposed again {n.Reproposals.Count} times already";
        return null;
    }

    /// <summary>
    /// The plan after the agent refused <paramref name="node"/>'s apply because the file changed
    /// (<paramref name="changed"/>, a <see cref="StepFailureKind.FileChanged"/> failure), given
    /// <paramref name="newer"/>: the planner's proposal for the node from its newer snapshot (null when
    /// none could be read). When <see cref="ReproposalBlocker"/> allows it: the newer snapshot no longer
    /// shows the finding → the node leaves the plan (<see cref="NodeStatus.NotNeeded"/>, released); its new
    /// edits fit the standing approval (<see cref="DecideStanding"/>, the node itself not counted) → they
    /// replace the old ones and the node applies them. Anything else fails the step: the plan pauses with
    /// the reason, as for any file changed since review.
    /// </summary>
    public RemediationPlan AfterFileChanged(string node, StepFailure changed, PlanProposal? newer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var n = NodeNamed(node);
        if (changed.Kind != StepFailureKind.FileChanged || changed.Step != NodeStep.Apply) return FailStep(node, changed, now);
        if (ReproposalBlocker(node) is { } blocker)
            return FailStep(node, n.Admission.ByStandingApproval ? NotProposedAgain(changed, blocker) : changed, now);
        if (newer is null) return FailStep(node, NotProposedAgain(changed, "the node's newer snapshot could not be read"), now);

        var file = changed.File ?? n.Edits[0].File;
        var previousSha = PlanHash.EditsSha256(node, n.Edits);
        var found = changed.CurrentSha256 ?? "absent";
        if (newer.Nodes.FirstOrDefault(x => x.Node == node) is not { } proposed)
        {
            var excluded = newer.Excluded.FirstOrDefault(e => e.Node == node);
            if (excluded is not { FindingGone: true })
                return FailStep(node, NotProposedAgain(changed, $"its newer snapshot gives no edit: {excluded?.Reason ?? "the node is not in the proposal"}"), now);
            var why = $"{file} changed before apply (sha256 {found}) and the node's newer snapshot no longer shows {Rule}{Of(Plugin)}: nothing to fix, the node leaves the plan";
            var record = new NodeReproposal(now, ReproposalOutcome.NotNeeded, file, changed.CurrentSha256, previousSha, null, n.Edits, why);
            var leaving = Route(n with { StepStartedAt = null, Attempt = 0, Reproposals = [.. n.Reproposals, record] }, NodeStatus.Releasing, NodeStatus.NotNeeded, now);
            return WithNode(leaving).Next(new PlanEvent(PlanActions.NodeNotNeeded, PlanActions.SystemActor, now, State, node, NodeStep.Apply, why));
        }

        var newSha = PlanHash.EditsSha256(node, proposed.Edits);
        if (newSha == previousSha)
            return FailStep(node, NotProposedAgain(changed, "its newer snapshot gives the same edits (the dashboard has not seen the file change yet)"), now);
        var decision = (this with { Nodes = [.. Nodes.Where(x => x.Node != node)] }).DecideStanding(newer with { Nodes = [proposed] }, now);
        if (!decision.Admitted)
            return FailStep(node, NotProposedAgain(changed, "its newer edits are outside the standing approval: " + string.Join("; ", decision.Reasons)), now);

        var detail = $"{file} changed before apply (sha256 {found}); edits proposed again from the node's newer snapshot under the standing approval " +
            $"({n.Reproposals.Count + 1} of at most {MaxReproposals}): edits sha256 {previousSha} → {newSha}";
        var replaced = new NodeReproposal(now, ReproposalOutcome.Replaced, file, changed.CurrentSha256, previousSha, newSha, n.Edits, detail);
        var renewed = n with
        {
            Edits = proposed.Edits,
            Targets = proposed.Targets,
            Prediction = proposed.Prediction,
            SandboxErrors = proposed.SandboxErrors,
            Admission = n.Admission with { EditsSha256 = newSha },
            Reproposals = [.. n.Reproposals, replaced],
            StepStartedAt = null,
            Attempt = 0,
        };
        return WithNode(renewed).Next(new PlanEvent(PlanActions.StandingReproposed, PlanActions.SystemActor, now, State, node, NodeStep.Apply, detail));
    }

    /// <summary>
    /// Before the first write on a node <see cref="ReproposalBlocker"/> allows to be proposed again: the
    /// first of its edits whose file no longer holds the bytes it was proposed from, judged against the
    /// node's <paramref name="files"/> fetched now, as the <see cref="StepFailureKind.FileChanged"/> failure
    /// <see cref="AfterFileChanged"/> takes; null when every file is as proposed (or the node may not be
    /// proposed again). Checking every file before the first write keeps a rollout that writes one file
    /// after another from being caught between two of the node's applies, where only a pause is left.
    /// </summary>
    public StepFailure? ChangedBeforeFirstWrite(string node, IReadOnlyList<Cni.CniFolderFile> files, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (ReproposalBlocker(node) is not null) return null;
        foreach (var edit in NodeNamed(node).Edits)
        {
            var current = files.FirstOrDefault(f => f.Name == edit.File)?.Sha256;
            if (current == edit.ExpectedSha256) continue;
            return new StepFailure(StepFailureKind.FileChanged, NodeStep.Apply,
                $"{edit.File} changed since the node was proposed: it holds {current ?? "nothing (absent)"}, the plan expected {edit.ExpectedSha256}", now, edit.File, current);
        }
        return null;
    }

    private static StepFailure NotProposedAgain(StepFailure changed, string why) => changed with { Message = $"{changed.Message}; not proposed again: {why}" };
}
