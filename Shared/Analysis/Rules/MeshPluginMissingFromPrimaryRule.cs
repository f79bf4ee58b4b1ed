namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 3: the mesh CNI runs, but the chain the runtime uses does not include its plugin.</summary>
public sealed class MeshPluginMissingFromPrimaryRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "mesh-plugin-missing-from-primary";

    /// <inheritdoc />
    public string Title => "A mesh CNI is deployed but its plugin is not in the primary chain";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        if (primary.Config is null) yield break;
        foreach (var mesh in MeshCni.All)
        {
            if (primary.ChainTypes.Contains(mesh.PluginType, StringComparer.Ordinal)) continue;
            var elsewhere = input.Configs().Where(c => !input.IsPrimary(c) && c.ChainTypes.Contains(mesh.PluginType, StringComparer.Ordinal)).ToArray();
            var deployed = mesh.IsDeployed(input.Context);
            // The cluster says the mesh is up; or, without cluster facts, the mesh patched other files but not the primary.
            if (!(deployed ? mesh.IsReady(input.Context) : elsewhere.Length > 0)) continue;

            yield return new Finding
            {
                Rule = Id,
                Severity = Severity.Warning,
                File = primary.FileName,
                Plugin = mesh.PluginType,
                Message = $"{mesh.PluginType} is {(deployed ? "deployed and Ready" : "in other conflists")} but not in {primary.FileName}, the chain the runtime uses",
                Explanation = $"Pods on this node get their network from {primary.FileName} ({string.Join(" → ", primary.ChainTypes)}), which does not run {mesh.PluginType}. "
                    + "Meshed pods start without the traffic redirection the mesh CNI sets up: their traffic bypasses the proxy, or the mesh's network "
                    + "validator fails them. This happens when another installer (Cilium, aws-node) rewrote the primary after the mesh CNI patched it.",
                Remediation = $"Restart the {mesh.PluginType} pod on this node so its installer patches the current primary again; if this keeps happening, check which installer rewrites {primary.FileName}.",
                Evidence =
                [
                    $"primary chain: {string.Join(", ", primary.ChainTypes)}",
                    .. elsewhere.Select(c => $"{c.FileName} has {mesh.PluginType} at position {c.ChainTypes.ToList().IndexOf(mesh.PluginType) + 1}"),
                    .. mesh.PodsOn(input.Context).Select(RuleInput.Describe),
                ],
            };
        }
    }
}
