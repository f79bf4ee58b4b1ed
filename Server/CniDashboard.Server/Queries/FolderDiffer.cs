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
    /// <summary>One side, resolved: its label and files, or why it cannot be compared.</summary>
    private sealed record Side(string Label, IReadOnlyList<CniFolderFile>? Files, string? Unavailable);

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
            .Where(n => request.File is null || n == request.File)
            .Order(Utf8OrdinalComparer.Instance)
            .ToArray();
        return new FolderDiff
        {
            LeftLabel = left.Label,
            RightLabel = right.Label,
            Files = names.Select(n => Compare(n, l.GetValueOrDefault(n), r.GetValueOrDefault(n))).ToArray(),
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

    private Side Baseline(string group)
    {
        var members = cluster.Nodes.Where(n => n.NodeGroup == group).Select(n => fleet.Get(n.Name)?.Latest).OfType<SnapshotContent>().ToArray();
        if (members.Length == 0) return new Side($"baseline of {group}", null, $"no node of group {group} has a snapshot yet");

        // Per file name, the content most nodes of the group have; a file most nodes lack is not in the baseline.
        var files = new List<CniFolderFile>();
        foreach (var byName in members.SelectMany(m => m.Files).GroupBy(f => f.Name, StringComparer.Ordinal))
        {
            if (byName.Count() * 2 < members.Length) continue;
            var common = byName.GroupBy(f => (f.Sha256, f.Content), f => f)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Sha256, StringComparer.Ordinal)
                .First();
            files.Add(common.First());
        }

        files.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        var agreeing = members.Count(m => SameFolder(m.Files, files));
        return new Side($"baseline of {group} ({agreeing} of {members.Length} nodes)", files, null);
    }

    private static bool SameFolder(IReadOnlyList<CniFolderFile> a, IReadOnlyList<CniFolderFile> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name && Same(p.First, p.Second));

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
