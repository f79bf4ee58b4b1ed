using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis;

/// <summary>Runs every rule over a node's folder. Thread-safe; never throws on bad input.</summary>
public sealed class CniAnalyzer
{
    /// <summary>The host path plugin configs reference when nothing else is known.</summary>
    public const string DefaultHostCniDir = "/etc/cni/net.d";

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
            findings.AddRange(rule.Evaluate(input));
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
