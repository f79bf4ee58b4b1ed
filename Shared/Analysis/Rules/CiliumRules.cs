using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>What the context and the files say about Cilium on the node.</summary>
internal static class Cilium
{
    public const string PluginType = "cilium-cni";
    public const string BackupSuffix = ".cilium_bak";

    public static bool Runs(NodeClusterContext context) =>
        context.Pods.Any(p => p.DaemonSet == "cilium" || (p.DaemonSet is null && p.Name?.StartsWith("cilium-", StringComparison.Ordinal) == true && !p.Name.StartsWith("cilium-operator", StringComparison.Ordinal)))
        || context.DaemonSets.Any(d => d.Name == "cilium");

    public static bool? Exclusive(NodeClusterContext context) =>
        context.CiliumConfig.TryGetValue("cni-exclusive", out var value) && bool.TryParse(value?.Trim(), out var b) ? b : null;

    /// <summary>True when a mesh CNI is there by the files or the cluster.</summary>
    public static MeshCni? Mesh(AnalysisInput input) =>
        MeshCni.All.FirstOrDefault(m => m.IsDeployed(input.Context) || m.IsInFolder(input.Folder));
}

/// <summary>Failure mode 10: configs renamed to <c>*.cilium_bak</c> by Cilium's exclusive mode.</summary>
public sealed class CiliumBakLeftoverRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "cilium-bak-leftover";

    /// <inheritdoc />
    public string Title => "A configuration was renamed to *.cilium_bak by Cilium's exclusive mode";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var mesh = Cilium.Mesh(input);
        foreach (var file in input.Folder.Files)
        {
            if (!file.Name.EndsWith(Cilium.BackupSuffix, StringComparison.Ordinal)) continue;
            var original = file.Name[..^Cilium.BackupSuffix.Length];
            var backup = input.Folder.Loaded.GetValueOrDefault(file.Name)?.Config;
            yield return new Finding
            {
                Rule = Id,
                Severity = mesh is null ? Severity.Info : Severity.Warning,
                File = file.Name,
                Message = $"{file.Name}: Cilium renamed {original} out of the runtime's sight",
                Explanation = "With cni.exclusive=true (the Helm default) Cilium renames every other CNI configuration to *.cilium_bak so only its own file loads. "
                    + "The runtime ignores the renamed file, so if Cilium's file goes away the node has no configuration"
                    + (mesh is null ? "." : $", and {mesh.PluginType}, which patches configurations in place, fights Cilium over the folder; Linkerd's and Cilium's docs require cni.exclusive=false when chaining."),
                Remediation = $"Set cni.exclusive=false in Cilium's Helm values when chaining. Then restore {original} from the backup after checking its content, or restart the pod that writes it (aws-node for 10-aws.conflist).",
                Evidence = [$"renamed file: {file.Name}" + (backup is null ? "" : $" ({string.Join(", ", backup.ChainTypes)})"), .. Cilium.Exclusive(input.Context) is { } ex ? [$"cilium-config cni-exclusive: {ex.ToString().ToLowerInvariant()}"] : Array.Empty<string>()],
            };
        }
    }
}

/// <summary>Failure mode 10: Cilium exclusive mode configured while a mesh CNI is deployed.</summary>
public sealed class CiliumExclusiveWithMeshRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "cilium-exclusive-with-mesh";

    /// <inheritdoc />
    public string Title => "Cilium runs with cni.exclusive=true while a mesh CNI is deployed";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        if (Cilium.Exclusive(input.Context) != true || Cilium.Mesh(input) is not { } mesh) yield break;
        yield return new Finding
        {
            Rule = Id,
            Severity = Severity.Warning,
            Plugin = mesh.PluginType,
            Message = $"Cilium's cni-exclusive is true while {mesh.PluginType} is deployed",
            Explanation = $"In exclusive mode Cilium renames other CNI configurations to *.cilium_bak and rewrites its own file without the {mesh.PluginType} entry "
                + "whenever it restarts; the mesh CNI then re-patches it. Between the two, pods start without the mesh plugin or with a stale entry.",
            Remediation = "Set cni.exclusive=false in Cilium's Helm values (cilium-config key cni-exclusive) and restart Cilium pods node by node.",
            Evidence = ["cilium-config cni-exclusive: true", .. mesh.PodsOn(input.Context).Select(RuleInput.Describe)],
        };
    }
}

/// <summary>Failure mode 11: Cilium runs but the primary does not chain cilium-cni, so pods get networking without Cilium.</summary>
public sealed class CiliumConfigMissingRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "cilium-config-missing";

    /// <inheritdoc />
    public string Title => "Cilium runs but the primary chain has no cilium-cni entry";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        if (primary.Config is null || primary.ChainTypes.Contains(Cilium.PluginType, StringComparer.Ordinal)) yield break;
        var ciliumFiles = input.Folder.Files.Where(f => CniFileNames.IsCandidate(f.Name) && f.Name.Contains("cilium", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (!Cilium.Runs(input.Context) && ciliumFiles.Length == 0) yield break;

        var withCilium = input.Configs().FirstOrDefault(c => c.ChainTypes.Contains(Cilium.PluginType, StringComparer.Ordinal));
        var state = withCilium is not null
            ? $"{withCilium.FileName} chains cilium-cni but sorts after {primary.FileName}"
            : ciliumFiles.Length > 0 ? $"{ciliumFiles[0].Name} has no cilium-cni entry or does not load" : "no configuration chains cilium-cni";
        yield return new Finding
        {
            Rule = Id,
            Severity = Severity.Warning,
            File = primary.FileName,
            Plugin = Cilium.PluginType,
            Message = $"Cilium runs but the runtime uses {primary.FileName}, which has no cilium-cni: {state}",
            Explanation = $"In aws-cni chaining Cilium writes 05-cilium.conflist (a copy of the aws-cni network plus cilium-cni) so it sorts before 10-aws.conflist. "
                + $"Without it the runtime falls back to {primary.FileName}: pods still get an address, but Cilium does not see them, so network policies are not enforced "
                + "and Cilium's endpoints are missing.",
            Remediation = "Restart the Cilium pod on this node so it writes its conflist again; check the cilium agent's logs for why it did not.",
            Evidence = [$"primary chain: {string.Join(", ", primary.ChainTypes)}", $"load order: {string.Join(", ", primary.Candidates)}"],
        };
    }
}
