using System.Net;

namespace CniDashboard.Simulator.Nodes;

/// <summary>
/// One simulated node: its identity in the API, the loopback address its agent (and every
/// hostNetwork pod) answers on, and its real folders on disk. The node's root folder stands for
/// the host's <c>/</c>, so a host path such as <c>/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig</c> is
/// <c>{RootDir}/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig</c>.
/// </summary>
public sealed class SimulatedNode
{
    /// <summary>The host path of the CNI folder, as plugin configs and snapshots name it.</summary>
    public const string HostCniDir = "/etc/cni/net.d";

    /// <summary>The host path of the plugin binaries.</summary>
    public const string HostBinDir = "/opt/cni/bin";

    internal SimulatedNode(NodeIdentity identity, string nodesDir)
    {
        Identity = identity;
        RootDir = Path.Combine(nodesDir, identity.Name);
        CniDir = Path.Combine(RootDir, "etc", "cni", "net.d");
        BinDir = Path.Combine(RootDir, "opt", "cni", "bin");
        BackupDir = Path.Combine(RootDir, "var", "lib", "cni-dashboard", "backups");
    }

    /// <summary>The node's name, e.g. <c>ip-10-0-12-34.us-west-2.compute.internal</c>.</summary>
    public string Name => Identity.Name;

    /// <summary>The node's InternalIP: a loopback address of its own, where its agent listens.</summary>
    public IPAddress Address => Identity.Address;

    /// <summary>The EKS node group (<c>eks.amazonaws.com/nodegroup</c>).</summary>
    public string NodeGroup => Identity.Group.Name;

    /// <summary>What the scenario made of this node when it was seeded.</summary>
    public NodeRole Role => Identity.Role;

    /// <summary>The folder standing for the node's <c>/</c>.</summary>
    public string RootDir { get; }

    /// <summary>The node's <c>/etc/cni/net.d</c>.</summary>
    public string CniDir { get; }

    /// <summary>The node's <c>/opt/cni/bin</c>.</summary>
    public string BinDir { get; }

    /// <summary>Where the node's agent keeps backups and its change journal.</summary>
    public string BackupDir { get; }

    internal NodeIdentity Identity { get; }

    /// <summary>Maps an absolute host path to the file standing for it on this node.</summary>
    public string HostPath(string hostPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostPath);
        var relative = hostPath.TrimStart('/');
        var full = Path.GetFullPath(Path.Combine(RootDir, relative));
        // A path with .. must not leave the node: such a file simply does not exist on the node.
        return full.StartsWith(RootDir + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : Path.Combine(RootDir, "nonexistent");
    }

    /// <summary>Creates the node's folders (existing content is kept).</summary>
    internal void CreateFolders()
    {
        Directory.CreateDirectory(CniDir);
        Directory.CreateDirectory(BinDir);
        Directory.CreateDirectory(BackupDir);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>What a scenario seeded on a node.</summary>
public enum NodeRole
{
    /// <summary>AWS VPC CNI + Cilium chaining + linkerd-cni, token bound to the running linkerd-cni pod.</summary>
    Healthy,

    /// <summary>The incident: stale linkerd-cni entry, token bound to a deleted pod, replacement pod stuck.</summary>
    Incident,

    /// <summary>Healthy, with a different drift: a leftover <c>10-aws.conflist.cilium_bak</c>.</summary>
    Drift,
}
