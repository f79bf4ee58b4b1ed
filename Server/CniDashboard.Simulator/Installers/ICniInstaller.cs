using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Simulator.Installers;

/// <summary>The pod an installer runs in: the token it writes is bound to exactly this pod.</summary>
/// <param name="Name">The pod's name.</param>
/// <param name="Uid">The pod's uid.</param>
/// <param name="Image">The main container's image (decides known installer bugs).</param>
internal sealed record InstallerPod(string Name, string Uid, string Image);

/// <summary>
/// What a CNI DaemonSet's container does to its node's files: on start, while it runs (it may watch
/// the folder), and on shutdown. The kubelet calls these from its one loop, never concurrently.
/// </summary>
internal interface ICniInstaller
{
    /// <summary>The DaemonSet whose pods run this installer.</summary>
    string DaemonSet { get; }

    /// <summary>The container started on the node: install.</summary>
    void Start(SimulatedNode node, InstallerPod pod);

    /// <summary>The simulator restarted while the pod kept running: pick up watching, write nothing.</summary>
    void Resume(SimulatedNode node, InstallerPod pod);

    /// <summary>The node's CNI folder changed (by anyone) while the pod runs.</summary>
    void FolderChanged(SimulatedNode node);

    /// <summary>Periodic work while the pod runs (token refresh); <paramref name="now"/> is the cluster clock.</summary>
    void Tick(SimulatedNode node, DateTimeOffset now);

    /// <summary>The pod was deleted: run its shutdown (cleanup) as its image does.</summary>
    void Stop(SimulatedNode node, InstallerPod pod);
}
