using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 8: the first file fails to load, and the runtime does not fall through to the next one.</summary>
public sealed class PrimaryConfigInvalidRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "primary-config-invalid";

    /// <inheritdoc />
    public string Title => "The file the runtime loads first does not load: the node has no working network config";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        if (primary.Status != PrimaryStatus.Invalid || primary.FileName is null || primary.Error is null) yield break;

        var next = primary.Candidates.Skip(1).FirstOrDefault(n => input.Folder.Loaded.GetValueOrDefault(n)?.IsValid == true);
        var hint = Hint(primary.Error, input.Folder.Find(primary.FileName));
        yield return new Finding
        {
            Rule = Id,
            Severity = Severity.Critical,
            File = primary.FileName,
            Message = $"{primary.FileName} sorts first and does not load: {primary.Error}",
            Explanation = $"The runtime loads only the first .conf/.conflist/.json file in byte order. {primary.FileName} fails to load, and the runtime "
                + "does not fall back to the next file, so the node reports NetworkReady=false (\"cni plugin not initialized\") and no new pod gets a network."
                + (next is null ? "" : $" {next} would load, but the runtime never reaches it.")
                + (hint is null ? "" : " " + hint),
            Remediation = next is null
                ? $"Fix {primary.FileName} (see the error position), or restart the CNI pod that owns it so its installer rewrites it."
                : $"Fix {primary.FileName}, or remove it if it is not meant to be there so that {next} becomes the primary; then check that new pods start.",
            Evidence = [$"error: {primary.Error}", $"load order: {string.Join(", ", primary.Candidates)}"],
        };
    }

    private static string? Hint(ConfigLoadError error, CniFolderFile? file) => error.Code switch
    {
        ConfigErrorCode.ConfMissingType when file?.Content?.Contains("\"plugins\"", StringComparison.Ordinal) == true =>
            "It holds a plugin list but is named .conf: the runtime reads .conf as a single plugin and finds no \"type\". Rename it to .conflist.",
        ConfigErrorCode.EmptyPlugins => "An empty \"plugins\" list usually means an installer removed its entry and left nothing.",
        ConfigErrorCode.MissingName => "A conflist must have a \"name\".",
        ConfigErrorCode.TooDeep => "The JSON nests deeper than any real CNI configuration.",
        ConfigErrorCode.NotText => "The file is binary or not UTF-8.",
        ConfigErrorCode.BrokenLink => "It is a symbolic link to nothing: the runtime lists links by their own name and type, so it tries this one and fails.",
        ConfigErrorCode.NotAFile => "It is a symbolic link to a directory: the runtime skips real directories, but lists a link by its own type and fails to read it.",
        _ => null,
    };
}
