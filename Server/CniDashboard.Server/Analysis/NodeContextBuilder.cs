using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Analysis;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Analysis;

/// <summary>Builds the cluster facts the analyzer gets for a node from what the watches hold.</summary>
public sealed class NodeContextBuilder(ClusterState cluster, SandboxActivity sandbox, NodeGroupBaselines baselines, IOptions<DashboardOptions> options)
{
    /// <summary>The DaemonSets whose pods are watched (every configured component but the agent): their pods on a node are all known.</summary>
    private readonly string[] _watched = [.. options.Value.Kubernetes.EffectiveComponents.Where(c => !c.IsAgent).Select(c => c.Name).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The node's context: its CNI pods (not the agent), the DaemonSets whose pods are watched, the CNI
    /// DaemonSets, Cilium's configuration, recent sandbox failures, OS image, and what most nodes of its
    /// group run (from <paramref name="groups"/>, or worked out now when not given).
    /// </summary>
    public NodeClusterContext Build(string node, IReadOnlyDictionary<string, ContextNodeGroup>? groups = null) => new()
    {
        Node = node,
        OsImage = cluster.GetNode(node)?.OsImage,
        Pods = cluster.PodsOn(node)
            .Where(p => !p.IsAgent)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new ContextPod
            {
                Namespace = p.Namespace,
                Name = p.Name,
                Uid = p.Uid,
                DaemonSet = p.DaemonSet ?? p.Component,
                Image = p.Image,
                Phase = p.Phase,
                Ready = p.Ready,
            })
            .ToArray(),
        DaemonSets = cluster.DaemonSets.Select(d => new ContextDaemonSet
        {
            Namespace = d.Namespace,
            Name = d.Name,
            Image = d.Image,
            Desired = d.Desired,
            Updated = d.Updated,
            Ready = d.Ready,
        }).ToArray(),
        CiliumConfig = cluster.CiliumConfig,
        SandboxErrors = sandbox.ForContext(node),
        WatchedDaemonSets = _watched,
        NodeGroup = cluster.GetNode(node)?.NodeGroup is { } group ? (groups ?? baselines.Compute()).GetValueOrDefault(group) : null,
    };
}
