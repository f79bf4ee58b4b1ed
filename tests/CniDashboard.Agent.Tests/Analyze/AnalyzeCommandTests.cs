using System.Text;
using System.Text.Json;
using CniDashboard.Agent.Analyze;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Agent.Tests.Analyze;

public sealed class AnalyzeCommandTests : IDisposable
{
    private const string IncidentTime = "2026-11-20T09:30:00Z";
    private readonly string _root = Directory.CreateTempSubdirectory("cni-analyze-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Node(string name, Action<string>? change = null)
    {
        var dir = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (var (file, text) in AnalyzeFixtures.Node(name)) File.WriteAllText(Path.Combine(dir, file), text);
        change?.Invoke(dir);
        return dir;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => Run(TimeProvider.System, args);

    private static (int Code, string Out, string Err) Run(TimeProvider time, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = AnalyzeCommand.Run(args, stdout, stderr, time);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Fixture_copies_are_the_reference_bytes()
    {
        // Sizes of the reference files: a lost trailing newline or a re-indented line would change them.
        Assert.Equal(1743, Encoding.UTF8.GetByteCount(AnalyzeFixtures.Cilium));
        Assert.Equal(1427, Encoding.UTF8.GetByteCount(AnalyzeFixtures.HealthyAws));
        Assert.Equal(1588, Encoding.UTF8.GetByteCount(AnalyzeFixtures.IncidentAws));
        Assert.Equal(1399, Encoding.UTF8.GetByteCount(AnalyzeFixtures.HealthyKubeconfig));
        Assert.Equal(1399, Encoding.UTF8.GetByteCount(AnalyzeFixtures.IncidentKubeconfig));
    }

    [Fact]
    public void Healthy_folder_with_its_context_exits_0()
    {
        var context = Write("healthy.json", AnalyzeFixtures.HealthyContext);

        var (code, output, error) = Run("--dir", Node("healthy"), "--context", context, "--now", IncidentTime);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("Primary      05-cilium.conflist (loads)", output, StringComparison.Ordinal);
        Assert.Contains("aws-cni → egress-cni → portmap → cilium-cni → linkerd-cni", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CRITICAL", output, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", output, StringComparison.Ordinal);
        Assert.Contains("Result: info (exit 0)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Incident_folder_with_its_context_exits_2_with_a_critical_finding_on_the_cilium_conflist()
    {
        var context = Write("incident.json", AnalyzeFixtures.IncidentContext);

        var (code, output, _) = Run("--dir", Node("incident"), "--context", context, "--now", IncidentTime, "--format", "json");

        Assert.Equal(2, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("05-cilium.conflist", root.GetProperty("primary").GetString());
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], root.GetProperty("chain").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, root.GetProperty("files").GetArrayLength());
        var critical = root.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("severity").GetString() == "critical").ToArray();
        var finding = Assert.Single(critical);
        Assert.Equal("mesh-token-pod-gone", finding.GetProperty("rule").GetString());
        Assert.Equal("05-cilium.conflist", finding.GetProperty("file").GetString());
        Assert.Equal("linkerd-cni", finding.GetProperty("plugin").GetString());
        Assert.Equal("/plugins/4", finding.GetProperty("jsonPointer").GetString());
        Assert.Contains(AnalyzeFixtures.IncidentTokenPod, finding.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("replace", finding.GetProperty("edit").GetProperty("kind").GetString());
    }

    [Fact]
    public void Incident_text_output_names_the_pods_and_the_fix()
    {
        var context = Write("incident.json", AnalyzeFixtures.IncidentContext);

        var (code, output, _) = Run("--dir", Node("incident"), "--context", context, "--now", IncidentTime);

        Assert.Equal(2, code);
        Assert.Contains("CRITICAL mesh-token-pod-gone  05-cilium.conflist /plugins/4 (linkerd-cni)", output, StringComparison.Ordinal);
        Assert.Contains(AnalyzeFixtures.IncidentLivePod, output, StringComparison.Ordinal);
        Assert.Contains("Edit: replace 05-cilium.conflist", output, StringComparison.Ordinal);
        Assert.Contains("Result: critical (exit 2)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_never_contains_the_token()
    {
        var context = Write("incident.json", AnalyzeFixtures.IncidentContext);
        var token = AnalyzeFixtures.IncidentKubeconfig.Split('\n').Single(l => l.Contains("token:", StringComparison.Ordinal)).Split("token:")[1].Trim();

        foreach (var format in new[] { "text", "json" })
        {
            var (_, output, error) = Run("--dir", Node("incident"), "--context", context, "--now", IncidentTime, "--format", format);
            Assert.DoesNotContain(token.Split('.')[1], output + error, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[2], output + error, StringComparison.Ordinal);
        }
    }

    /// <summary>The healthy context with changes made to its JSON, as a person would edit the file.</summary>
    private string HealthyContextWith(string name, Action<System.Text.Json.Nodes.JsonObject> change)
    {
        var context = System.Text.Json.Nodes.JsonNode.Parse(AnalyzeFixtures.HealthyContext)!.AsObject();
        change(context);
        return Write(name, context.ToJsonString());
    }

    private static JsonElement[] FindingsOf(string json, string rule)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("rule").GetString() == rule).Select(f => f.Clone())];
    }

    [Fact]
    public void Ciliums_conflist_left_behind_without_a_cilium_agent_is_critical_when_sandboxes_cannot_reach_it()
    {
        var context = HealthyContextWith("cilium-gone.json", c =>
        {
            var pods = c["pods"]!.AsArray();
            foreach (var pod in pods.Where(p => p!["daemonSet"]!.GetValue<string>() == "cilium").ToArray()) pods.Remove(pod);
            var daemonSets = c["daemonSets"]!.AsArray();
            foreach (var ds in daemonSets.Where(d => d!["name"]!.GetValue<string>() == "cilium").ToArray()) daemonSets.Remove(ds);
            c["watchedDaemonSets"] = new System.Text.Json.Nodes.JsonArray("aws-node", "cilium", "linkerd-cni");
            c["sandboxErrors"] = System.Text.Json.Nodes.JsonNode.Parse("""[{ "pluginType": "cilium-cni", "errorClass": "daemonUnreachable", "count": 12 }]""");
        });

        var (code, output, _) = Run("--dir", Node("healthy"), "--context", context, "--now", IncidentTime, "--format", "json");

        Assert.Equal(2, code);
        var finding = Assert.Single(FindingsOf(output, "plugin-daemon-not-running"));
        Assert.Equal(("critical", "cilium-cni", "/plugins/3"), (finding.GetProperty("severity").GetString(), finding.GetProperty("plugin").GetString(), finding.GetProperty("jsonPointer").GetString()));
    }

    [Fact]
    public void A_daemon_is_not_judged_missing_unless_the_context_says_its_pods_were_looked_for()
    {
        // The same folder: every daemon Ready in one context, Cilium's pods simply not listed in the other.
        var ready = HealthyContextWith("ready.json", c => c["watchedDaemonSets"] = new System.Text.Json.Nodes.JsonArray("aws-node", "cilium"));
        var unlisted = HealthyContextWith("unlisted.json", c =>
        {
            var pods = c["pods"]!.AsArray();
            foreach (var pod in pods.Where(p => p!["daemonSet"]!.GetValue<string>() == "cilium").ToArray()) pods.Remove(pod);
            var daemonSets = c["daemonSets"]!.AsArray();
            foreach (var ds in daemonSets.Where(d => d!["name"]!.GetValue<string>() == "cilium").ToArray()) daemonSets.Remove(ds);
        });

        foreach (var context in new[] { ready, unlisted })
        {
            var (code, output, _) = Run("--dir", Node("healthy"), "--context", context, "--now", IncidentTime, "--format", "json");
            Assert.Equal(0, code);
            Assert.Empty(FindingsOf(output, "plugin-daemon-not-running"));
        }
    }

    [Theory]
    [InlineData("""["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"]""", 0, null)]
    [InlineData("""["aws-cni", "egress-cni", "portmap", "cilium-cni"]""", 1, "extra linkerd-cni in the chain, unlike 8 of 9 nodes of ng-general")]
    public void A_node_is_held_to_its_groups_majority_from_the_context(string majorityChain, int exitCode, string? message)
    {
        var context = HealthyContextWith("group.json", c => c["nodeGroup"] = System.Text.Json.Nodes.JsonNode.Parse(
            $$"""{ "name": "ng-general", "primary": "05-cilium.conflist", "chain": {{majorityChain}}, "majority": 8, "nodes": 9 }"""));

        var (code, output, _) = Run("--dir", Node("healthy"), "--context", context, "--now", IncidentTime, "--format", "json");

        Assert.Equal(exitCode, code);
        var drift = FindingsOf(output, "node-group-drift");
        if (message is null)
        {
            Assert.Empty(drift);
        }
        else
        {
            Assert.Equal(("warning", message), (Assert.Single(drift).GetProperty("severity").GetString(), drift[0].GetProperty("message").GetString()));
        }
    }

    [Fact]
    public void Incident_files_without_context_do_not_look_critical()
    {
        var (code, _, _) = Run("--dir", Node("incident"), "--now", IncidentTime);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Warnings_exit_1()
    {
        var dir = Node("healthy", d => File.WriteAllText(Path.Combine(d, "20-broken.conflist"), "{"));

        var (code, output, _) = Run("--dir", dir, "--now", IncidentTime);

        Assert.Equal(1, code);
        Assert.Contains("WARNING  config-invalid  20-broken.conflist", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Hard_linked_file_is_reported_and_its_content_never_printed()
    {
        var host = Write("host-secret.conflist", """{"cniVersion":"0.4.0","name":"host","plugins":[{"type":"host-secret-plugin"}]}""");
        var dir = Node("healthy", d => CniDashboard.Tests.Common.HostFiles.HardLink(host, Path.Combine(d, "20-linked.conflist")));

        var (code, output, _) = Run("--dir", dir, "--now", IncidentTime, "--format", "json");

        Assert.Equal(1, code);
        var finding = JsonDocument.Parse(output).RootElement.GetProperty("findings").EnumerateArray()
            .Single(f => f.GetProperty("rule").GetString() == "hard-linked-file");
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        Assert.Equal("20-linked.conflist", finding.GetProperty("file").GetString());
        Assert.DoesNotContain("host-secret-plugin", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bin_dir_is_checked()
    {
        var bin = Path.Combine(_root, "bin");
        Directory.CreateDirectory(bin);
        foreach (var plugin in new[] { "aws-cni", "egress-cni", "portmap", "cilium-cni", "host-local" }) File.WriteAllText(Path.Combine(bin, plugin), "#!/bin/sh\n");

        var (code, output, _) = Run("--dir", Node("healthy"), "--bin-dir", bin, "--now", IncidentTime);

        Assert.Equal(2, code);
        Assert.Contains("plugin-binary-missing", output, StringComparison.Ordinal);
        Assert.Contains("plugin linkerd-cni", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_cni_dir_option_maps_bottlerocket_paths()
    {
        var context = Write("incident.json", AnalyzeFixtures.IncidentContext);

        var (code, output, _) = Run("--dir", Node("incident"), "--context", context, "--now", IncidentTime, "--host-cni-dir", "/.bottlerocket/rootfs/etc/cni/net.d");

        Assert.Equal(2, code);
        Assert.Contains("(host path /.bottlerocket/rootfs/etc/cni/net.d)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_now_the_injected_clock_decides()
    {
        var afterExpiry = new FakeTimeProvider(new DateTimeOffset(2027, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var beforeWarnAfter = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 0, 30, 0, TimeSpan.Zero));
        var context = Write("healthy.json", AnalyzeFixtures.HealthyContext);

        var expired = Run(afterExpiry, "--dir", Node("healthy"), "--context", context);
        var fresh = Run(beforeWarnAfter, "--dir", Node("healthy"), "--context", context);

        Assert.Equal(2, expired.Code);
        Assert.Contains("mesh-token-expired", expired.Out, StringComparison.Ordinal);
        Assert.Equal(0, fresh.Code);
        Assert.Contains("No findings.", fresh.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_folder_is_critical()
    {
        var dir = Path.Combine(_root, "empty");
        Directory.CreateDirectory(dir);

        var (code, output, _) = Run("--dir", dir, "--format", "json");

        Assert.Equal(2, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("chain").ValueKind);
        Assert.False(doc.RootElement.TryGetProperty("primary", out _));
        Assert.Equal("no-cni-config", doc.RootElement.GetProperty("findings")[0].GetProperty("rule").GetString());
    }

    [Theory]
    [InlineData()]
    [InlineData("--dir")]
    [InlineData("--dir", "/tmp", "--format", "yaml")]
    [InlineData("--dir", "/tmp", "--now", "yesterday")]
    [InlineData("--dir", "/tmp", "--bogus", "x")]
    [InlineData("--dir", "/tmp", "--dir", "/var")]
    [InlineData("--dir", "/tmp", "extra")]
    [InlineData("--dir=")]
    [InlineData("--dir", "/tmp", "--host-cni-dir", "relative")]
    public void Usage_errors_exit_64(params string[] args)
    {
        var (code, output, error) = Run(args);

        Assert.Equal(64, code);
        Assert.Equal("", output);
        Assert.StartsWith("analyze: ", error, StringComparison.Ordinal);
        Assert.Contains("usage: cni-dashboard-agent analyze --dir PATH", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Equals_form_and_help_work()
    {
        var (code, _, _) = Run($"--dir={Node("healthy")}", $"--now={IncidentTime}", "--format=json");
        Assert.Equal(0, code);

        var help = Run("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("exit codes: 0 nothing above info", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_folder_exits_66()
    {
        var (code, output, error) = Run("--dir", Path.Combine(_root, "does-not-exist"));

        Assert.Equal(66, code);
        Assert.Equal("", output);
        Assert.Contains("cannot read CNI folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_instead_of_a_folder_exits_66()
    {
        var (code, _, _) = Run("--dir", Write("not-a-dir", "x"));
        Assert.Equal(66, code);
    }

    [Fact]
    public void Missing_bin_dir_or_context_file_exits_66()
    {
        Assert.Equal(66, Run("--dir", Node("healthy"), "--bin-dir", Path.Combine(_root, "nope")).Code);
        Assert.Equal(66, Run("--dir", Node("healthy"), "--context", Path.Combine(_root, "nope.json")).Code);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    [InlineData("null")]
    [InlineData("{\"pods\": \"linkerd-cni-ltrn6\"}")]
    public void Invalid_context_json_is_a_usage_error_that_says_where(string json)
    {
        var (code, _, error) = Run("--dir", Node("healthy"), "--context", Write("bad.json", json));

        Assert.Equal(64, code);
        Assert.Contains("context file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_files_inside_the_folder_are_reported_not_fatal()
    {
        var dir = Node("healthy", d =>
        {
            File.WriteAllBytes(Path.Combine(d, "00-binary.conflist"), [0x7F, 0x45, 0x4C, 0x46, 0x00, 0xFF]);
            File.CreateSymbolicLink(Path.Combine(d, "01-escape.conflist"), "/etc/passwd");
        });

        var (code, output, _) = Run("--dir", dir, "--now", IncidentTime, "--format", "json");

        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("00-binary.conflist", doc.RootElement.GetProperty("primary").GetString());
        Assert.Equal("unknown", doc.RootElement.GetProperty("primaryStatus").GetString());
        Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == "primary-config-unreadable");
    }
}
