using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 7: a plugin (or its IPAM plugin) in the primary chain has no executable in the bin folder.</summary>
public sealed class PluginBinaryMissingRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "plugin-binary-missing";

    /// <inheritdoc />
    public string Title => "A plugin in the primary chain has no binary in /opt/cni/bin";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        if (input.Binaries is null || input.Folder.Primary.Config is not { } config) yield break;
        var names = input.Binaries.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var plugin in config.Plugins)
        {
            var ipam = plugin.Json.TryGetProperty("ipam", out var i) ? JsonText.StringProperty(i, "type") : null;
            foreach (var (binary, role) in new[] { (plugin.Type, "plugin"), (ipam, "IPAM plugin") })
            {
                if (string.IsNullOrEmpty(binary) || names.Contains(binary)) continue;
                yield return new Finding
                {
                    Rule = Id,
                    Severity = Severity.Critical,
                    File = config.FileName,
                    Plugin = plugin.Type,
                    JsonPointer = role == "plugin" ? plugin.JsonPointer : $"{plugin.JsonPointer}/ipam/type",
                    Message = $"{role} {binary} (position {plugin.Index + 1} of {config.FileName}) has no binary in the CNI bin folder",
                    Explanation = $"The runtime executes /opt/cni/bin/{binary} for every pod; it is not there, so every new pod on the node fails with "
                        + $"\"failed to find plugin \\\"{binary}\\\" in path\". Its installer has not copied it yet, or it was uninstalled and left its entry.",
                    Remediation = $"Restart the pod of the CNI that ships {binary} so it installs the binary; if that CNI was removed, remove its entry from {config.FileName}.",
                    Evidence =
                    [
                        $"bin folder has: {(names.Count == 0 ? "(nothing)" : string.Join(", ", names.Order(StringComparer.Ordinal)))}",
                        .. input.SandboxErrors(binary, SandboxErrorClass.PluginNotFound).SandboxEvidence(),
                    ],
                };
            }
        }
    }
}
