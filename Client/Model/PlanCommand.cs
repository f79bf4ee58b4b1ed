using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Model;

/// <summary>
/// One operator control offered on a plan: its button, the question the confirmation asks, and the
/// call it makes once confirmed (with the reason or comment typed, when it asks for one).
/// </summary>
/// <param name="Key">Stable token (<c>start</c>, <c>pause</c>, <c>abort</c>, …) for tests and CSS.</param>
/// <param name="Label">The button's words.</param>
/// <param name="Question">What the confirmation says will happen.</param>
/// <param name="Danger">True for what stops or undoes work.</param>
/// <param name="Text">The text field the confirmation asks for (e.g. "Reason"), or null.</param>
/// <param name="TextRequired">True when the text must not be empty.</param>
/// <param name="Node">The node, for a node's control.</param>
/// <param name="Run">The call.</param>
public sealed record PlanCommand(
    string Key,
    string Label,
    string Question,
    bool Danger,
    string? Text,
    bool TextRequired,
    string? Node,
    Func<IRemediationService, string?, CancellationToken, Task<RemediationPlan>> Run);

/// <summary>Which controls a plan offers in its state, and a node's controls.</summary>
public static class PlanCommands
{
    /// <summary>The plan-level controls allowed now (the service checks again).</summary>
    public static IReadOnlyList<PlanCommand> For(RemediationPlan plan, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var commands = new List<PlanCommand>();
        var id = plan.Id;
        switch (plan.State)
        {
            case PlanState.Draft:
                var version = plan.Version;
                commands.Add(new("submit", "Submit for approval", $"Submit plan {id} for approval? Approvers will see it as it is now.", false, "Comment for the approver", false, null,
                    (s, text, ct) => s.SubmitAsync(id, version, text, ct)));
                commands.Add(Cancel(id));
                break;
            case PlanState.PendingApproval:
                commands.Add(Cancel(id));
                break;
            case PlanState.Approved:
                commands.Add(new("start", "Start", $"Start plan {id}? The engine begins with {plan.Nodes[0].Node}{(plan.Options.CordonNodes ? ", cordons it" : "")} and applies its edits.", false, null, false, null,
                    (s, _, ct) => s.StartAsync(id, ct)));
                commands.Add(Cancel(id));
                break;
            case PlanState.Running:
                commands.Add(Control(id, PlanControlKind.Pause, "pause", "Pause", $"Pause plan {id} after the current step?", false));
                commands.Add(RollBack(id));
                commands.Add(Abort(id));
                break;
            case PlanState.Paused:
                var canary = plan.PauseReason == PauseReason.CanaryHold;
                commands.Add(Control(id, PlanControlKind.Resume, "resume", canary ? "Continue after the canary" : "Resume",
                    canary ? $"The canary is fixed. Continue plan {id} with the other nodes?" : $"Resume plan {id}? A failed step is tried again.", false));
                commands.Add(RollBack(id));
                commands.Add(Abort(id));
                break;
            case PlanState.RollingBack:
                commands.Add(Abort(id));
                break;
        }

        if (!plan.State.IsFinal() && plan.Standing is { } standing && standing.IsOpen(plan.AdmittedByStanding, now))
        {
            commands.Add(Control(id, PlanControlKind.RevokeStanding, "revoke-standing", "Revoke standing approval",
                $"End the standing approval of plan {id}? No more nodes will join it; anything new needs a new plan.", true));
        }

        return commands;
    }

    /// <summary>The controls a node offers now: skip it while the plan runs or is paused; roll it back while paused.</summary>
    public static IReadOnlyList<PlanCommand> ForNode(RemediationPlan plan, NodeRemediation node)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(node);
        var commands = new List<PlanCommand>();
        var id = plan.Id;
        var name = node.Node;
        if (plan.State is PlanState.Running or PlanState.Paused && !node.Status.IsFinal() && node.Status != NodeStatus.RollingBack)
        {
            commands.Add(new("skip-node", "Skip", $"Skip {name}? Edits already applied on it stay; the plan goes on with the next node.", true, null, false, name,
                (s, _, ct) => s.ControlAsync(id, new PlanControl { Kind = PlanControlKind.SkipNode, Node = name }, ct)));
        }

        if (plan.State == PlanState.Paused && IsRestoreConflict(node))
        {
            var failure = node.Failure!;
            commands.Add(new("restore-anyway", "Restore anyway",
                $"Overwrite {failure.File} on {name} with its bytes from before the plan? It now holds sha256 {Short(failure.CurrentSha256)}, not what the plan wrote: "
                + "whatever changed it since is undone. If it changes again before the restore, the agent refuses and the plan pauses again.",
                true, "Reason (recorded in the audit log with both hashes)", true, name,
                (s, reason, ct) => s.ControlAsync(id, new PlanControl { Kind = PlanControlKind.RestoreAnyway, Node = name, ExpectedSha256 = failure.CurrentSha256, Reason = reason }, ct)));
        }

        if (plan.State == PlanState.Paused && node.HasChangesToUndo && node.Status is not (NodeStatus.RollingBack or NodeStatus.RolledBack) && !IsRestoreConflict(node))
        {
            commands.Add(new("roll-back-node", "Roll back", $"Roll back {name}? Its files are restored from the agent's backups, newest first, byte for byte, and verified.", true, null, false, name,
                (s, _, ct) => s.ControlAsync(id, new PlanControl { Kind = PlanControlKind.RollBackNode, Node = name }, ct)));
        }

        return commands;
    }

    /// <summary>True when the node's rollback stopped because a file changed since the plan wrote it (a restore the agent refused).</summary>
    public static bool IsRestoreConflict(NodeRemediation node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node is { Status: NodeStatus.Failed, FailedWhile: NodeStatus.RollingBack, Failure: { Step: NodeStep.Restore, Kind: StepFailureKind.FileChanged } };
    }

    private static string Short(string? sha) => sha is null ? "(absent)" : sha.Length > 12 ? sha[..12] : sha;

    private static PlanCommand Control(string id, PlanControlKind kind, string key, string label, string question, bool danger) =>
        new(key, label, question, danger, null, false, null, (s, _, ct) => s.ControlAsync(id, new PlanControl { Kind = kind }, ct));

    private static PlanCommand RollBack(string id) =>
        Control(id, PlanControlKind.RollBack, "roll-back", "Roll back all",
            $"Roll back plan {id}? Every node it changed gets its files restored from the agent's backups, newest first, and verified.", true);

    private static PlanCommand Abort(string id) =>
        new("abort", "Abort", $"Abort plan {id}? The node in hand is released (uncordoned); no other node starts. Edits made stay.", true, "Reason", true, null,
            (s, reason, ct) => s.ControlAsync(id, new PlanControl { Kind = PlanControlKind.Abort, Reason = reason }, ct));

    private static PlanCommand Cancel(string id) =>
        new("abort", "Cancel plan", $"Cancel plan {id}? It will not run, and approvals given are void.", true, "Reason", true, null,
            (s, reason, ct) => s.ControlAsync(id, new PlanControl { Kind = PlanControlKind.Abort, Reason = reason }, ct));
}
