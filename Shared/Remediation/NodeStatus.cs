namespace CniDashboard.Shared.Remediation;

/// <summary>Where one node of a plan is.</summary>
public enum NodeStatus
{
    /// <summary>Not touched yet.</summary>
    Pending,

    /// <summary>Going through the fix: prepare, apply, restart the pod, wait, verify, release.</summary>
    Fixing,

    /// <summary>A step failed; the plan is paused. <see cref="NodeRemediation.FailedWhile"/> says which path to retry.</summary>
    Failed,

    /// <summary>Putting its files back: restore, restart the pod, wait, verify, release.</summary>
    RollingBack,

    /// <summary>Only releasing it (uncordon, remove the annotation), on the way to <see cref="NodeRemediation.ReleaseTo"/>.</summary>
    Releasing,

    /// <summary>Fixed and verified, and released. Final.</summary>
    Fixed,

    /// <summary>Left as it was found (or as a failed step left it), released. Final.</summary>
    Skipped,

    /// <summary>Every file back as it was, verified, released. Final.</summary>
    RolledBack,

    /// <summary>The plan was aborted while this node was in hand: released, edits made stay. Final.</summary>
    Stopped,

    /// <summary>
    /// Left the plan before the plan wrote anything on it: a node that joined under the standing approval
    /// whose newer snapshot no longer shows the finding (its CNI component wrote a healthy entry meanwhile).
    /// Released. Final.
    /// </summary>
    NotNeeded,
}

/// <summary>One side effect (or observation) of a node's fix, in the order they run.</summary>
public enum NodeStep
{
    /// <summary>Cordon the node (when the options say so and it is not cordoned already) and annotate it with the plan, in one patch.</summary>
    Prepare,

    /// <summary>Apply the next edit through the agent (replace or delete, with the expected sha256).</summary>
    Apply,

    /// <summary>Rollback: restore the most recent applied edit's backup through the agent.</summary>
    Restore,

    /// <summary>Delete the owning CNI pod on the node, so its DaemonSet re-creates it.</summary>
    RestartPod,

    /// <summary>Wait (until a deadline) for the replacement pod to be Ready.</summary>
    WaitReady,

    /// <summary>Watch the node for the verification window: finding gone and not back, no new sandbox failures, probe pod Running.</summary>
    Verify,

    /// <summary>Uncordon (only if the plan cordoned it) and remove the annotation, in one patch.</summary>
    Release,
}

/// <summary>Node statuses from which nothing moves any more.</summary>
public static class NodeStatuses
{
    /// <summary>True for <see cref="NodeStatus.Fixed"/>, <see cref="NodeStatus.Skipped"/>, <see cref="NodeStatus.RolledBack"/>, <see cref="NodeStatus.Stopped"/> and <see cref="NodeStatus.NotNeeded"/>.</summary>
    public static bool IsFinal(this NodeStatus status) =>
        status is NodeStatus.Fixed or NodeStatus.Skipped or NodeStatus.RolledBack or NodeStatus.Stopped or NodeStatus.NotNeeded;

    /// <summary>True while the engine works on the node: fixing, rolling back or releasing.</summary>
    public static bool IsInFlight(this NodeStatus status) =>
        status is NodeStatus.Fixing or NodeStatus.RollingBack or NodeStatus.Releasing;

    /// <summary>
    /// True while the plan holds the node: in flight, or failed and waiting for an operator (it may be
    /// cordoned and annotated). These are the nodes shown as "being fixed" (or "fix paused").
    /// </summary>
    public static bool IsInHand(this NodeStatus status) => status.IsInFlight() || status == NodeStatus.Failed;
}
