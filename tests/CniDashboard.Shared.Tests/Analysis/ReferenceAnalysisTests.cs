using System.Security.Cryptography;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Shared.Tests.Analysis;

public class ReferenceAnalysisTests
{
    [Fact]
    public void Healthy_folder_with_its_context_has_nothing_above_info()
    {
        var report = Scenario.Healthy().Run();

        Assert.Equal("05-cilium.conflist", report.Primary);
        Assert.Equal(PrimaryStatus.Loaded, report.PrimaryStatus);
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], report.Chain);
        Assert.All(report.Findings, f => Assert.Equal(Severity.Info, f.Severity));
        Assert.True(report.Worst is null or Severity.Info);
        // The token is past warnafter at the incident time: worth knowing, not a problem.
        Assert.Equal(["mesh-token-not-refreshed"], report.Findings.Select(f => f.Rule));
    }

    [Fact]
    public void Healthy_folder_with_binaries_is_still_clean()
    {
        var report = (Scenario.Healthy() with { Binaries = Scenario.AllBinaries }).Run();
        Assert.All(report.Findings, f => Assert.Equal(Severity.Info, f.Severity));
    }

    [Fact]
    public void Incident_folder_with_its_context_is_critical_on_the_cilium_conflist_linkerd_entry()
    {
        var report = Scenario.Incident().Run();

        Assert.Equal(Severity.Critical, report.Worst);
        var critical = Assert.Single(report.Findings, f => f.Severity == Severity.Critical);
        Assert.Equal("mesh-token-pod-gone", critical.Rule);
        Assert.Equal("05-cilium.conflist", critical.File);
        Assert.Equal("linkerd-cni", critical.Plugin);
        Assert.Equal("/plugins/4", critical.JsonPointer);
        Assert.Contains(Fixture.IncidentTokenPod, critical.Message, StringComparison.Ordinal);
        Assert.Contains(critical.Evidence, e => e.Contains(Fixture.IncidentLivePod, StringComparison.Ordinal) && e.Contains("not Ready", StringComparison.Ordinal));
        Assert.Contains(critical.Evidence, e => e.Contains("27× plugin linkerd-cni Unauthorized", StringComparison.Ordinal));
        Assert.Contains(critical.Evidence, e => e.Contains("2/3 updated", StringComparison.Ordinal));
        Assert.Contains($"delete pod linkerd-cni/{Fixture.IncidentLivePod}", critical.Remediation, StringComparison.Ordinal);
        // Findings come worst first.
        Assert.Same(critical, report.Findings[0]);

        var other = Assert.Single(report.Findings, f => f.Rule == "mesh-token-pod-gone" && f.File == "10-aws.conflist");
        Assert.Equal(Severity.Warning, other.Severity);
    }

    [Fact]
    public void Incident_fix_removes_exactly_the_linkerd_object_and_loads()
    {
        var report = Scenario.Incident().Run();
        var original = Fixture.Text("nodes/incident/05-cilium.conflist");
        var config = CniConfigParser.Load("05-cilium.conflist", original).Config!;

        var edit = report.Findings.Single(f => f.Severity == Severity.Critical).Edit!;

        Assert.Equal(FileEditKind.Replace, edit.Kind);
        Assert.Equal("05-cilium.conflist", edit.File);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Fixture.PathOf("nodes/incident/05-cilium.conflist")))), edit.ExpectedSha256);
        // Every other byte as before: the object, one comma and the whitespace between are gone.
        Assert.Equal(original[..config.Plugins[3].Span.End] + original[config.Plugins[4].Span.End..], edit.NewContent);
        var fixedConfig = CniConfigParser.Load("05-cilium.conflist", edit.NewContent!).Config!;
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni"], fixedConfig.ChainTypes);
        Assert.EndsWith("\"log-file\": \"/var/run/cilium/cilium-cni.log\"\n    }\n  ]\n}", edit.NewContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Applying_the_incident_fix_clears_the_critical_finding()
    {
        var report = Scenario.Incident().Run();
        var fixedFiles = report.Findings.Where(f => f.Rule == "mesh-token-pod-gone").Select(f => f.Edit!)
            .Select(e => KeyValuePair.Create(e.File, e.NewContent!))
            .Append(KeyValuePair.Create("ZZZ-linkerd-cni-kubeconfig", Scenario.IncidentKubeconfig));

        var after = new Scenario(Fixture.Folder(fixedFiles), Scenario.IncidentContext).Run();

        Assert.DoesNotContain(after.Findings, f => f.Severity == Severity.Critical);
        // linkerd-cni is now missing from the chain until its pod re-installs it: said, as a warning at most.
        Assert.DoesNotContain(after.Findings, f => f.Rule == "mesh-token-pod-gone");
    }

    [Fact]
    public void Incident_files_alone_look_healthy()
    {
        var report = Scenario.Incident(withContext: false).Run();

        Assert.DoesNotContain(report.Findings, f => f.Severity > Severity.Info);
    }

    [Fact]
    public void Report_lists_every_file_with_its_role()
    {
        var report = Scenario.Healthy().Run();

        Assert.Equal(["05-cilium.conflist", "10-aws.conflist", "ZZZ-linkerd-cni-kubeconfig"], report.Files.Select(f => f.Name));
        Assert.True(report.Files[0].Primary);
        Assert.Equal(true, report.Files[1].Valid);
        Assert.Null(report.Files[2].Valid);
        Assert.Contains("kubeconfig", report.Files[2].Ignored, StringComparison.Ordinal);
    }

    [Fact]
    public void No_finding_carries_the_token()
    {
        var token = Kubeconfig.KubeconfigReaderTests.TokenOf(Scenario.IncidentKubeconfig);
        var report = Scenario.Incident().Run();

        foreach (var finding in report.Findings)
        {
            var all = string.Join("\n", [finding.Message, finding.Explanation, finding.Remediation, .. finding.Evidence, finding.Edit?.NewContent ?? ""]);
            Assert.DoesNotContain(token, all, StringComparison.Ordinal);
            Assert.True(TokenRedactor.ContainsNoJwt(all));
        }
    }

    [Fact]
    public void Host_cni_dir_maps_bottlerocket_admin_paths_to_the_folder()
    {
        var scenario = Scenario.Incident() with { HostCniDir = "/.bottlerocket/rootfs/etc/cni/net.d" };

        var report = scenario.Run();

        Assert.Contains(report.Findings, f => f.Rule == "mesh-token-pod-gone" && f.Severity == Severity.Critical);
        Assert.DoesNotContain(report.Findings, f => f.Rule == "kubeconfig-missing");
    }

    [Fact]
    public void Other_host_cni_dir_does_not_match_etc_paths()
    {
        var scenario = Scenario.Healthy() with { HostCniDir = "/var/lib/cni/net.d" };

        var report = scenario.Run();

        // The plugin names /etc/cni/net.d/...: a folder elsewhere cannot hold it, so nothing claims it is missing either.
        Assert.DoesNotContain(report.Findings, f => f.Rule == "kubeconfig-missing");
    }
}
