using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Shared.Analysis;

namespace CniDashboard.Server.Analysis;

/// <summary>
/// What most nodes of each node group run — the primary file and chain of their latest snapshots, by
/// <see cref="NodeGroupMajority"/> — for the analyzer's drift rule. Memberships come from the cluster's
/// node labels, as the diff's group baseline does.
/// </summary>
public sealed class NodeGroupBaselines(ClusterState cluster, FleetState fleet)
{
    /// <summary>Every node group that has a majority, by name.</summary>
    public IReadOnlyDictionary<string, ContextNodeGroup> Compute()
    {
        var members = new Dictionary<string, List<(string? Primary, IReadOnlyList<string> Chain)>>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes)
        {
            if (node.NodeGroup is not { } group || fleet.Get(node.Name)?.Latest?.Header is not { } header) continue;
            if (!members.TryGetValue(group, out var list)) members[group] = list = [];
            list.Add((header.PrimaryFile, header.Chain));
        }

        var result = new Dictionary<string, ContextNodeGroup>(StringComparer.Ordinal);
        foreach (var (group, list) in members)
        {
            if (NodeGroupMajority.Of(group, list) is { } majority) result[group] = majority;
        }

        return result;
    }

    /// <summary>The nodes of <paramref name="group"/> with a snapshot.</summary>
    public IEnumerable<string> MembersOf(string group) =>
        cluster.Nodes.Where(n => n.NodeGroup == group && fleet.Get(n.Name)?.Latest is not null).Select(n => n.Name);

    /// <summary>True when two majorities are the same in every field: group, primary, chain and counts.</summary>
    public static bool Same(ContextNodeGroup? a, ContextNodeGroup? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Name == b.Name && a.Majority == b.Majority && a.Nodes == b.Nodes && NodeGroupMajority.Matches(a, b.Primary, b.Chain);
}
