using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Tests.Analysis;

public class RuleTests
{
    public static TheoryData<string> CaseNames => new(RuleCases.All().Select(c => c.ToString()));

    private static RuleCases.Case Find(string name) => RuleCases.All().Single(c => c.ToString() == name);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rule_fires_or_stays_silent(string caseName)
    {
        var @case = Find(caseName);
        var report = @case.Build().Run();
        var findings = report.Findings.Where(f => f.Rule == @case.Rule).ToArray();

        if (@case.Expected is null)
        {
            Assert.Empty(findings);
            return;
        }

        Assert.NotEmpty(findings);
        var worst = findings.MaxBy(f => f.Severity)!;
        Assert.Equal(@case.Expected, worst.Severity);
        if (@case.File is not null) Assert.Equal(@case.File, worst.File);
        if (@case.Plugin is not null) Assert.Equal(@case.Plugin, worst.Plugin);
        Assert.All(findings, f =>
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Message));
            Assert.False(string.IsNullOrWhiteSpace(f.Explanation));
            Assert.False(string.IsNullOrWhiteSpace(f.Remediation));
            Assert.NotEmpty(f.Evidence);
            if (f.File is not null) Assert.Contains(report.Files, file => file.Name == f.File);
        });
        Assert.DoesNotContain(report.Findings, f => f.Rule == AnalyzerRules.AnalyzerErrorId);
    }

    [Fact]
    public void Every_rule_has_a_firing_and_a_silent_case()
    {
        var cases = RuleCases.All().ToArray();
        foreach (var rule in AnalyzerRules.All)
        {
            Assert.Contains(cases, c => c.Rule == rule.Id && c.Expected is not null);
            Assert.Contains(cases, c => c.Rule == rule.Id && c.Expected is null);
        }
        Assert.All(cases, c => Assert.Contains(AnalyzerRules.All, r => r.Id == c.Rule));
    }

    [Fact]
    public void Rule_ids_are_unique_stable_kebab_case()
    {
        var ids = AnalyzerRules.All.Select(r => r.Id).ToArray();

        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)+$", id));
        Assert.All(AnalyzerRules.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Title)));
        Assert.DoesNotContain(AnalyzerRules.AnalyzerErrorId, ids);
    }

    [Fact]
    public void Replace_edits_load_and_delete_edits_name_a_file_with_its_hash()
    {
        foreach (var @case in RuleCases.All().Where(c => c.Expected is not null))
        {
            var scenario = @case.Build();
            foreach (var finding in scenario.Run().Findings.Where(f => f.Edit is not null))
            {
                var edit = finding.Edit!;
                var file = scenario.Files.Single(f => f.Name == edit.File);
                Assert.Equal(file.Sha256, edit.ExpectedSha256);
                if (edit.Kind == FileEditKind.Replace)
                {
                    var result = CniConfigParser.Load(edit.File, edit.NewContent!);
                    Assert.True(result.IsValid, $"{@case}: {result.Error}");
                    Assert.True(result.Config!.Plugins.Count < CniConfigParser.Load(edit.File, file.Content!).Config!.Plugins.Count);
                }
                else
                {
                    Assert.Null(edit.NewContent);
                }
            }
        }
    }

    [Fact]
    public void Duplicate_fix_keeps_the_last_entry()
    {
        var scenario = RuleCases.All().Single(c => c.Name == "linkerd-cni twice in the primary").Build();
        var edit = scenario.Run().Findings.Single(f => f.Rule == "duplicate-plugin").Edit!;

        Assert.Equal(Scenario.HealthyCilium, edit.NewContent);
    }

    [Fact]
    public void Stray_copy_fix_is_a_delete()
    {
        var scenario = RuleCases.All().Single(c => c.Name == "backup copy sorts first").Build();
        var finding = scenario.Run().Findings.Single(f => f.Rule == "stray-config-loaded-first");

        Assert.Equal(FileEditKind.Delete, finding.Edit!.Kind);
        Assert.Equal("00-backup-05-cilium.conflist", finding.Edit.File);
        Assert.Contains("05-cilium.conflist", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Conflist_saved_as_conf_gets_a_rename_hint()
    {
        var scenario = RuleCases.All().Single(c => c.Name == "conflist saved as .conf sorts first").Build();
        var finding = scenario.Run().Findings.Single(f => f.Rule == "primary-config-invalid");

        Assert.Contains("Rename it to .conflist", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("05-cilium.conflist would load", finding.Explanation, StringComparison.Ordinal);
    }
}
