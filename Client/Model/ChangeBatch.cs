using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>Which parts of which page a batch of changes touches, so a page re-reads only those.</summary>
public static class ChangeBatch
{
    /// <summary>Rows of the Nodes grid may differ (a node's files, findings, agent, or error count changed).</summary>
    public static bool TouchesNodeRows(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.NodeAdded or ClusterChangeKind.NodeRemoved
            or ClusterChangeKind.NodeChanged or ClusterChangeKind.AgentStatusChanged
            or ClusterChangeKind.FindingOpened or ClusterChangeKind.FindingResolved
            or ClusterChangeKind.SandboxError);

    /// <summary>The filter pickers may need new values (a node group or a rule appeared or went).</summary>
    public static bool TouchesNodeFacets(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.NodeAdded or ClusterChangeKind.NodeRemoved
            or ClusterChangeKind.FindingOpened or ClusterChangeKind.FindingResolved);

    /// <summary>The Overview's tiles, findings, DaemonSets or recent changes may differ.</summary>
    public static bool TouchesOverview(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is not ClusterChangeKind.ConnectionChanged);

    /// <summary>New sandbox errors arrived (charts and error lists).</summary>
    public static bool HasSandboxErrors(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.SandboxError);

    /// <summary>Something about this node changed.</summary>
    public static bool TouchesNode(IReadOnlyList<ClusterChange> batch, string node) =>
        batch.Any(c => string.Equals(c.Node, node, StringComparison.Ordinal));

    /// <summary>This node's files changed, so its history and diff are out of date.</summary>
    public static bool TouchesNodeFiles(IReadOnlyList<ClusterChange> batch, string node) =>
        batch.Any(c => c.Kind is ClusterChangeKind.NodeChanged or ClusterChangeKind.NodeAdded
            && string.Equals(c.Node, node, StringComparison.Ordinal));

    /// <summary>A watch or the poller changed health.</summary>
    public static bool TouchesConnection(IReadOnlyList<ClusterChange> batch) =>
        batch.Any(c => c.Kind is ClusterChangeKind.ConnectionChanged);
}
