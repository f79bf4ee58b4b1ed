using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>The CNI spec versions libcni knows.</summary>
internal static class CniVersions
{
    public static readonly string[] Supported = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    public static bool IsSupported(string version) => Supported.Contains(version, StringComparer.Ordinal);
}

/// <summary>Failure mode 9: a cniVersion no runtime or plugin understands.</summary>
public sealed class CniVersionUnsupportedRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "cni-version-unsupported";

    /// <inheritdoc />
    public string Title => "A configuration declares a cniVersion the CNI spec does not define";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        foreach (var config in input.Configs())
        {
            if (config.CniVersion is not { } version || CniVersions.IsSupported(version)) continue;
            yield return new Finding
            {
                Rule = Id,
                Severity = input.CriticalIfPrimary(config),
                File = config.FileName,
                JsonPointer = "/cniVersion",
                Message = $"{config.FileName} declares cniVersion \"{version}\", which is not a CNI spec version",
                Explanation = $"Plugins refuse a configuration whose version they do not support (\"incompatible CNI versions\"), so "
                    + (input.IsPrimary(config) ? "every new pod on the node fails at the first plugin of the chain." : "this file breaks pods once it becomes the primary.")
                    + $" Known versions: {string.Join(", ", CniVersions.Supported)}.",
                Remediation = "Set cniVersion to the version the CNI that owns the file writes (0.4.0 or 1.0.0 for the AWS VPC CNI and Cilium chaining) or restart its installer pod.",
                Evidence = [$"cniVersion: {version}"],
            };
        }
    }
}

/// <summary>Failure mode 9: versions that disagree, between a plugin and its list or as reported by a plugin that rejected them.</summary>
public sealed class CniVersionMismatchRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "cni-version-mismatch";

    /// <inheritdoc />
    public string Title => "A plugin rejects the chain's cniVersion, or declares a different one";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary.Config;
        if (primary is not null)
        {
            foreach (var group in input.SandboxErrors(null, SandboxErrorClass.IncompatibleVersion).GroupBy(e => e.PluginType, StringComparer.Ordinal))
            {
                var plugin = primary.Plugins.FirstOrDefault(p => p.Type == group.Key);
                if (plugin is null) continue;
                yield return new Finding
                {
                    Rule = Id,
                    Severity = Severity.Critical,
                    File = primary.FileName,
                    Plugin = plugin.Type,
                    JsonPointer = "/cniVersion",
                    Message = $"{plugin.Type} rejects cniVersion {primary.CniVersion ?? "(none)"} of {primary.FileName}",
                    Explanation = $"Sandbox failures on this node say {plugin.Type} does not support the configuration's version, so it fails for every new pod. "
                        + "This happens when another installer raised the list's cniVersion (for example to 1.1.0) past what this plugin's binary supports.",
                    Remediation = $"Upgrade {plugin.Type} to a release that supports cniVersion {primary.CniVersion}, or set cniVersion in {primary.FileName} to one both support (the error lists them).",
                    Evidence = [$"cniVersion: {primary.CniVersion ?? "(none)"}", .. group.SandboxEvidence()],
                };
            }
        }

        foreach (var config in input.Configs())
        {
            if (config.Role != Cni.CniFileRole.ConfigList || config.CniVersion is null) continue;
            foreach (var plugin in config.Plugins)
            {
                if (plugin.CniVersion is null || plugin.CniVersion == config.CniVersion) continue;
                yield return new Finding
                {
                    Rule = Id,
                    Severity = Severity.Info,
                    File = config.FileName,
                    Plugin = plugin.Type,
                    JsonPointer = plugin.JsonPointer + "/cniVersion",
                    Message = $"{plugin.Type} in {config.FileName} declares cniVersion {plugin.CniVersion}; the list declares {config.CniVersion}",
                    Explanation = "The runtime passes the list's cniVersion to every plugin and ignores a plugin's own, so the plugin runs with "
                        + $"{config.CniVersion}. The difference shows the entry was written for another version of the file, often by another installer.",
                    Remediation = "Nothing breaks today; remove the plugin's own cniVersion or make it match to avoid confusion.",
                    Evidence = [RuleInput.Where(config, plugin)],
                };
            }
        }
    }
}
