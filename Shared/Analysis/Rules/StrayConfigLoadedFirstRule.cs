using System.Text.RegularExpressions;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// Failure mode 15: a backup or temp copy whose name still ends in .conf/.conflist/.json sorts first, so
/// the runtime loads it instead of the real configuration.
/// </summary>
public sealed partial class StrayConfigLoadedFirstRule : IAnalyzerRule
{
    // 10-aws.conflist.bak.conflist, 05-cilium.orig.conflist, backup-10-aws.conflist, 10-aws.conflist~.json, copy-of-…, .dpkg-old…
    [GeneratedRegex(@"\.(?:conf|conflist|json)\.|(?:^|[._~-])(?:bak|backup|orig|old|save|sav|tmp|temp|swp|copy|dpkg-\w+|rpmnew|rpmsave)(?:[._~-]|$)|~", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 100)]
    private static partial Regex StrayName();

    /// <inheritdoc />
    public string Id => "stray-config-loaded-first";

    /// <inheritdoc />
    public string Title => "A backup or temp file with a config extension sorts first and is what the runtime loads";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        if (primary.FileName is not { } name || input.Folder.Find(name) is not { } file) yield break;
        bool stray;
        try
        {
            // The stem plus a dot, so "10-aws.conflist.json" shows its inner ".conflist." too.
            stray = StrayName().IsMatch(name[..^Path.GetExtension(name).Length] + ".");
        }
        catch (RegexMatchTimeoutException)
        {
            yield break;
        }
        if (!stray) yield break;

        var next = primary.Candidates.Skip(1).FirstOrDefault(n => input.Folder.Loaded.GetValueOrDefault(n)?.IsValid == true);
        yield return new Finding
        {
            Rule = Id,
            Severity = Severity.Warning,
            File = name,
            Message = $"{name} looks like a backup or temp copy, and it is the file the runtime loads",
            Explanation = "The runtime loads the first .conf/.conflist/.json file in byte order, whatever its name says. A copy saved while editing "
                + (primary.Status == PrimaryStatus.Loaded ? "is loaded instead of the real configuration, with whatever (possibly outdated) chain it holds." : "that does not load leaves the node with no network configuration.")
                + (next is null ? "" : $" Without it the runtime would load {next}."),
            Remediation = next is null
                ? $"Move {name} out of the folder (keep backups elsewhere) after making sure a real configuration is in place."
                : $"Delete {name} (the attached edit) or move it out of the folder; {next} then becomes the primary.",
            Evidence = [$"load order: {string.Join(", ", primary.Candidates)}", .. primary.Config is { } c ? [$"its chain: {string.Join(", ", c.ChainTypes)}"] : Array.Empty<string>()],
            Edit = next is null ? null : PluginRemoval.Delete(file, $"Delete the stray {name}"),
        };
    }
}
