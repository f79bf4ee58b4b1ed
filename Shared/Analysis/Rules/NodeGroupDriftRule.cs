namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// The node's primary file or chain differs from what most nodes of its node group run (a plugin
/// missing, an extra one, a different primary): nodes built from one template that silently diverged,
/// e.g. one that lost <c>aws-cni</c> from its chain. The majority comes with the context
/// (<see cref="NodeClusterContext.NodeGroup"/>, computed by <see cref="NodeGroupMajority"/>).
/// </summary>
public sealed class NodeGroupDriftRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "node-group-drift";

    /// <inheritdoc />
    public string Title => "The node's primary file or chain differs from what most nodes of its node group run";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        if (input.Context.NodeGroup is not { Majority: > 0 } majority) yield break;
        var primary = input.Folder.Primary;
        var chain = primary.ChainTypes;
        if (NodeGroupMajority.Matches(majority, primary.FileName, chain)) yield break;

        var differences = Differences(majority, primary.FileName, chain);
        var group = majority.Name ?? "its node group";
        yield return new Finding
        {
            Rule = Id,
            Severity = Severity.Warning,
            File = primary.FileName,
            Message = $"{string.Join("; ", differences)}, unlike {majority.Majority} of {majority.Nodes} nodes of {group}",
            Explanation = $"Nodes of one node group come from one template and run the same CNI configuration: {majority.Majority} of the {majority.Nodes} nodes of {group} "
                + $"load {majority.Primary ?? "no file"} with {ChainText(majority.Chain)}. This node does not, so its pods are set up differently from the rest of the group's: "
                + "an installer that failed or ran twice here, a hand edit, or an uninstall that did not finish on this node.",
            Remediation = $"Compare the node with the baseline of {group} (node page → Compare → baseline), then restart the CNI DaemonSet pod that owns the differing entry on this node, "
                + "or fix the file by hand if no installer owns it.",
            Evidence =
            [
                $"this node: {primary.FileName ?? "no primary"}: {ChainText(chain)}",
                $"{majority.Majority} of {majority.Nodes} nodes of {group}: {majority.Primary ?? "no primary"}: {ChainText(majority.Chain)}",
            ],
        };
    }

    /// <summary>What differs, in words: the primary, then plugins missing and extra (counted), else the order.</summary>
    private static List<string> Differences(ContextNodeGroup majority, string? primary, IReadOnlyList<string> chain)
    {
        var result = new List<string>();
        if (!string.Equals(majority.Primary, primary, StringComparison.Ordinal))
            result.Add($"primary is {primary ?? "none"}, not {majority.Primary ?? "none"}");

        var extra = chain.ToList();
        var missing = new List<string>();
        foreach (var plugin in majority.Chain)
        {
            if (!extra.Remove(plugin)) missing.Add(plugin);
        }

        if (missing.Count > 0) result.Add($"{string.Join(", ", missing)} missing from the chain");
        if (extra.Count > 0) result.Add($"extra {string.Join(", ", extra)} in the chain");
        if (missing.Count == 0 && extra.Count == 0 && !majority.Chain.SequenceEqual(chain, StringComparer.Ordinal))
            result.Add("the chain's order differs");
        return result;
    }

    private static string ChainText(IReadOnlyList<string> chain) => chain.Count == 0 ? "no chain" : string.Join(" → ", chain);
}
