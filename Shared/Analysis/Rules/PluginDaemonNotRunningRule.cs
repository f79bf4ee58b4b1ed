using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// A plugin in the primary chain whose node daemon is not running on the node: <c>cilium-cni</c> without a
/// Ready Cilium agent, <c>aws-cni</c> without aws-node, <c>calico</c> without calico-node, <c>istio-cni</c>
/// without istio-cni-node. This is what an uninstall that leaves its conflist behind looks like: every
/// new pod's ADD reaches a plugin whose daemon is gone. Judged only for DaemonSets whose pods the context
/// lists in full (<see cref="NodeClusterContext.WatchedDaemonSets"/> or <see cref="NodeClusterContext.DaemonSets"/>).
/// </summary>
public sealed class PluginDaemonNotRunningRule : IAnalyzerRule
{
    /// <summary>Plugin type → the DaemonSet whose pod on the node the plugin talks to.</summary>
    public static IReadOnlyDictionary<string, string> Daemons { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cilium-cni"] = "cilium",
        ["aws-cni"] = "aws-node",
        ["calico"] = "calico-node",
        ["istio-cni"] = "istio-cni-node",
    };

    /// <inheritdoc />
    public string Id => "plugin-daemon-not-running";

    /// <inheritdoc />
    public string Title => "A plugin in the primary chain needs a node daemon that is not running on the node";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        if (primary.Status != PrimaryStatus.Loaded || primary.FileName is null) yield break;
        var config = input.Folder.Loaded.GetValueOrDefault(primary.FileName)?.Config;
        if (config is null) yield break;

        var context = input.Context;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var plugin in config.Plugins)
        {
            if (!Daemons.TryGetValue(plugin.Type, out var daemon) || !reported.Add(plugin.Type)) continue;
            if (!IsWatched(context, daemon)) continue;
            var pods = context.Pods.Where(p => string.Equals(p.DaemonSet, daemon, StringComparison.Ordinal)).ToArray();
            if (pods.Any(p => p.Ready == true)) continue;

            var unreachable = input.SandboxErrors(plugin.Type, SandboxErrorClass.DaemonUnreachable).ToArray();
            var daemonSet = context.DaemonSets.FirstOrDefault(d => string.Equals(d.Name, daemon, StringComparison.Ordinal));
            var state = pods.Length == 0
                ? daemonSet is null ? $"no {daemon} DaemonSet in the cluster and no {daemon} pod on the node" : $"no {daemon} pod on the node"
                : $"its {daemon} pod is not Ready";
            yield return new Finding
            {
                Rule = Id,
                Severity = unreachable.Length > 0 ? Severity.Critical : Severity.Warning,
                File = config.FileName,
                Plugin = plugin.Type,
                JsonPointer = plugin.JsonPointer.Length == 0 ? null : plugin.JsonPointer,
                Message = $"{plugin.Type} is in the primary chain but {state}" + (unreachable.Length > 0 ? ": sandboxes fail to reach it" : ""),
                Explanation = $"{plugin.Type} hands every pod's network setup to the {daemon} agent on the node. "
                    + (pods.Length == 0
                        ? $"With no {daemon} pod here, the plugin has nothing to talk to: this is how an uninstall that left its conflist behind looks, or a node the DaemonSet no longer schedules on. "
                        : $"Its pod here is not Ready, so the agent is starting, crashing or failing its checks. ")
                    + (unreachable.Length > 0
                        ? "Sandbox errors on the node say the plugin cannot reach its daemon: new pods get no network now."
                        : "New pods will fail as soon as the plugin is asked to reach it."),
                Remediation = pods.Length == 0
                    ? daemonSet is null
                        ? $"If {daemon} was uninstalled on purpose, remove {plugin.Type} from {config.FileName} (or the file, if it is {daemon}'s own), then restart the remaining CNI pods on the node; otherwise reinstall it."
                        : $"Find why the {daemon} DaemonSet has no pod on this node (node selector, taints, eviction) and get one scheduled."
                    : $"Look at the {daemon} pod on this node (kubectl describe, its logs) and fix what keeps it from becoming Ready.",
                Evidence =
                [
                    RuleInput.Where(config, plugin),
                    .. pods.Length == 0 ? [$"no pod of DaemonSet {daemon} on the node"] : pods.Select(RuleInput.Describe),
                    .. daemonSet is null ? [] : new[] { RuleInput.Describe(daemonSet) },
                    .. unreachable.SandboxEvidence(),
                ],
            };
        }
    }

    private static bool IsWatched(NodeClusterContext context, string daemon) =>
        context.WatchedDaemonSets.Contains(daemon, StringComparer.Ordinal)
        || context.DaemonSets.Any(d => string.Equals(d.Name, daemon, StringComparison.Ordinal));
}
