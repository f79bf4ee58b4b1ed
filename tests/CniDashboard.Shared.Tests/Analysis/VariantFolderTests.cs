using CniDashboard.Shared.Analysis;

namespace CniDashboard.Shared.Tests.Analysis;

/// <summary>The fixture variants under Fixtures/variants, read from disk the way the agent reads a node.</summary>
public class VariantFolderTests
{
    private static AnalysisReport Analyze(string variant, NodeClusterContext? context) =>
        CniAnalyzer.Default.Analyze(Fixture.Node(Path.Combine("..", "variants", variant)), null, context, Scenario.IncidentTime);

    public static TheoryData<string, bool, Severity?, string[]> Variants => new()
    {
        { "aws-only", false, null, [] },
        { "cilium-exclusive", true, Severity.Warning, ["cilium-bak-leftover", "mesh-token-not-refreshed"] },
        { "wrapped-conf", false, Severity.Info, ["cni-version-mismatch", "mesh-token-not-refreshed"] },
        { "duplicate-linkerd", true, Severity.Warning, ["duplicate-plugin", "mesh-token-not-refreshed"] },
        { "istio-kubeconfig-gone", false, Severity.Critical, ["kubeconfig-missing"] },
        { "primary-invalid", true, Severity.Critical, ["mesh-token-not-refreshed", "primary-config-invalid"] },
        { "legacy-conf", true, Severity.Critical, ["cilium-config-missing", "installer-version-mismatch", "mesh-token-not-refreshed"] },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Variant_gives_its_findings(string variant, bool withContext, Severity? worst, string[] rules)
    {
        var report = Analyze(variant, withContext ? Scenario.HealthyContext : null);

        Assert.Equal(worst, report.Worst);
        Assert.Equal(rules, report.Findings.Select(f => f.Rule).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Aws_only_chain_is_the_aws_network()
    {
        var report = Analyze("aws-only", null);

        Assert.Equal("10-aws.conflist", report.Primary);
        Assert.Equal(["aws-cni", "egress-cni", "portmap"], report.Chain);
    }

    [Fact]
    public void Duplicate_fix_restores_the_reference_file()
    {
        var finding = Analyze("duplicate-linkerd", Scenario.HealthyContext).Findings.Single(f => f.Rule == "duplicate-plugin");

        Assert.Equal(Scenario.HealthyCilium, finding.Edit!.NewContent);
        Assert.Equal("/plugins/4", finding.JsonPointer);
    }

    [Fact]
    public void Istio_entry_without_its_kubeconfig_breaks_the_primary()
    {
        var finding = Analyze("istio-kubeconfig-gone", null).Findings.Single();

        Assert.Equal(("05-cilium.conflist", "istio-cni", "/plugins/4"), (finding.File, finding.Plugin, finding.JsonPointer));
    }

    [Fact]
    public void Truncated_primary_is_reported_with_its_position_and_the_file_that_would_load()
    {
        var finding = Analyze("primary-invalid", Scenario.HealthyContext).Findings.Single(f => f.Rule == "primary-config-invalid");

        Assert.Contains("(line ", finding.Message, StringComparison.Ordinal);
        Assert.Contains("10-aws.conflist would load", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_conf_sorting_first_is_deleted_by_its_fix()
    {
        var report = Analyze("legacy-conf", Scenario.HealthyContext);
        var finding = report.Findings.Single(f => f.Rule == "installer-version-mismatch");

        Assert.Equal("01-linkerd-cni.conf", report.Primary);
        Assert.Equal(["linkerd-cni"], report.Chain);
        Assert.Equal((FileEditKind.Delete, "01-linkerd-cni.conf"), (finding.Edit!.Kind, finding.Edit.File));
    }
}
