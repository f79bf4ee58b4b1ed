using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>The first file's content could not be read (too large, a link out of the folder, a hard link, a named pipe, unreadable).</summary>
public sealed class PrimaryConfigUnreadableRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "primary-config-unreadable";

    /// <inheritdoc />
    public string Title => "The file the runtime loads first could not be read, so its chain cannot be checked";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        if (primary.Status != PrimaryStatus.Unknown || primary.FileName is null) yield break;
        var file = input.Folder.Find(primary.FileName);
        var why = file switch
        {
            { SymlinkLeavesFolder: true } => $"it is a symbolic link to {file.SymlinkTarget}, outside the folder; the runtime follows it but the agent does not",
            { ContentOmitted: ContentOmission.TooLarge } => $"it is {file.Size} bytes, over the agent's content cap; no real CNI config is that large",
            { ContentOmitted: ContentOmission.Binary } => "it is not UTF-8 text, so it cannot be a JSON configuration",
            { ContentOmitted: ContentOmission.HardLinked } => $"it has {file.LinkCount} hard links, so the agent withholds it (see hard-linked-file)",
            { SpecialKind: { } kind } => $"it is not a regular file but a {SpecialKindText(kind)}; the runtime would block or fail reading it, and the agent never opens it",
            _ => "the agent could not read it",
        };
        yield return new Finding
        {
            Rule = Id,
            Severity = Severity.Warning,
            File = primary.FileName,
            Message = $"{primary.FileName} sorts first but its content could not be read: {why}",
            Explanation = "The runtime uses the first .conf/.conflist/.json file in byte order. Without its content the chain, its plugins and "
                + "their kubeconfigs cannot be checked; if it does not load, the node has no network configuration.",
            Remediation = $"Inspect {primary.FileName} on the node; replace a link or an oversized/binary file with the real configuration, or remove it.",
            Evidence = [$"error: {primary.Error}"],
        };
    }

    private static string SpecialKindText(SpecialFileKind kind) => kind switch
    {
        SpecialFileKind.Fifo => "named pipe (FIFO)",
        SpecialFileKind.Socket => "socket",
        SpecialFileKind.CharacterDevice => "character device",
        SpecialFileKind.BlockDevice => "block device",
        _ => "special file",
    };
}
