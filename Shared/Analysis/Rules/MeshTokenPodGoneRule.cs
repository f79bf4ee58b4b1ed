using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// Failure mode 1, the incident: a plugin entry (linkerd-cni, istio-cni) whose kubeconfig token is bound
/// to a pod that no longer runs on the node. Kubernetes revoked that token with the pod, so the plugin's
/// API calls fail with Unauthorized on every ADD.
/// </summary>
public sealed class MeshTokenPodGoneRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "mesh-token-pod-gone";

    /// <inheritdoc />
    public string Title => "A chained plugin's kubeconfig token is bound to a pod that no longer runs on the node";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var stale = new List<Stale>();
        foreach (var (config, plugin, path, entry) in input.KubeconfigReferences)
        {
            if (entry is not { } entryName || input.Folder.Find(entryName)?.Kubeconfig?.Token is not { PodName: { } tokenPod } claims) continue;
            var mesh = MeshCni.ForPlugin(plugin.Type);
            var livePods = (mesh?.PodsOn(input.Context) ?? input.Context.Pods.Where(p => p.Namespace == claims.Namespace)).ToArray();
            var daemonSet = mesh?.DaemonSetIn(input.Context);
            // Without the node's pods for this CNI we cannot tell a live token from a revoked one.
            if (livePods.Length == 0 && daemonSet is null) continue;
            if (livePods.Any(p => p.Name == tokenPod && (p.Uid is null || claims.PodUid is null || p.Uid == claims.PodUid))) continue;
            stale.Add(new Stale(config, plugin, path, entryName, claims, livePods, daemonSet));
        }

        // One finding per file and plugin type: the fix removes every stale entry of that plugin from the file.
        foreach (var group in stale.GroupBy(s => (s.Config, s.Plugin.Type)))
        {
            var entries = group.DistinctBy(s => s.Plugin.Index).ToArray();
            var (config, type) = group.Key;
            var first = entries[0];
            var (claims, livePods, daemonSet) = (first.Claims, first.LivePods, first.DaemonSet);
            var tokenPod = claims.PodName;
            var primary = input.IsPrimary(config);
            var live = livePods.FirstOrDefault();
            var file = input.FileOf(config);
            var where = entries.Length == 1 ? $"the {type} object at {first.Plugin.JsonPointer}" : $"the {entries.Length} {type} objects ({string.Join(", ", entries.Select(e => e.Plugin.JsonPointer))})";
            yield return new Finding
            {
                Rule = Id,
                Severity = primary ? Severity.Critical : Severity.Warning,
                File = config.FileName,
                Plugin = type,
                JsonPointer = first.Plugin.JsonPointer,
                Message = $"{type} in {config.FileName} uses a token bound to pod {tokenPod}, which no longer runs on this node",
                Explanation = $"{first.EntryName} holds a service-account token bound to pod {claims.Namespace}/{tokenPod}. Kubernetes revokes such a token when "
                    + $"its pod is deleted, so {type} gets Unauthorized from the API server. "
                    + (primary
                        ? $"{config.FileName} is the configuration the runtime uses and {type} is at position {first.Plugin.Index + 1} of its chain, so every new pod on the node fails to get a sandbox"
                          + (live is null ? "." : $", including the replacement {live.Name}, which therefore cannot re-install a fresh entry.")
                        : $"{config.FileName} is not the primary today, but it becomes the primary if the files before it go away.")
                    + " This is what an interrupted linkerd-cni upgrade leaves behind (cleanup of cni-plugin v1.6.0/v1.6.1 did not remove its entry).",
                Remediation = $"Remove {where} from {config.FileName} (the attached edit does exactly that, leaving every other byte), "
                    + (live is null ? $"then restart the {type} pod on this node" : $"then delete pod {live.Namespace}/{live.Name} so its DaemonSet recreates it")
                    + "; it re-installs its entry with a fresh token. Check that new pods get a sandbox, then do the next node.",
                Evidence =
                [
                    .. entries.Select(e => $"{RuleInput.Where(config, e.Plugin)} reads {e.Path}"),
                    $"token pod: {claims.Namespace}/{tokenPod}" + (claims.PodUid is null ? "" : $" (uid {claims.PodUid})"),
                    .. livePods.Length == 0 ? [$"no {type} pod runs on the node"] : livePods.Select(RuleInput.Describe),
                    .. daemonSet is { } ds && (ds.Updated < ds.Desired || ds.Ready < ds.Desired) ? [RuleInput.Describe(ds) + " (rollout stuck)"] : Array.Empty<string>(),
                    .. input.SandboxErrors(type, SandboxErrorClass.Unauthorized).SandboxEvidence(),
                ],
                Edit = file is null ? null : PluginRemoval.Remove(file, config, entries.Select(e => e.Plugin.Index).ToArray(), $"Remove {where} from {config.FileName}"),
            };
        }
    }

    private sealed record Stale(
        Cni.NetworkConfigList Config, Cni.PluginConfig Plugin, string Path, string EntryName,
        Kubeconfig.TokenClaims Claims, ContextPod[] LivePods, ContextDaemonSet? DaemonSet);
}
