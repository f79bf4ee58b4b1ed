using System.Globalization;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Model;

/// <summary>A remediation plan's states, node statuses, steps and pauses as people read them.</summary>
public static class PlanText
{
    /// <summary>The state in words, e.g. <c>Pending approval</c>.</summary>
    public static string State(PlanState state) => state switch
    {
        PlanState.PendingApproval => "Pending approval",
        PlanState.RollingBack => "Rolling back",
        PlanState.RolledBack => "Rolled back",
        _ => state.ToString(),
    };

    /// <summary>The token of a state for <c>data-state</c> and CSS, e.g. <c>pending-approval</c>.</summary>
    public static string Token(PlanState state) => Kebab(state.ToString());

    /// <summary>The token of a node status, e.g. <c>rolling-back</c>.</summary>
    public static string Token(NodeStatus status) => Kebab(status.ToString());

    /// <summary>A node's status in words.</summary>
    public static string Status(NodeStatus status) => status switch
    {
        NodeStatus.RollingBack => "Rolling back",
        NodeStatus.RolledBack => "Rolled back",
        NodeStatus.NotNeeded => "No longer needed",
        _ => status.ToString(),
    };

    /// <summary>A step in words, e.g. <c>Apply the edits</c>.</summary>
    public static string Step(NodeStep step) => step switch
    {
        NodeStep.Prepare => "Cordon and annotate",
        NodeStep.Apply => "Apply the edits",
        NodeStep.Restore => "Restore the backups",
        NodeStep.RestartPod => "Restart the CNI pod",
        NodeStep.WaitReady => "Wait for the new pod",
        NodeStep.Verify => "Verify",
        NodeStep.Release => "Uncordon and release",
        _ => step.ToString(),
    };

    /// <summary>Why a plan is paused, in a sentence (the plan's own detail wins when it has one).</summary>
    public static string Pause(PauseReason? reason, string? detail) => detail ?? reason switch
    {
        PauseReason.OperatorRequest => "An operator paused the plan.",
        PauseReason.StepFailed => "A step failed.",
        PauseReason.CanaryHold => "The canary node is fixed: the plan holds until an operator continues.",
        PauseReason.BlastRadius => "More nodes would be unhealthy at once than the plan allows.",
        PauseReason.KuredLockHeld => "kured holds its reboot lock.",
        PauseReason.NodeRolledBack => "A node was rolled back: continue, or roll back the rest.",
        _ => "Paused.",
    };

    /// <summary>How far a node got through its steps, 0–100, for its progress bar.</summary>
    public static double Progress(NodeRemediation node, bool hasComponent)
    {
        if (node.Status.IsFinal())
        {
            return 100;
        }

        if (node.Status == NodeStatus.Pending)
        {
            return 0;
        }

        var steps = Steps(node, hasComponent);
        var done = node.Step switch
        {
            NodeStep.Prepare => 0,
            NodeStep.Apply => 1 + node.Applied.Count,
            NodeStep.Restore => 1 + node.Restored.Count,
            NodeStep.RestartPod => 1 + ChangeCount(node),
            NodeStep.WaitReady => 2 + ChangeCount(node),
            NodeStep.Verify => steps - 2,
            NodeStep.Release => steps - 1,
            _ => 0,
        };
        return Math.Clamp(100.0 * done / steps, 0, 100);
    }

    /// <summary>A plan's progress in words, e.g. <c>2 of 3 nodes done</c>.</summary>
    public static string Progress(int done, int total) =>
        string.Create(CultureInfo.InvariantCulture, $"{done:N0} of {total:N0} {(total == 1 ? "node" : "nodes")} done");

    /// <summary>Nodes a plan has finished (fixed, skipped, rolled back or stopped).</summary>
    public static int NodesDone(RemediationPlan plan) => plan.Nodes.Count(n => n.Status.IsFinal());

    /// <summary>A duration as the options show it, e.g. <c>60 s</c>, <c>5 min</c>.</summary>
    public static string Duration(TimeSpan span) => span.TotalSeconds % 60 == 0 && span >= TimeSpan.FromMinutes(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s");

    private static int ChangeCount(NodeRemediation node) => node.Status == NodeStatus.RollingBack ? node.Applied.Count : node.Edits.Count;

    private static int Steps(NodeRemediation node, bool hasComponent) =>
        2 + ChangeCount(node) + (hasComponent ? 2 : 0) + 1;

    private static string Kebab(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
