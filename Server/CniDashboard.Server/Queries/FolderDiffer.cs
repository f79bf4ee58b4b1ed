using System.Globalization;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Diff;

namespace CniDashboard.Server.Queries;

/// <summary>
/// Compares two folders — a node over time, two nodes, or a node against its group's baseline —
/// file by file: a side-by-side text diff plus the meaningful chain changes.
/// </summary>
public sealed class FolderDiffer(FleetState fleet, ClusterState cluster, ISnapshotRepository snapshots)
{
    /// <summary>
    /// One side, resolved: its label and files, or why it cannot be compared. <see cref="NoContent"/>
    /// names files the side has without one content to compare (a baseline's), each with why.
    /// </summary>
    private sealed record Side(string Label, IReadOnlyList<CniFolderFile>? Files, string? Unavailable)
    {
        public IReadOnlyDictionary<string, string> NoContent { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>The diff.</summary>
    public async Task<FolderDiff> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        var left = await ResolveAsync(request.Left, cancellationToken);
        var right = await ResolveAsync(request.Right, cancellationToken);
        var unavailable = left.Unavailable ?? right.Unavailable;
        if (unavailable is not null || left.Files is null || right.Files is null)
            return new FolderDiff { LeftLabel = left.Label, RightLabel = right.Label, Unavailable = unavailable ?? "nothing to compare" };

        var l = left.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var r = right.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var names = l.Keys.Union(r.Keys, StringComparer.Ordinal)
            .Union(left.NoContent.Keys, StringComparer.Ordinal)
            .Union(right.NoContent.Keys, StringComparer.Ordinal)
            .Where(n => request.File is null || n == request.File)
            .Order(Utf8OrdinalComparer.Instance)
            .ToArray();
        return new FolderDiff
        {
            LeftLabel = left.Label,
            RightLabel = right.Label,
            Files = names.Select(n => left.NoContent.ContainsKey(n) || right.NoContent.ContainsKey(n)
                ? NotCompared(n, left, l.ContainsKey(n), right, r.ContainsKey(n))
                : Compare(n, l.GetValueOrDefault(n), r.GetValueOrDefault(n))).ToArray(),
            Unavailable = names.Length == 0 && request.File is not null ? $"neither side has a file named {request.File}" : null,
        };
    }

    private static FileDiff Compare(string name, CniFolderFile? left, CniFolderFile? right)
    {
        var status = left is null ? FileDiffStatus.Added
            : right is null ? FileDiffStatus.Removed
            : Same(left, right) ? FileDiffStatus.Unchanged
            : FileDiffStatus.Modified;
        string? note = null;
        if (left is { Content: null, IsDirectory: false }) note = $"left content not available ({left.ContentOmitted?.ToString() ?? "missing"})";
        if (right is { Content: null, IsDirectory: false }) note = (note is null ? "" : note + "; ") + $"right content not available ({right.ContentOmitted?.ToString() ?? "missing"})";

        IReadOnlyList<ChainChange> chain = [];
        if (status != FileDiffStatus.Unchanged && (CniFileNames.IsCandidate(name) || LooksLikeConfig(left) || LooksLikeConfig(right)))
            chain = ChainDiff.Compare(Load(name, left), Load(name, right));

        return new FileDiff
        {
            File = name,
            Status = status,
            Text = TextDiff.SideBySide(left?.Content, right?.Content),
            ChainChanges = chain,
            Note = note,
        };
    }

    /// <summary>A file a side has without content to compare (no baseline): said so, never diffed against a stand-in.</summary>
    private static FileDiff NotCompared(string name, Side left, bool onLeft, Side right, bool onRight)
    {
        var leftNote = left.NoContent.GetValueOrDefault(name);
        var rightNote = right.NoContent.GetValueOrDefault(name);
        onLeft |= leftNote is not null;
        onRight |= rightNote is not null;
        return new FileDiff
        {
            File = name,
            Status = onLeft && onRight ? FileDiffStatus.NotCompared : onLeft ? FileDiffStatus.Removed : FileDiffStatus.Added,
            Text = TextDiff.SideBySide(null, null),
            Note = leftNote is not null && rightNote is not null ? $"{leftNote}; {rightNote}" : leftNote ?? rightNote,
        };
    }

    private static bool LooksLikeConfig(CniFolderFile? f) => f is { Kind: not CniFileKind.Kubeconfig, Content: { } c } && c.TrimStart().StartsWith('{');

    private static NetworkConfigList? Load(string name, CniFolderFile? file)
    {
        if (file?.Content is null) return null;
        var role = CniFileNames.RoleOf(name);
        return (role == CniFileRole.Ignored ? CniConfigParser.LoadAs(name, file.Content, CniFileRole.ConfigList) : CniConfigParser.Load(name, file.Content)).Config;
    }

    private static bool Same(CniFolderFile a, CniFolderFile b) =>
        string.Equals(a.Content, b.Content, StringComparison.Ordinal) && a.Sha256 == b.Sha256 && a.Mode == b.Mode
        && a.IsSymlink == b.IsSymlink && a.SymlinkTarget == b.SymlinkTarget && a.IsDirectory == b.IsDirectory;

    private async Task<Side> ResolveAsync(DiffSide side, CancellationToken cancellationToken)
    {
        switch (side.Kind)
        {
            case DiffSideKind.NodeLatest:
            {
                var node = side.Node ?? "";
                var latest = fleet.Get(node)?.Latest;
                return latest is null
                    ? new Side(node, null, $"no snapshot of node {node} yet")
                    : new Side($"{node} @ {Stamp(latest.Header.TakenAt)} (latest)", latest.Files, null);
            }

            case DiffSideKind.Previous:
            {
                var node = side.Node ?? "";
                var latest = fleet.Get(node)?.Latest;
                if (latest is null) return new Side($"{node} (previous)", null, $"no snapshot of node {node} yet");
                var previous = await snapshots.GetPreviousAsync(node, latest.Header.Id, cancellationToken);
                if (previous is null) return new Side($"{node} (previous)", null, $"node {node} has no earlier snapshot (or it was pruned)");
                var content = await snapshots.GetContentAsync(node, previous.Id, cancellationToken);
                return content is null
                    ? new Side($"{node} (previous)", null, $"snapshot {previous.Id} of {node} was pruned")
                    : new Side($"{node} @ {Stamp(previous.TakenAt)}", content.Files, null);
            }

            case DiffSideKind.Snapshot:
            {
                var node = side.Node ?? "";
                var id = side.SnapshotId ?? 0;
                var content = await snapshots.GetContentAsync(node, id, cancellationToken);
                return content is null
                    ? new Side($"{node} #{id}", null, $"node {node} has no snapshot {id} (unknown or pruned)")
                    : new Side($"{node} @ {Stamp(content.Header.TakenAt)}", content.Files, null);
            }

            case DiffSideKind.GroupBaseline:
                return Baseline(side.NodeGroup ?? "");

            default:
                return new Side(side.Kind.ToString(), null, $"unknown side {side.Kind}");
        }
    }

    /// <summary>
    /// The group's baseline. A file most of the group's nodes lack is not in it. A file's baseline
    /// content is the one more than half of the nodes holding the file share; when none is (every
    /// node's kubeconfig holds its own token, or the group is split), the file is in the baseline
    /// without content, so no node is compared with another's copy that happens to come first.
    /// The label counts the nodes that hold the baseline: its files, with its content where it has one.
    /// </summary>
    private Side Baseline(string group)
    {
        var members = cluster.Nodes.Where(n => n.NodeGroup == group).Select(n => fleet.Get(n.Name)?.Latest).OfType<SnapshotContent>().ToArray();
        if (members.Length == 0) return new Side($"baseline of {group}", null, $"no node of group {group} has a snapshot yet");

        var files = new List<CniFolderFile>();
        var noContent = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var byName in members.SelectMany(m => m.Files).GroupBy(f => f.Name, StringComparer.Ordinal))
        {
            var holders = byName.Count();
            if (holders * 2 < members.Length) continue;
            var contents = byName.GroupBy(f => (f.Sha256, f.Content), f => f)
                .Select(g => (File: g.First(), Count: g.Count()))
                .OrderByDescending(c => c.Count).ThenBy(c => c.File.Sha256, StringComparer.Ordinal)
                .ToArray();
            if (contents[0].Count * 2 > holders) files.Add(contents[0].File);
            else noContent[byName.Key] = NoBaselineNote(group, holders, members.Length, contents.Length, contents[0].Count);
        }

        files.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        var baseline = files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var holding = members.Count(m => HoldsBaseline(m.Files, baseline, noContent));
        var without = noContent.Count == 0 ? "" : $"; no baseline for {NameList(noContent.Keys)}";
        return new Side($"baseline of {group} ({holding} of {members.Length} nodes{without})", files, null) { NoContent = noContent };
    }

    private static string NoBaselineNote(string group, int holders, int members, int distinct, int mostShared)
    {
        var who = holders == members ? $"node of {group}" : $"node of {group} that has it";
        return distinct == holders
            ? $"varies on every {who} ({holders} of {holders} differ): no baseline"
            : $"no content is shared by most nodes of {group} that have it (at most {mostShared} of {holders} agree): no baseline";
    }

    private static string NameList(IEnumerable<string> names)
    {
        var sorted = names.Order(Utf8OrdinalComparer.Instance).ToArray();
        return sorted.Length <= 3 ? string.Join(", ", sorted) : $"{string.Join(", ", sorted[..3])} and {sorted.Length - 3} more";
    }

    /// <summary>True when a node has exactly the baseline's files, each with the baseline's content where it has one.</summary>
    private static bool HoldsBaseline(IReadOnlyList<CniFolderFile> node, IReadOnlyDictionary<string, CniFolderFile> baseline, IReadOnlyDictionary<string, string> noContent) =>
        node.Count == baseline.Count + noContent.Count
        && node.All(f => baseline.TryGetValue(f.Name, out var b) ? Same(f, b) : noContent.ContainsKey(f.Name));

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
