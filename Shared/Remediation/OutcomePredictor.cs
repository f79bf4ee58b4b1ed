using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// Predicts what the analyzer will say about a node once its edits are made: the folder is changed in
/// memory (each replaced file described exactly as the agent would describe those bytes, each deleted
/// file left out) and analyzed with the same cluster facts and clock.
/// </summary>
public static class OutcomePredictor
{
    /// <summary>The folder as it will be after <paramref name="edits"/> (files not edited are the same instances).</summary>
    public static IReadOnlyList<CniFolderFile> Apply(IReadOnlyList<CniFolderFile> files, IReadOnlyList<PlannedEdit> edits)
    {
        var result = files.ToList();
        foreach (var edit in edits)
        {
            var index = result.FindIndex(f => f.Name == edit.File);
            if (index < 0) continue;
            if (edit.Kind == FileEditKind.Delete)
            {
                result.RemoveAt(index);
                continue;
            }
            // The bytes the agent will write, described as it describes a file: the reviewed content
            // (never redacted: an edit is only made of content that held no secret), its size and hash.
            // How it loads is the analysis's own business (CniFolder.Read parses it once there).
            var old = result[index];
            result[index] = old with
            {
                Content = edit.NewContent,
                Size = System.Text.Encoding.UTF8.GetByteCount(edit.NewContent!),
                Sha256 = edit.NewSha256,
                LoadError = CniConfigParser.Load(edit.File, edit.NewContent!).Error,
            };
        }
        return result;
    }

    /// <summary>Compares the analysis before with the analysis of the edited folder; also returns that folder, as the runtime would read it.</summary>
    public static (PredictedOutcome Outcome, CniFolder Folder) Predict(CniAnalyzer analyzer, PlanNodeInput node, AnalysisReport before, IReadOnlyList<PlannedEdit> edits, DateTimeOffset now)
    {
        var folder = CniFolder.Read(Apply(node.Files, edits));
        var after = analyzer.Analyze(new AnalysisInput(folder, node.Binaries, node.Context, now, node.HostCniDir));
        var old = FindingSet.ByKey(before.Findings);
        var fresh = FindingSet.ByKey(after.Findings);
        var resolved = new List<PredictedFinding>();
        var introduced = new List<PredictedFinding>();
        var remaining = new List<PredictedFinding>();
        foreach (var (key, finding) in old)
        {
            if (!fresh.ContainsKey(key)) resolved.Add(PredictedFinding.Of(finding));
        }
        foreach (var (key, finding) in fresh)
        {
            // A finding that gets worse counts as introduced: a warning that becomes critical is new harm.
            if (!old.TryGetValue(key, out var was) || finding.Severity > was.Severity) introduced.Add(PredictedFinding.Of(finding));
            else remaining.Add(PredictedFinding.Of(finding));
        }
        return (new PredictedOutcome
        {
            Resolved = resolved,
            Introduced = introduced,
            Remaining = remaining,
            PrimaryBefore = before.Primary,
            PrimaryAfter = after.Primary,
            PrimaryStatusAfter = after.PrimaryStatus,
            ChainBefore = before.Chain,
            ChainAfter = after.Chain,
        }, folder);
    }
}
