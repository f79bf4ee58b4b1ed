using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 8: nothing the runtime could load, so the node is NetworkNotReady.</summary>
public sealed class NoCniConfigRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "no-cni-config";

    /// <inheritdoc />
    public string Title => "The folder has no .conf, .conflist or .json file: the node cannot network any pod";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        if (primary.Status != PrimaryStatus.NoConfig) yield break;

        var backups = primary.Ignored.Where(i => i.Name.EndsWith(".cilium_bak", StringComparison.Ordinal)).Select(i => i.Name).ToArray();
        yield return new Finding
        {
            Rule = Id,
            Severity = Severity.Critical,
            Message = "No CNI network configuration: the runtime finds no .conf, .conflist or .json file",
            Explanation = "containerd/CRI-O load the first .conf, .conflist or .json file of the folder. There is none, so the node reports "
                + "NetworkReady=false (\"cni plugin not initialized\") and every new pod stays in ContainerCreating."
                + (backups.Length > 0 ? " Cilium's exclusive mode renamed configs to *.cilium_bak, which the runtime ignores." : ""),
            Remediation = backups.Length > 0
                ? $"Restart the Cilium pod on the node so it writes its conflist again, or rename {backups[0]} back to its original name after checking it; set cni.exclusive=false when chaining with another CNI."
                : "Restart the node's primary CNI pod (aws-node, then cilium when chaining) so its installer writes the configuration again, then check that new pods start.",
            Evidence =
            [
                .. input.Folder.Files.Count == 0 ? ["the folder is empty"] : primary.Ignored.Select(i => $"ignored: {i.Name} ({i.Reason})"),
                .. input.SandboxErrors(null, SandboxErrorClass.NetworkNotReady).SandboxEvidence(),
            ],
        };
    }
}
