using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Questions most rules ask of an <see cref="AnalysisInput"/>, answered the same way everywhere.</summary>
internal static class RuleInput
{
    /// <summary>True when <paramref name="config"/> is the configuration the runtime uses.</summary>
    public static bool IsPrimary(this AnalysisInput input, NetworkConfigList config) =>
        input.Folder.Primary.Status == PrimaryStatus.Loaded && input.Folder.Primary.FileName == config.FileName;

    /// <summary>Every candidate configuration that loads, primary first.</summary>
    public static IReadOnlyList<NetworkConfigList> Configs(this AnalysisInput input) => input.ValidConfigs;

    /// <summary>The folder entry of a loaded configuration.</summary>
    public static CniFolderFile? FileOf(this AnalysisInput input, NetworkConfigList config) => input.Folder.Find(config.FileName);

    /// <summary>The primary chain's plugin types, or empty.</summary>
    public static IReadOnlyList<string> PrimaryChain(this AnalysisInput input) => input.Folder.Primary.ChainTypes;

    /// <summary>Folder entry a plugin's kubeconfig path names (in this folder), with the path as written.</summary>
    public static IEnumerable<(string Path, string EntryName)> KubeconfigEntries(this AnalysisInput input, PluginConfig plugin)
    {
        foreach (var reference in input.KubeconfigReferences)
        {
            if (ReferenceEquals(reference.Plugin, plugin) && reference.EntryName is { } name) yield return (reference.Path, name);
        }
    }

    /// <summary>Plugins in loaded configurations whose kubeconfig path names <paramref name="entryName"/>.</summary>
    public static IEnumerable<(NetworkConfigList Config, PluginConfig Plugin)> PluginsReading(this AnalysisInput input, string entryName)
    {
        PluginConfig? last = null;
        foreach (var reference in input.KubeconfigReferences)
        {
            // A plugin naming the same file twice is one reader.
            if (reference.EntryName != entryName || ReferenceEquals(reference.Plugin, last)) continue;
            last = reference.Plugin;
            yield return (reference.Config, reference.Plugin);
        }
    }

    /// <summary>Sandbox failures of the node naming a plugin type and (optionally) of one class.</summary>
    public static IEnumerable<ContextSandboxError> SandboxErrors(this AnalysisInput input, string? pluginType, SandboxErrorClass? errorClass = null) =>
        input.Context.SandboxErrors.Where(e =>
            (pluginType is null || string.Equals(e.PluginType, pluginType, StringComparison.Ordinal))
            && (errorClass is null || e.ErrorClass == errorClass));

    /// <summary>Evidence lines for sandbox failures.</summary>
    public static IEnumerable<string> SandboxEvidence(this IEnumerable<ContextSandboxError> errors) =>
        errors.Select(e => $"sandbox failures: {e.Count}× plugin {e.PluginType ?? "(unknown)"} {e.ErrorClass}" + (e.LastSeen is { } at ? $", last {at:u}" : ""));

    /// <summary>An evidence line for a pod.</summary>
    public static string Describe(ContextPod pod) =>
        $"pod {pod.Namespace}/{pod.Name}: {pod.Phase ?? "phase unknown"}, {(pod.Ready switch { true => "Ready", false => "not Ready", _ => "readiness unknown" })}"
        + (pod.Image is null ? "" : $", image {pod.Image}")
        + (pod.Uid is null ? "" : $", uid {pod.Uid}");

    /// <summary>An evidence line for a DaemonSet's rollout.</summary>
    public static string Describe(ContextDaemonSet ds) =>
        $"DaemonSet {ds.Namespace}/{ds.Name}: {ds.Updated?.ToString() ?? "?"}/{ds.Desired?.ToString() ?? "?"} updated, {ds.Ready?.ToString() ?? "?"} ready"
        + (ds.Image is null ? "" : $", image {ds.Image}");

    /// <summary>Where a plugin stands, for evidence: <c>05-cilium.conflist /plugins/4 (position 5 of 5)</c>.</summary>
    public static string Where(NetworkConfigList config, PluginConfig plugin) =>
        $"{config.FileName} {(plugin.JsonPointer.Length == 0 ? "(single plugin)" : plugin.JsonPointer)} (position {plugin.Index + 1} of {config.Plugins.Count})";

    /// <summary>Severity for a problem that breaks pods when its config is the primary and only threatens otherwise.</summary>
    public static Severity CriticalIfPrimary(this AnalysisInput input, NetworkConfigList config) =>
        input.IsPrimary(config) ? Severity.Critical : Severity.Warning;
}
