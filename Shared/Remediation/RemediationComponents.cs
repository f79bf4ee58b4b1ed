using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Analysis.Rules;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// Which pod a fix restarts, derived from the finding: a mesh CNI's plugin (linkerd-cni, istio-cni)
/// is re-installed by its installer's pod, so the fix of a stale, duplicated or legacy mesh entry
/// restarts that DaemonSet's pod on the node; deleting a stray or unused file needs no restart.
/// </summary>
internal static class RemediationComponents
{
    private static readonly HashSet<string> RestartingRules = new(StringComparer.Ordinal)
    {
        "mesh-token-pod-gone",
        "duplicate-plugin",
        "installer-version-mismatch",
    };

    /// <summary>The mesh CNI a plugin type belongs to, when it is one.</summary>
    public static MeshCni? MeshOf(string? plugin) => plugin is null ? null : MeshCni.ForPlugin(plugin);

    /// <summary>True when fixing <paramref name="rule"/> about <paramref name="plugin"/> ends with a restart of the plugin's installer.</summary>
    public static bool Restarts(string rule, string? plugin) => RestartingRules.Contains(rule) && MeshOf(plugin) is not null;

    /// <summary>The installer's DaemonSet as the cluster facts name it (a pod's owner first, then the DaemonSet list); null when none is known.</summary>
    public static RemediationComponent? Find(string? plugin, IEnumerable<NodeClusterContext> contexts)
    {
        if (MeshOf(plugin) is not { } mesh) return null;
        RemediationComponent? fromList = null;
        foreach (var context in contexts)
        {
            foreach (var pod in mesh.PodsOn(context))
            {
                if (pod.Namespace is { } ns && pod.DaemonSet is { } ds) return new RemediationComponent(ns, ds);
            }
            if (fromList is null && mesh.DaemonSetIn(context) is { Namespace: { } dsNamespace, Name: { } dsName }) fromList = new RemediationComponent(dsNamespace, dsName);
        }
        return fromList;
    }

    /// <summary>True when the node's facts list a pod of <paramref name="component"/> on it.</summary>
    public static bool RunsOn(RemediationComponent component, NodeClusterContext context) =>
        context.Pods.Any(p => p.Namespace == component.Namespace && p.DaemonSet == component.DaemonSet);
}
