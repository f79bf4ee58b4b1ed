using System.Globalization;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>What the node page's diff compares against.</summary>
public enum DiffMode
{
    /// <summary>The node's snapshot before its latest.</summary>
    Previous,
    /// <summary>A chosen point of the node's history.</summary>
    Snapshot,
    /// <summary>The most common content of each file across the node's group.</summary>
    Baseline,
    /// <summary>Another node's latest files.</summary>
    OtherNode,
    /// <summary>What one snapshot changed (that snapshot against the one before it).</summary>
    Change,
}

/// <summary>
/// The diff pickers' state as it appears in the URL (<c>?compare=node&amp;with=ip-10-0-1-7</c>), turned into a
/// <see cref="DiffRequest"/> for a node. The node under inspection is always the right side.
/// </summary>
public sealed record DiffSelection
{
    /// <summary>Query-string names.</summary>
    public static class Keys
    {
        /// <summary>previous, snapshot, baseline, node, change.</summary>
        public const string Compare = "compare";
        /// <summary>The snapshot id or node name the mode needs.</summary>
        public const string With = "with";
        /// <summary>Only this file.</summary>
        public const string File = "file";
    }

    /// <summary>The token of <see cref="DiffMode.Change"/>.</summary>
    public const string ChangeToken = "change";

    /// <summary>The mode.</summary>
    public DiffMode Mode { get; init; } = DiffMode.Previous;

    /// <summary>The snapshot id (Snapshot, Change) or node name (OtherNode) the mode needs.</summary>
    public string? With { get; init; }

    /// <summary>Only this file, when set.</summary>
    public string? File { get; init; }

    /// <summary>The URL token of a mode.</summary>
    public static string Token(DiffMode mode) => mode switch
    {
        DiffMode.Snapshot => "snapshot",
        DiffMode.Baseline => "baseline",
        DiffMode.OtherNode => "node",
        DiffMode.Change => ChangeToken,
        _ => "previous",
    };

    /// <summary>A label for the mode picker.</summary>
    public static string Label(DiffMode mode) => mode switch
    {
        DiffMode.Snapshot => "A point in this node's history",
        DiffMode.Baseline => "The node-group baseline",
        DiffMode.OtherNode => "Another node",
        DiffMode.Change => "What one snapshot changed",
        _ => "The previous snapshot",
    };

    /// <summary>Reads the selection from query-string values; unknown modes give the default.</summary>
    public static DiffSelection FromQuery(string? compare, string? with, string? file) => new()
    {
        Mode = compare?.ToLowerInvariant() switch
        {
            "snapshot" => DiffMode.Snapshot,
            "baseline" => DiffMode.Baseline,
            "node" => DiffMode.OtherNode,
            ChangeToken => DiffMode.Change,
            _ => DiffMode.Previous,
        },
        With = string.IsNullOrWhiteSpace(with) ? null : with.Trim(),
        File = string.IsNullOrWhiteSpace(file) ? null : file.Trim(),
    };

    /// <summary>Query-string values for this selection.</summary>
    public IReadOnlyDictionary<string, object?> ToQueryParameters() => new Dictionary<string, object?>
    {
        [Keys.Compare] = Mode == DiffMode.Previous ? null : Token(Mode),
        [Keys.With] = Mode is DiffMode.Previous or DiffMode.Baseline ? null : With,
        [Keys.File] = File,
    };

    /// <summary>
    /// The request for <paramref name="node"/>, or the reason there is none (a picker not chosen yet,
    /// a snapshot that is not in the loaded history, a first snapshot with nothing before it).
    /// </summary>
    /// <param name="node">The inspected node (right side).</param>
    /// <param name="nodeGroup">Its node group, for the baseline.</param>
    /// <param name="history">Its snapshots, newest first (for the Change mode's predecessor).</param>
    public (DiffRequest? Request, string? Reason) ToRequest(string node, string? nodeGroup, IReadOnlyList<SnapshotSummary> history)
    {
        switch (Mode)
        {
            case DiffMode.Previous:
                return (new DiffRequest(DiffSide.PreviousOf(node), DiffSide.Latest(node), File), null);
            case DiffMode.Baseline:
                return nodeGroup is null
                    ? (null, "This node has no node group, so there is no group baseline to compare against.")
                    : (new DiffRequest(DiffSide.Baseline(nodeGroup), DiffSide.Latest(node), File), null);
            case DiffMode.OtherNode:
                return With is null
                    ? (null, "Choose a node to compare with.")
                    : (new DiffRequest(DiffSide.Latest(With), DiffSide.Latest(node), File), null);
            case DiffMode.Snapshot:
                return SnapshotId() is { } id
                    ? (new DiffRequest(DiffSide.At(node, id), DiffSide.Latest(node), File), null)
                    : (null, "Choose a point in the history to compare with.");
            default:
                return ChangeRequest(node, history);
        }
    }

    private (DiffRequest? Request, string? Reason) ChangeRequest(string node, IReadOnlyList<SnapshotSummary> history)
    {
        if (SnapshotId() is not { } id)
        {
            return (null, "Choose a change in the history.");
        }

        var index = -1;
        for (var i = 0; i < history.Count; i++)
        {
            if (history[i].Id == id)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return (null, $"Snapshot {id} is not in this node's loaded history (it may have been pruned).");
        }

        if (index == history.Count - 1)
        {
            return (null, $"Snapshot {id} is the oldest one kept: there is nothing before it to compare with.");
        }

        return (new DiffRequest(DiffSide.At(node, history[index + 1].Id), DiffSide.At(node, id), File), null);
    }

    private long? SnapshotId() =>
        long.TryParse(With, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : null;
}
