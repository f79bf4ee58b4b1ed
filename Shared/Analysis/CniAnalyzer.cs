using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis;

/// <summary>Runs every rule over a node's folder. Thread-safe; never throws on bad input.</summary>
public sealed class CniAnalyzer
{
    /// <summary>The host path plugin configs reference when nothing else is known.</summary>
    public const string DefaultHostCniDir = "/etc/cni/net.d";

    /// <summary>Most findings listed per rule and folder.</summary>
    public const int MaxFindingsPerRule = 50;

    /// <summary>An analyzer with every rule of <see cref="AnalyzerRules.All"/>.</summary>
    public static CniAnalyzer Default { get; } = new(AnalyzerRules.All);

    /// <summary>Creates an analyzer with the given rules.</summary>
    public CniAnalyzer(IEnumerable<IAnalyzerRule> rules) => Rules = rules.ToArray();

    /// <summary>The rules, in evaluation order.</summary>
    public IReadOnlyList<IAnalyzerRule> Rules { get; }

    /// <summary>Analyzes a folder listing.</summary>
    public AnalysisReport Analyze(
        IReadOnlyList<CniFolderFile> files,
        IReadOnlyList<PluginBinary>? binaries,
        NodeClusterContext? context,
        DateTimeOffset now,
        string hostCniDir = DefaultHostCniDir) =>
        Analyze(new AnalysisInput(CniFolder.Read(files), binaries, context ?? new NodeClusterContext(), now, hostCniDir));

    /// <summary>Analyzes a prepared input.</summary>
    public AnalysisReport Analyze(AnalysisInput input)
    {
        var findings = new List<Finding>();
        foreach (var rule in Rules)
        {
            var before = findings.Count;
            try
            {
                // A hostile folder (thousands of entries) must not make thousands of findings, each with an edit.
                findings.AddRange(rule.Evaluate(input).Take(MaxFindingsPerRule + 1));
                if (findings.Count - before > MaxFindingsPerRule)
                {
                    var dropped = findings[^1];
                    findings.RemoveAt(findings.Count - 1);
                    findings.Add(new Finding
                    {
                        Rule = rule.Id,
                        Severity = Severity.Info,
                        Message = $"More {rule.Id} findings than the {MaxFindingsPerRule} listed",
                        Explanation = "This folder produced more findings of one rule than the analyzer lists; the first ones are shown.",
                        Remediation = "Fix the listed findings and analyze again to see the rest.",
                        Evidence = [$"first one not listed: {dropped.Message}"],
                    });
                }
            }
            catch (Exception ex)
            {
                // A rule bug must not hide the other rules' findings or crash the caller (agent, dashboard, CI).
                findings.RemoveRange(before, findings.Count - before);
                findings.Add(new Finding
                {
                    Rule = AnalyzerRules.AnalyzerErrorId,
                    Severity = Severity.Info,
                    Message = $"Rule {rule.Id} could not evaluate this folder ({ex.GetType().Name})",
                    Explanation = "The analyzer hit an unexpected condition in one rule; the other rules ran normally. The folder may hold input this rule does not handle.",
                    Remediation = "Report it with the folder's content (tokens are redacted); the findings of this rule are missing until then.",
                    Evidence = [$"rule: {rule.Id}", $"error: {ex.GetType().FullName}"],
                });
            }
        }

        var primary = input.Folder.Primary;
        return new AnalysisReport
        {
            Primary = primary.FileName,
            PrimaryStatus = primary.Status,
            Chain = primary.ChainTypes,
            Files = input.Folder.Files.Select(f => Describe(f, input.Folder)).ToArray(),
            Findings = findings.OrderByDescending(f => f.Severity).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Rule, StringComparer.Ordinal).ToArray(),
        };
    }

    private static AnalyzedFile Describe(CniFolderFile file, CniFolder folder)
    {
        var loaded = CniFileNames.IsCandidate(file.Name) ? folder.Loaded.GetValueOrDefault(file.Name) : null;
        return new AnalyzedFile
        {
            Name = file.Name,
            Kind = file.Kind,
            Size = file.Size,
            Sha256 = file.Sha256,
            Primary = file.Name == folder.Primary.FileName,
            Valid = loaded?.IsValid,
            Error = loaded?.Error?.ToString(),
            Ignored = folder.Primary.Ignored.FirstOrDefault(i => i.Name == file.Name)?.Reason,
        };
    }
}
