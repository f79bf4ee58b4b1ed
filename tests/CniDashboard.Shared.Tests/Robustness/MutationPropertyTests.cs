using System.Text;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Shared.Sandbox;
using CniDashboard.Shared.Tests.Analysis;

namespace CniDashboard.Shared.Tests.Robustness;

/// <summary>
/// Thousands of damaged files through every entry point: each must return a typed result, never throw,
/// never let a rule fail, and never let the seeds' token (or its payload or signature) through redaction. Seeded, so a failure names the
/// seed and iteration that reproduce it.
/// </summary>
public class MutationPropertyTests
{
    private const int Iterations = 1500;

    private static readonly (string Name, byte[] Bytes)[] Seeds =
    [
        ("05-cilium.conflist", Encoding.UTF8.GetBytes(Scenario.HealthyCilium)),
        ("10-aws.conflist", Encoding.UTF8.GetBytes(Fixture.Text("nodes/incident/10-aws.conflist"))),
        ("ZZZ-linkerd-cni-kubeconfig", Encoding.UTF8.GetBytes(Scenario.IncidentKubeconfig)),
        ("01-legacy.conf", Encoding.UTF8.GetBytes("""{"cniVersion":"0.3.0","name":"k8s-pod-network","type":"linkerd-cni","kubernetes":{"kubeconfig":"/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig"}}""")),
    ];

    private static readonly string[] Messages = Fixture.Text("events/messages.txt").Split('\n');

    [Theory]
    [InlineData(1)]
    [InlineData(20261120)]
    public void Mutated_files_always_give_typed_results(int seed)
    {
        var mutator = new Mutator(seed);
        var random = new Random(seed);
        var context = Scenario.IncidentContext;
        var healthy = Fixture.Node("healthy");

        for (var i = 0; i < Iterations; i++)
        {
            var (name, original) = Seeds[random.Next(Seeds.Length)];
            var bytes = mutator.Mutate(original);
            var where = $"seed {seed}, iteration {i}, mutation {mutator.LastMutation}, file {name}";
            var text = random.Next(4) == 0 ? Encoding.Latin1.GetString(bytes) : Encoding.UTF8.GetString(bytes);

            CheckParser(name, text, where);
            CheckParser(Path.ChangeExtension(name, random.Next(2) == 0 ? ".conf" : ".conflist"), text, where);

            // That the reader returned at all proves only that it did not throw (text that is not a
            // kubeconfig reads as no facts and no error); what it returns must never carry the token.
            var kubeconfig = KubeconfigReader.Read(text);
            AssertNoTokenPart(kubeconfig.ToString(), $"{where}: kubeconfig facts");

            // The sandbox parser always classifies, and a plugin it names is one the message names.
            var message = i % 3 == 0 ? text : Messages[random.Next(Messages.Length)] + text[..Math.Min(text.Length, 300)];
            var failure = SandboxErrorParser.Parse(message);
            Assert.True(Enum.IsDefined(failure.ErrorClass), where);
            Assert.True(failure.PluginType is null || message.Contains(failure.PluginType, StringComparison.Ordinal), $"{where}: plugin {failure.PluginType} not in the message");

            // Redaction is judged against the token itself, not against the redactor's own idea of one.
            var file = CniFolderReader.FromBytes(name, bytes);
            if (file.Content is { } content) AssertNoTokenPart(content, $"{where}: redacted content");

            var files = healthy.Where(f => f.Name != name).Append(file).OrderBy(f => f.Name, Utf8OrdinalComparer.Instance).ToArray();
            var report = CniAnalyzer.Default.Analyze(files, Scenario.AllBinaries, context, Scenario.IncidentTime);
            Assert.True(report.Files.Count == files.Length, where);
            var errors = report.Findings.Where(f => f.Rule == AnalyzerRules.AnalyzerErrorId).Select(f => f.Message).ToArray();
            Assert.True(errors.Length == 0, $"{where}: {string.Join("; ", errors)}");
            foreach (var edit in report.Findings.Select(f => f.Edit).OfType<FileEdit>().Where(e => e.Kind == FileEditKind.Replace))
            {
                Assert.True(CniConfigParser.Load(edit.File, edit.NewContent!).IsValid, $"{where}: edit of {edit.File} does not load");
            }
        }
    }

    /// <summary>The reference token of the seeds, and its payload and signature segments (its header is shared by every token of that issuer).</summary>
    private static readonly string[] TokenParts = TokenPartsOf(Scenario.IncidentKubeconfig);

    private static string[] TokenPartsOf(string kubeconfig)
    {
        var token = Kubeconfig.KubeconfigReaderTests.TokenOf(kubeconfig);
        var segments = token.Split('.');
        Assert.Equal(3, segments.Length);
        return [token, segments[1], segments[2]];
    }

    private static void AssertNoTokenPart(string text, string where)
    {
        foreach (var part in TokenParts)
        {
            Assert.False(text.Contains(part, StringComparison.Ordinal), $"{where}: holds {(part == TokenParts[0] ? "the token" : "a segment of the token")}");
        }
    }

    private static void CheckParser(string name, string text, string where)
    {
        var result = CniConfigParser.Load(name, text);
        Assert.True(result.IsValid == (result.Error is null), where);
        if (result.Config is not { } config) return;
        foreach (var plugin in config.Plugins)
        {
            Assert.True(plugin.Span.Start >= 0 && plugin.Span.End <= text.Length, $"{where}: span out of range");
            Assert.False(string.IsNullOrEmpty(plugin.Type), where);
        }
    }

    [Fact]
    public void Ten_mebibyte_config_loads_and_ten_mebibyte_garbage_fails_cleanly()
    {
        var big = new string('x', 10 * 1024 * 1024);
        var valid = $$"""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge","note":"{{big}}"},{"type":"portmap"}]}""";

        var result = CniConfigParser.Load("00-big.conflist", valid);
        Assert.True(result.IsValid);
        Assert.Equal(["bridge", "portmap"], result.Config!.ChainTypes);

        var garbage = new byte[10 * 1024 * 1024];
        new Random(7).NextBytes(garbage);
        Assert.False(CniConfigParser.Load("00-garbage.conflist", Encoding.UTF8.GetString(garbage)).IsValid);
        Assert.NotNull(KubeconfigReader.Read(Encoding.Latin1.GetString(garbage)).Error);
        Assert.Equal(SandboxErrorClass.Other, SandboxErrorParser.Parse(Encoding.Latin1.GetString(garbage)).ErrorClass);
    }

    [Fact]
    public void Ten_mebibyte_file_on_disk_is_listed_without_content_and_analyzed()
    {
        using var dir = new TempDir();
        dir.Write("00-huge.conflist", new byte[10 * 1024 * 1024]);
        dir.Write("05-cilium.conflist", Scenario.HealthyCilium);

        var files = CniFolderReader.Read(dir.Path);
        var report = CniAnalyzer.Default.Analyze(files, null, null, Scenario.IncidentTime);

        Assert.Equal(ContentOmission.TooLarge, files[0].ContentOmitted);
        Assert.Equal(PrimaryStatus.Unknown, report.PrimaryStatus);
        Assert.Contains(report.Findings, f => f.Rule == "primary-config-unreadable");
    }

    [Fact]
    public void Ten_thousand_deep_nesting_is_refused_everywhere_without_overflowing_the_stack()
    {
        var arrays = new string('[', 10_000) + new string(']', 10_000);
        var objects = string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000);

        foreach (var deep in new[] { arrays, objects })
        {
            var asPlugin = $"{{\"name\":\"n\",\"plugins\":[{{\"type\":\"a\",\"x\":{deep}}}]}}";
            Assert.Equal(ConfigErrorCode.TooDeep, CniConfigParser.Load("a.conflist", asPlugin).Error!.Code);
            Assert.Equal(ConfigErrorCode.TooDeep, CniConfigParser.Load("a.conflist", deep).Error!.Code);
            Assert.NotNull(KubeconfigReader.Read("clusters: " + deep).Error);
            Assert.NotNull(SandboxErrorParser.Parse(deep).ErrorText);

            var report = CniAnalyzer.Default.Analyze([CniFolderReader.FromText("00-deep.conflist", asPlugin), .. Fixture.Node("healthy")], null, Scenario.IncidentContext, Scenario.IncidentTime);
            Assert.Equal(PrimaryStatus.Invalid, report.PrimaryStatus);
            Assert.Contains(report.Findings, f => f.Rule == "primary-config-invalid" && f.Severity == Severity.Critical);
        }
    }

    [Fact]
    public void Symlinks_and_special_entries_in_a_real_folder_never_break_the_analyzer()
    {
        using var dir = new TempDir();
        var cni = dir.Sub("net.d");
        File.WriteAllText(Path.Combine(cni, "05-cilium.conflist"), Scenario.HealthyCilium);
        File.CreateSymbolicLink(Path.Combine(cni, "00-passwd.conflist"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(cni, "01-loop.conflist"), Path.Combine(cni, "01-loop.conflist"));
        File.CreateSymbolicLink(Path.Combine(cni, "ZZZ-linkerd-cni-kubeconfig"), "../outside-kubeconfig");
        Directory.CreateDirectory(Path.Combine(cni, "02-dir.conf"));

        var files = CniFolderReader.Read(cni);
        var report = CniAnalyzer.Default.Analyze(files, null, Scenario.IncidentContext, Scenario.IncidentTime);

        Assert.Equal(5, report.Files.Count);
        Assert.Equal("00-passwd.conflist", report.Primary);
        Assert.Equal(PrimaryStatus.Unknown, report.PrimaryStatus);
        Assert.DoesNotContain(report.Findings, f => f.Rule == AnalyzerRules.AnalyzerErrorId);
        Assert.All(files.Where(f => f.IsSymlink && f.Name != "01-loop.conflist"), f => Assert.Null(f.Content));
    }
}

public class HostileFolderTests
{
    private static string ManyPlugins(int count, Func<int, string> plugin) =>
        "{\n  \"cniVersion\": \"0.4.0\",\n  \"name\": \"aws-cni\",\n  \"plugins\": [\n    {\"type\": \"aws-cni\"},\n    "
        + string.Join(",\n    ", Enumerable.Range(0, count).Select(plugin)) + "\n  ]\n}\n";

    [Fact]
    public void Thousands_of_stale_entries_are_one_finding_whose_fix_removes_them_all()
    {
        var conflist = ManyPlugins(2000, _ => "{\"type\": \"linkerd-cni\", \"kubernetes\": {\"kubeconfig\": \"/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig\"}}");
        var files = Fixture.Folder(("05-cilium.conflist", conflist), ("ZZZ-linkerd-cni-kubeconfig", Scenario.IncidentKubeconfig));

        var report = CniAnalyzer.Default.Analyze(files, null, Scenario.IncidentContext, Scenario.IncidentTime);

        var finding = Assert.Single(report.Findings, f => f.Rule == "mesh-token-pod-gone");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(["aws-cni"], CniConfigParser.Load("05-cilium.conflist", finding.Edit!.NewContent!).Config!.ChainTypes);
        Assert.True(report.Findings.Count(f => f.Rule == "duplicate-plugin") == 1);
    }

    [Fact]
    public void Findings_per_rule_are_capped_with_a_note()
    {
        var conflist = ManyPlugins(500, i => $"{{\"type\": \"linkerd-cni\", \"kubernetes\": {{\"kubeconfig\": \"/etc/cni/net.d/missing-{i}\"}}}}");

        var report = CniAnalyzer.Default.Analyze(Fixture.Folder(("05-cilium.conflist", conflist)), null, null, Scenario.IncidentTime);

        var missing = report.Findings.Where(f => f.Rule == "kubeconfig-missing").ToArray();
        Assert.Equal(CniAnalyzer.MaxFindingsPerRule + 1, missing.Length);
        Assert.Equal(CniAnalyzer.MaxFindingsPerRule, missing.Count(f => f.Severity == Severity.Critical));
        Assert.Contains(missing, f => f.Severity == Severity.Info && f.Message.StartsWith("More kubeconfig-missing findings", StringComparison.Ordinal));
    }
}
