using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// A file of the folder has more than one hard link, so the agent withholds its content: the other
/// name may be any file on the same file system (a hard link to a host secret is how content from
/// outside the folder could be read through the agent).
/// </summary>
public sealed class HardLinkedFileRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "hard-linked-file";

    /// <inheritdoc />
    public string Title => "A file of the folder has more than one hard link, so its content is withheld";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        foreach (var file in input.Folder.Files)
        {
            if (file.ContentOmitted != ContentOmission.HardLinked) continue;
            var loaded = file.Kind == CniFileKind.Config;
            var isPrimary = file.Name == input.Folder.Primary.FileName;
            yield return new Finding
            {
                Rule = Id,
                Severity = loaded || file.Kind == CniFileKind.Kubeconfig ? Severity.Warning : Severity.Info,
                File = file.Name,
                Message = $"{file.Name} has {file.LinkCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "several"} hard links; its content is withheld",
                Explanation = "A hard link is a second name for the same file, and the other name can be anywhere on the node's file system: "
                    + "a hard link in the CNI folder to a host file would let its content be read through the agent. The agent therefore lists "
                    + "such a file but neither reads, hashes nor rewrites it. "
                    + (isPrimary
                        ? "It is the file the runtime loads, so the node's chain cannot be checked."
                        : loaded ? "The runtime still loads it normally if it sorts first." : "The runtime does not load it as a network configuration."),
                Remediation = $"On the node, find the other name (`find / -xdev -samefile /etc/cni/net.d/{file.Name}`); if {file.Name} belongs in the folder, "
                    + $"replace it with a copy of its own (`cp --remove-destination` of its content), otherwise remove it.",
                Evidence = [$"link count: {file.LinkCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "more than 1"}", $"size: {file.Size} bytes"],
            };
        }
    }
}
