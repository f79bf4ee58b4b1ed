namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// Failure mode 14: istio-cni keeps its kubeconfig in the CNI folder up to 1.23
/// (<c>ZZZ-istio-cni-kubeconfig</c>) and under <c>/var/run/istio-cni/</c> from 1.24.
/// </summary>
public sealed class IstioKubeconfigMisplacedRule : IAnalyzerRule
{
    private const string FolderKubeconfig = "ZZZ-istio-cni-kubeconfig";
    private const string RunDir = "/var/run/istio-cni/";
    private static readonly Version MovedIn = new(1, 24);

    /// <inheritdoc />
    public string Id => "istio-kubeconfig-misplaced";

    /// <inheritdoc />
    public string Title => "istio-cni's kubeconfig is in the wrong place for the running istio-cni version";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var mesh = MeshCni.Istio;
        var version = mesh.InstallerVersion(input.Context)?.Version;
        var newLayout = version is null ? (bool?)null : version >= MovedIn;
        var referencesInFolder = false;

        foreach (var config in input.Configs())
        {
            foreach (var plugin in config.Plugins.Where(p => p.Type == mesh.PluginType))
            {
                foreach (var path in plugin.KubeconfigPaths)
                {
                    var inFolder = KubeconfigLocator.EntryName(path, input.HostCniDir) is not null;
                    referencesInFolder |= inFolder;
                    var inRunDir = path.StartsWith(RunDir, StringComparison.Ordinal) || path.StartsWith("/run/istio-cni/", StringComparison.Ordinal);
                    if (newLayout is null || (newLayout.Value && !inFolder) || (!newLayout.Value && !inRunDir)) continue;
                    yield return new Finding
                    {
                        Rule = Id,
                        Severity = Severity.Warning,
                        File = config.FileName,
                        Plugin = plugin.Type,
                        JsonPointer = plugin.JsonPointer,
                        Message = $"istio-cni {version} should not read its kubeconfig from {path}",
                        Explanation = newLayout.Value
                            ? $"From 1.24 istio-cni writes its kubeconfig under {RunDir}; an entry pointing into the CNI folder was written by an older istio-cni and reads a token nobody refreshes."
                            : $"istio-cni before 1.24 writes {FolderKubeconfig} into the CNI folder; an entry pointing to {RunDir} was written by a newer istio-cni (a downgrade) and reads a file the running version does not maintain.",
                        Remediation = "Restart the istio-cni pod on this node so the running version rewrites its entry and kubeconfig; remove the stale entry if the pod cannot start.",
                        Evidence = [$"{RuleInput.Where(config, plugin)} reads {path}", $"running istio-cni: {version}"],
                    };
                }
            }
        }

        // The old kubeconfig left in the folder after moving to the new layout: a token on disk nobody uses or refreshes.
        if (input.Folder.Find(FolderKubeconfig) is { } leftover && !referencesInFolder && (newLayout == true || input.Configs().Any(c => c.ChainTypes.Contains(mesh.PluginType, StringComparer.Ordinal))))
        {
            yield return new Finding
            {
                Rule = Id,
                Severity = Severity.Info,
                File = leftover.Name,
                Plugin = mesh.PluginType,
                Message = $"{leftover.Name} is left in the CNI folder; no istio-cni entry reads it",
                Explanation = $"istio-cni 1.24+ keeps its kubeconfig under {RunDir}; this file, with its service-account token, is left over from an older version.",
                Remediation = $"Delete {leftover.Name} (the attached edit).",
                Evidence = version is null ? [] : [$"running istio-cni: {version}"],
                Edit = PluginRemoval.Delete(leftover, $"Delete the unused {leftover.Name}"),
            };
        }
    }
}
