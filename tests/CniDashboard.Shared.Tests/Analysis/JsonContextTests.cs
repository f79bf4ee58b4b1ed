using System.Text.Json;
using CniDashboard.Shared.Json;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Tests.Analysis;

public class JsonContextTests
{
    [Fact]
    public void Report_json_is_camel_case_with_string_enums_and_no_nulls()
    {
        var report = Scenario.Incident().Run();

        var json = JsonSerializer.Serialize(report, CniJsonContext.Default.AnalysisReport);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;

        Assert.Equal("05-cilium.conflist", root.GetProperty("primary").GetString());
        Assert.Equal("loaded", root.GetProperty("primaryStatus").GetString());
        Assert.Equal("linkerd-cni", root.GetProperty("chain")[4].GetString());
        Assert.Equal(3, root.GetProperty("files").GetArrayLength());
        var first = root.GetProperty("findings")[0];
        Assert.Equal("critical", first.GetProperty("severity").GetString());
        Assert.Equal("mesh-token-pod-gone", first.GetProperty("rule").GetString());
        Assert.Equal("replace", first.GetProperty("edit").GetProperty("kind").GetString());
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.Equal("critical", root.GetProperty("worst").GetString());
    }

    [Fact]
    public void Context_reads_the_issue_format_with_every_field_optional()
    {
        var context = JsonSerializer.Deserialize("""
            {
              // written by hand
              "node": "n1",
              "Pods": [{"name": "linkerd-cni-ltrn6", "ready": false}],
              "ciliumConfig": {"cni-exclusive": true, "mtu": 9001},
              "sandboxErrors": [{"pluginType": "linkerd-cni", "errorClass": "Unauthorized", "count": 3}],
            }
            """, CniJsonContext.Default.NodeClusterContext)!;

        Assert.Equal("n1", context.Node);
        Assert.Equal("linkerd-cni-ltrn6", Assert.Single(context.Pods).Name);
        Assert.Empty(context.DaemonSets);
        Assert.Equal("true", context.CiliumConfig["cni-exclusive"]);
        Assert.Equal("9001", context.CiliumConfig["mtu"]);
        Assert.Equal(SandboxErrorClass.Unauthorized, Assert.Single(context.SandboxErrors).ErrorClass);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"pods": null, "daemonSets": null, "ciliumConfig": null, "sandboxErrors": null}""")]
    public void Empty_or_null_context_lists_read_as_empty(string json)
    {
        var context = JsonSerializer.Deserialize(json, CniJsonContext.Default.NodeClusterContext)!;

        Assert.Empty(context.Pods);
        Assert.Empty(context.DaemonSets);
        Assert.Empty(context.CiliumConfig);
        Assert.Empty(context.SandboxErrors);
    }

    [Fact]
    public void Context_with_a_nested_cilium_value_is_a_json_error()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"ciliumConfig": {"x": {"y": 1}}}""", CniJsonContext.Default.NodeClusterContext));
    }

    [Fact]
    public void Sandbox_failure_round_trips()
    {
        var failure = SandboxErrorParser.Parse(Fixture.Text("events/messages.txt").Split('\n')[2]);

        var json = JsonSerializer.Serialize(failure, CniJsonContext.Default.SandboxFailure);

        Assert.Contains("\"errorClass\": \"unauthorized\"", json, StringComparison.Ordinal);
        Assert.Equal(failure, JsonSerializer.Deserialize(json, CniJsonContext.Default.SandboxFailure));
    }
}
