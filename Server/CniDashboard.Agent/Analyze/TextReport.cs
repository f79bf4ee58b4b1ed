using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Analyze;

/// <summary>The report as a person reads it in a terminal: the folder, the chain, then findings worst first.</summary>
internal static class TextReport
{
    public static void Write(TextWriter output, AnalyzeOptions options, AnalysisReport report, DateTimeOffset now)
    {
        output.WriteLine($"CNI folder   {options.Dir}" + (options.HostCniDir == CniAnalyzer.DefaultHostCniDir ? "" : $" (host path {options.HostCniDir})"));
        output.WriteLine($"Judged at    {now:u}");
        output.WriteLine($"Primary      {report.Primary ?? "(none)"} ({Describe(report.PrimaryStatus)})");
        output.WriteLine($"Chain        {(report.Chain.Count == 0 ? "(none)" : string.Join(" → ", report.Chain))}");
        output.WriteLine();

        output.WriteLine("Files");
        var width = report.Files.Count == 0 ? 0 : report.Files.Max(f => f.Name.Length);
        if (report.Files.Count == 0) output.WriteLine("  (empty folder)");
        foreach (var file in report.Files)
        {
            var state = file.Primary ? "primary"
                : file.Valid == true ? "loads (not used)"
                : file.Valid == false ? $"does not load: {file.Error}"
                : file.Ignored is not null ? $"ignored: {file.Ignored}"
                : "";
            output.WriteLine($"  {(file.Primary ? '*' : ' ')} {file.Name.PadRight(width)}  {file.Size,8} B  {Kind(file.Kind),-10}  {state}".TrimEnd());
        }
        output.WriteLine();

        if (report.Findings.Count == 0)
        {
            output.WriteLine("No findings.");
        }
        else
        {
            var counts = string.Join(", ", report.Findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {Label(g.Key).ToLowerInvariant()}"));
            output.WriteLine($"Findings ({counts})");
            foreach (var finding in report.Findings) WriteFinding(output, finding);
        }

        output.WriteLine();
        output.WriteLine($"Result: {(report.Worst is { } worst ? Label(worst).ToLowerInvariant() : "clean")} (exit {AnalyzeCommand.ExitCodeOf(report)})");
    }

    private static void WriteFinding(TextWriter output, Finding finding)
    {
        output.WriteLine();
        var where = string.Join(" ", new[] { finding.File, finding.JsonPointer, finding.Plugin is null ? null : $"({finding.Plugin})" }.Where(s => !string.IsNullOrEmpty(s)));
        output.WriteLine($"{Label(finding.Severity),-8} {finding.Rule}{(where.Length == 0 ? "" : "  " + where)}");
        output.WriteLine($"  {finding.Message}");
        output.WriteLine($"  Why: {finding.Explanation}");
        output.WriteLine($"  Fix: {finding.Remediation}");
        if (finding.Evidence.Count > 0)
        {
            output.WriteLine("  Evidence:");
            foreach (var line in finding.Evidence) output.WriteLine($"    - {line}");
        }
        if (finding.Edit is { } edit)
        {
            var sha = edit.ExpectedSha256 is { Length: >= 12 } s ? $" (expects sha256 {s[..12]}…)" : "";
            output.WriteLine($"  Edit: {(edit.Kind == FileEditKind.Delete ? "delete" : "replace")} {edit.File}{sha}: {edit.Summary}");
        }
    }

    private static string Label(Severity severity) => severity switch
    {
        Severity.Critical => "CRITICAL",
        Severity.Warning => "WARNING",
        _ => "INFO",
    };

    private static string Kind(CniFileKind kind) => kind switch
    {
        CniFileKind.Config => "config",
        CniFileKind.Kubeconfig => "kubeconfig",
        _ => "other",
    };

    private static string Describe(PrimaryStatus status) => status switch
    {
        PrimaryStatus.Loaded => "loads",
        PrimaryStatus.Invalid => "DOES NOT LOAD: the node has no network configuration",
        PrimaryStatus.NoConfig => "no configuration file: the node has no network configuration",
        _ => "content unavailable",
    };
}
