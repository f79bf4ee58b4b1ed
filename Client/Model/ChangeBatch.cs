using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>
/// Which parts of which page a batch of changes touches, so a page re-reads only those. A
/// <see cref="ClusterChangeKind.Resync"/> (the subscriber fell behind and changes were dropped)
/// touches everything.
/// </summary>
public static class ChangeBatch
{
    /// <summary>True when changes were dropped and everything must be re-read.</summary>
    public static bool IsResync(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.Resync);

    /// <summary>Rows of the Nodes grid may differ (a node's files, findings, agent, or error count changed).</summary>
    public static bool TouchesNodeRows(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.NodeAdded or ClusterChangeKind.NodeRemoved
            or ClusterChangeKind.NodeChanged or ClusterChangeKind.AgentStatusChanged
            or ClusterChangeKind.FindingOpened or ClusterChangeKind.FindingResolved
            or ClusterChangeKind.SandboxError or ClusterChangeKind.Resync);

    /// <summary>The filter pickers may need new values (a node group or a rule appeared or went).</summary>
    public static bool TouchesNodeFacets(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.NodeAdded or ClusterChangeKind.NodeRemoved
            or ClusterChangeKind.FindingOpened or ClusterChangeKind.FindingResolved or ClusterChangeKind.Resync);

    /// <summary>The Overview's tiles, findings, DaemonSets or recent changes may differ (a plan's own progress does not change them).</summary>
    public static bool TouchesOverview(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is not (ClusterChangeKind.ConnectionChanged or ClusterChangeKind.PlanChanged));

    /// <summary>New sandbox errors arrived (charts and error lists).</summary>
    public static bool HasSandboxErrors(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.SandboxError or ClusterChangeKind.Resync);

    /// <summary>Something about this node changed.</summary>
    public static bool TouchesNode(IReadOnlyList<ClusterChange> batch, string node) =>
        IsResync(batch) || batch.Any(c => string.Equals(c.Node, node, StringComparison.Ordinal));

    /// <summary>This node's files changed, so its history and diff are out of date.</summary>
    public static bool TouchesNodeFiles(IReadOnlyList<ClusterChange> batch, string node) =>
        IsResync(batch) || batch.Any(c => c.Kind is ClusterChangeKind.NodeChanged or ClusterChangeKind.NodeAdded
            && string.Equals(c.Node, node, StringComparison.Ordinal));

    /// <summary>A watch or the poller changed health.</summary>
    public static bool TouchesConnection(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.ConnectionChanged or ClusterChangeKind.Resync);

    /// <summary>A remediation plan changed (the plan lists and "being fixed" chips).</summary>
    public static bool TouchesPlans(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.PlanChanged or ClusterChangeKind.Resync);
}
