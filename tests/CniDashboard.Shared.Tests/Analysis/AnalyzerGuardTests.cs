using CniDashboard.Shared.Analysis;

namespace CniDashboard.Shared.Tests.Analysis;

public class AnalyzerGuardTests
{
    private sealed class ThrowingRule(bool afterFirst) : IAnalyzerRule
    {
        public string Id => "throwing-rule";
        public string Title => "throws";

        public IEnumerable<Finding> Evaluate(AnalysisInput input)
        {
            if (afterFirst)
            {
                yield return new Finding { Rule = Id, Severity = Severity.Critical, Message = "m", Explanation = "e", Remediation = "r" };
            }
            throw new InvalidOperationException("boom");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_throwing_rule_becomes_an_info_finding_and_the_others_still_run(bool afterFirst)
    {
        var analyzer = new CniAnalyzer([new ThrowingRule(afterFirst), .. AnalyzerRules.All]);

        var report = analyzer.Analyze(Scenario.Incident().Files, null, Scenario.IncidentContext, Scenario.IncidentTime);

        var error = Assert.Single(report.Findings, f => f.Rule == AnalyzerRules.AnalyzerErrorId);
        Assert.Equal(Severity.Info, error.Severity);
        Assert.Contains("throwing-rule", error.Message, StringComparison.Ordinal);
        // A rule that fails half-way contributes nothing half-made.
        Assert.DoesNotContain(report.Findings, f => f.Rule == "throwing-rule");
        Assert.Contains(report.Findings, f => f.Rule == "mesh-token-pod-gone" && f.Severity == Severity.Critical);
    }

    [Fact]
    public void Default_analyzer_has_every_rule()
    {
        Assert.Equal(AnalyzerRules.All.Select(r => r.Id), CniAnalyzer.Default.Rules.Select(r => r.Id));
    }
}
