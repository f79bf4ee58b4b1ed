namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// Failure mode 5: a plugin names a kubeconfig in the CNI folder that is not there, or names it by a
/// path that exists only inside Bottlerocket's admin container (<c>/.bottlerocket/rootfs/...</c>).
/// </summary>
public sealed class KubeconfigMissingRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "kubeconfig-missing";

    /// <inheritdoc />
    public string Title => "A plugin's kubeconfig file is missing from the CNI folder (or named by an admin-container path)";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        foreach (var (config, plugin, path, entry) in input.KubeconfigReferences)
        {
            if (entry is not { } entryName) continue;
            var present = input.Folder.Find(entryName) is { IsDirectory: false };
            var bottlerocket = KubeconfigLocator.IsBottlerocketPath(path);
            if (present && !bottlerocket) continue;
            var primary = input.IsPrimary(config);
            var hostPath = bottlerocket ? path[KubeconfigLocator.BottlerocketRoot.Length..] : path;
            yield return new Finding
            {
                Rule = Id,
                Severity = input.CriticalIfPrimary(config),
                File = config.FileName,
                Plugin = plugin.Type,
                JsonPointer = plugin.JsonPointer,
                Message = present
                    ? $"{plugin.Type} in {config.FileName} reads {path}, a path that exists only inside Bottlerocket's admin container"
                    : $"{plugin.Type} in {config.FileName} reads {path}, which is not in the folder",
                Explanation = $"{plugin.Type} loads this kubeconfig to call the API server for every pod; the runtime runs it on the host, where "
                    + (present
                        ? $"{KubeconfigLocator.BottlerocketRoot} does not exist (it is where the admin container mounts the host root), so the file is not found even though {entryName} is in the folder."
                        : "the file does not exist.")
                    + (primary ? " The plugin is in the chain the runtime uses: every new pod on the node fails to get a sandbox." : " It fails once this file becomes the primary."),
                Remediation = present
                    ? $"Change the path in {config.FileName} to {hostPath} (edits made from the admin container must use host paths), or restart the {plugin.Type} pod so its installer rewrites the entry."
                    : $"Restart the {plugin.Type} pod on this node so its installer writes {entryName} again; if the CNI was uninstalled, remove its entry from {config.FileName}.",
                Evidence = [$"{RuleInput.Where(config, plugin)} reads {path}", $"folder entries: {string.Join(", ", input.Folder.Files.Select(f => f.Name))}"],
            };
        }
    }
}
