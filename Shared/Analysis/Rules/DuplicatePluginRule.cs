namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 4: one plugin type twice in a chain (an installer appended again without removing its old entry).</summary>
public sealed class DuplicatePluginRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "duplicate-plugin";

    /// <inheritdoc />
    public string Title => "The same plugin type appears more than once in a chain";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        foreach (var config in input.Configs())
        {
            foreach (var group in config.Plugins.GroupBy(p => p.Type, StringComparer.Ordinal))
            {
                var plugins = group.ToArray();
                if (plugins.Length < 2) continue;
                var primary = input.IsPrimary(config);
                var stale = plugins[..^1];
                var file = input.FileOf(config);
                var positions = string.Join(", ", plugins.Select(p => p.Index + 1));
                yield return new Finding
                {
                    Rule = Id,
                    Severity = primary ? Severity.Warning : Severity.Info,
                    File = config.FileName,
                    Plugin = group.Key,
                    JsonPointer = stale[0].JsonPointer,
                    Message = $"{group.Key} appears {plugins.Length} times in {config.FileName} (positions {positions})",
                    Explanation = $"The runtime runs every entry in order, so {group.Key} runs {plugins.Length} times for each pod"
                        + (primary ? " on this node" : " once this file is the primary")
                        + ". Installers append their entry last; the earlier ones are left over from an install whose cleanup did not run, "
                        + "and may carry settings or a token that no longer work.",
                    Remediation = $"Keep the last {group.Key} entry (position {plugins[^1].Index + 1}) and remove the earlier ones; the attached edit does that.",
                    Evidence = [.. plugins.Select(p => RuleInput.Where(config, p))],
                    Edit = file is null ? null : PluginRemoval.Remove(file, config, stale.Select(p => p.Index).ToArray(),
                        $"Remove the earlier {group.Key} entries (positions {string.Join(", ", stale.Select(p => p.Index + 1))}) from {config.FileName}"),
                };
            }
        }
    }
}
