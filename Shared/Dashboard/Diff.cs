using CniDashboard.Shared.Diff;

namespace CniDashboard.Shared.Dashboard;

/// <summary>Two sides to compare, optionally narrowed to one file name.</summary>
/// <param name="Left">The old/reference side.</param>
/// <param name="Right">The new/inspected side.</param>
/// <param name="File">Only this file; all files when null.</param>
public sealed record DiffRequest(DiffSide Left, DiffSide Right, string? File = null);

/// <summary>One side of a comparison.</summary>
public sealed record DiffSide
{
    /// <summary>What the side is.</summary>
    public required DiffSideKind Kind { get; init; }
    /// <summary>The node (for <see cref="DiffSideKind.NodeLatest"/>, <see cref="DiffSideKind.Snapshot"/>, <see cref="DiffSideKind.Previous"/>).</summary>
    public string? Node { get; init; }
    /// <summary>The snapshot id (for <see cref="DiffSideKind.Snapshot"/>).</summary>
    public long? SnapshotId { get; init; }
    /// <summary>The node group (for <see cref="DiffSideKind.GroupBaseline"/>).</summary>
    public string? NodeGroup { get; init; }

    /// <summary>A node's latest snapshot.</summary>
    public static DiffSide Latest(string node) => new() { Kind = DiffSideKind.NodeLatest, Node = node };
    /// <summary>The snapshot before a node's latest.</summary>
    public static DiffSide PreviousOf(string node) => new() { Kind = DiffSideKind.Previous, Node = node };
    /// <summary>A stored snapshot.</summary>
    public static DiffSide At(string node, long snapshotId) => new() { Kind = DiffSideKind.Snapshot, Node = node, SnapshotId = snapshotId };
    /// <summary>
    /// Per file, the content most of a node group's nodes that have the file share; a file whose
    /// content no majority shares (a kubeconfig with each node's own token) has none (see <see cref="FileDiffStatus.NotCompared"/>).
    /// </summary>
    public static DiffSide Baseline(string nodeGroup) => new() { Kind = DiffSideKind.GroupBaseline, NodeGroup = nodeGroup };
}

/// <summary>Kinds of diff side.</summary>
public enum DiffSideKind
{
    /// <summary>A node's latest snapshot.</summary>
    NodeLatest,
    /// <summary>The snapshot before a node's latest.</summary>
    Previous,
    /// <summary>A given snapshot.</summary>
    Snapshot,
    /// <summary>For each file, the content most nodes of the group that have it share (when one is).</summary>
    GroupBaseline,
}

/// <summary>The result of a comparison: per file, a side-by-side text diff and the chain changes.</summary>
public sealed record FolderDiff
{
    /// <summary>
    /// Label of the left side, e.g. <c>ip-10-0-1-2 @ 09:16:16</c> or <c>baseline of ng-general (11 of 12 nodes)</c>
    /// (how many nodes hold the baseline's content for every file that has one).
    /// </summary>
    public required string LeftLabel { get; init; }
    /// <summary>Label of the right side.</summary>
    public required string RightLabel { get; init; }
    /// <summary>Files present on either side.</summary>
    public IReadOnlyList<FileDiff> Files { get; init; } = [];
    /// <summary>Why there is nothing to compare, when there is not (e.g. no previous snapshot).</summary>
    public string? Unavailable { get; init; }
}

/// <summary>One file compared.</summary>
public sealed record FileDiff
{
    /// <summary>File name.</summary>
    public required string File { get; init; }
    /// <summary>Added, removed, modified or unchanged.</summary>
    public required FileDiffStatus Status { get; init; }
    /// <summary>The line diff (empty rows when content is missing on both sides).</summary>
    public required SideBySideDiff Text { get; init; }
    /// <summary>Meaningful changes to the network configuration.</summary>
    public IReadOnlyList<ChainChange> ChainChanges { get; init; } = [];
    /// <summary>Why the text cannot be compared (content omitted on a side, or no baseline content).</summary>
    public string? Note { get; init; }
}

/// <summary>How a file differs between sides.</summary>
public enum FileDiffStatus
{
    /// <summary>Same content.</summary>
    Unchanged,
    /// <summary>Only on the right.</summary>
    Added,
    /// <summary>Only on the left.</summary>
    Removed,
    /// <summary>On both, different.</summary>
    Modified,
    /// <summary>
    /// Not compared: a side has the file but no one content to compare with — a group baseline for a
    /// file whose content differs across the group (<see cref="FileDiff.Note"/> says how).
    /// </summary>
    NotCompared,
}
