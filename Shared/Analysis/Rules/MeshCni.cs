using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>A service-mesh CNI that appends its own plugin object to conflists and reads a kubeconfig.</summary>
/// <param name="PluginType">The plugin <c>type</c> it installs.</param>
/// <param name="DaemonSets">Names of the DaemonSet that runs its installer.</param>
/// <param name="InstallerImage">Repository suffix of the installer image (e.g. <c>linkerd/cni-plugin</c>).</param>
internal sealed record MeshCni(string PluginType, string[] DaemonSets, string InstallerImage)
{
    public static readonly MeshCni Linkerd = new("linkerd-cni", ["linkerd-cni"], "linkerd/cni-plugin");
    public static readonly MeshCni Istio = new("istio-cni", ["istio-cni-node", "istio-cni"], "install-cni");

    public static readonly IReadOnlyList<MeshCni> All = [Linkerd, Istio];

    public static MeshCni? ForPlugin(string type) => type switch
    {
        "linkerd-cni" => Linkerd,
        "istio-cni" => Istio,
        _ => null,
    };

    /// <summary>The mesh's pods on the node, by owning DaemonSet (or by name when the owner is not given).</summary>
    public IEnumerable<ContextPod> PodsOn(NodeClusterContext context) =>
        context.Pods.Where(p => p.DaemonSet is { } ds
            ? DaemonSets.Contains(ds, StringComparer.Ordinal)
            : p.Name is { } n && DaemonSets.Any(d => n.StartsWith(d + "-", StringComparison.Ordinal)));

    /// <summary>The mesh's DaemonSet, when the context lists it.</summary>
    public ContextDaemonSet? DaemonSetIn(NodeClusterContext context) =>
        context.DaemonSets.FirstOrDefault(d => d.Name is { } n && DaemonSets.Contains(n, StringComparer.Ordinal));

    /// <summary>True when the cluster context says this mesh CNI is deployed.</summary>
    public bool IsDeployed(NodeClusterContext context) => DaemonSetIn(context) is not null || PodsOn(context).Any();

    /// <summary>True when the mesh CNI is known to be up: its pod on the node Ready, or else its DaemonSet fully Ready.</summary>
    public bool IsReady(NodeClusterContext context)
    {
        var pods = PodsOn(context).ToArray();
        if (pods.Length > 0) return pods.Any(p => p.Ready == true);
        return DaemonSetIn(context) is { Ready: > 0 } ds && (ds.Desired is null || ds.Ready >= ds.Desired);
    }

    /// <summary>True when the files show the mesh: its plugin in any config or its kubeconfig in the folder.</summary>
    public bool IsInFolder(CniFolder folder) =>
        folder.Loaded.Values.Any(r => r.Config?.Plugins.Any(p => p.Type == PluginType) == true)
        || folder.Files.Any(f => f.Name.Contains(PluginType, StringComparison.Ordinal) && f.Kind == CniFileKind.Kubeconfig);

    /// <summary>The installer version running on the node (its pod), else the DaemonSet's template.</summary>
    public ImageRef? InstallerVersion(NodeClusterContext context)
    {
        foreach (var pod in PodsOn(context))
        {
            if (ImageRef.Parse(pod.Image) is { Version: not null } image && image.Is(InstallerImage)) return image;
        }
        return ImageRef.Parse(DaemonSetIn(context)?.Image) is { Version: not null } dsImage && dsImage.Is(InstallerImage) ? dsImage : null;
    }
}
