using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Shared.Analysis;

namespace CniDashboard.Server.Analysis;

/// <summary>Builds the cluster facts the analyzer gets for a node from what the watches hold.</summary>
public sealed class NodeContextBuilder(ClusterState cluster, SandboxActivity sandbox)
{
    /// <summary>The node's context: its CNI pods (not the agent), the CNI DaemonSets, Cilium's configuration, recent sandbox failures, OS image.</summary>
    public NodeClusterContext Build(string node) => new()
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
    };
}
