using System.Text.Json;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Tests.Cni;

public class ConfigParserTests
{
    private static ConfigLoadResult Load(string name, string text) => CniConfigParser.Load(name, text);

    [Theory]
    [InlineData("healthy")]
    [InlineData("incident")]
    public void Reference_cilium_conflist_loads_with_its_chain(string node)
    {
        var result = Load("05-cilium.conflist", Fixture.Text($"nodes/{node}/05-cilium.conflist"));

        Assert.True(result.IsValid, result.Error?.ToString());
        var config = result.Config!;
        Assert.Equal(CniFileRole.ConfigList, config.Role);
        Assert.Equal("aws-cni", config.Name);
        Assert.Equal("0.4.0", config.CniVersion);
        Assert.True(config.DisableCheck);
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], config.ChainTypes);
        Assert.Equal(["/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig"], config.Plugins[4].KubeconfigPaths);
        Assert.All(config.Plugins.Take(4), p => Assert.Empty(p.KubeconfigPaths));
        Assert.Equal("/plugins/4", config.Plugins[4].JsonPointer);
        Assert.Null(config.Plugins[2].Name);
        Assert.Equal("portmap", config.Plugins[2].Label);
    }

    [Theory]
    [InlineData("nodes/healthy/05-cilium.conflist")]
    [InlineData("nodes/healthy/10-aws.conflist")]
    [InlineData("nodes/incident/10-aws.conflist")]
    public void Plugin_spans_cover_exactly_each_plugin_object(string path)
    {
        var text = Fixture.Text(path);
        var config = Load(Path.GetFileName(path), text).Config!;

        foreach (var plugin in config.Plugins)
        {
            var slice = text.Substring(plugin.Span.Start, plugin.Span.Length);
            Assert.StartsWith("{", slice, StringComparison.Ordinal);
            Assert.EndsWith("}", slice, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(slice);
            Assert.Equal(plugin.Type, doc.RootElement.GetProperty("type").GetString());
        }
        for (var i = 1; i < config.Plugins.Count; i++)
        {
            var between = text[config.Plugins[i - 1].Span.End..config.Plugins[i].Span.Start];
            Assert.Equal(",", between.Trim());
        }
    }

    [Fact]
    public void Spans_are_in_characters_when_the_text_has_multibyte_characters()
    {
        var text = """{"name":"n","cniVersion":"1.0.0","plugins":[{"type":"a","note":"größe ✓ 🙂"},{"type":"b"}]}""";
        var config = Load("n.conflist", text).Config!;

        Assert.Equal("""{"type":"b"}""", text.Substring(config.Plugins[1].Span.Start, config.Plugins[1].Span.Length));
        Assert.Equal("""{"type":"a","note":"größe ✓ 🙂"}""", text.Substring(config.Plugins[0].Span.Start, config.Plugins[0].Span.Length));
    }

    [Fact]
    public void Single_conf_is_wrapped_into_a_one_plugin_list()
    {
        var text = """{ "cniVersion": "0.3.1", "name": "mynet", "type": "bridge", "ipam": { "type": "host-local" } }""";
        var config = Load("10-bridge.conf", text).Config!;

        Assert.Equal(CniFileRole.SingleConfig, config.Role);
        Assert.Equal("mynet", config.Name);
        Assert.Equal("0.3.1", config.CniVersion);
        Assert.Equal(["bridge"], config.ChainTypes);
        Assert.Equal("", config.Plugins[0].JsonPointer);
        Assert.Equal(text, text.Substring(config.Plugins[0].Span.Start, config.Plugins[0].Span.Length));
    }

    [Fact]
    public void Json_extension_is_read_as_a_single_conf()
    {
        var result = Load("99-loopback.json", """{"cniVersion":"0.4.0","name":"lo","type":"loopback"}""");
        Assert.True(result.IsValid);
        Assert.Equal(CniFileRole.SingleConfig, result.Role);
    }

    [Fact]
    public void Conflist_saved_as_conf_does_not_load()
    {
        // A renamed conflist: the runtime reads it as one plugin, finds no type, and stops there.
        var result = Load("05-cilium.conf", Fixture.Text("nodes/healthy/05-cilium.conflist"));

        Assert.False(result.IsValid);
        Assert.Equal(ConfigErrorCode.ConfMissingType, result.Error!.Code);
        Assert.Equal("network type not found in 05-cilium.conf", result.Error.Message);
    }

    public static TheoryData<string, string, ConfigErrorCode, string> Failures => new()
    {
        { "a.conflist", "", ConfigErrorCode.InvalidJson, "unexpected end of JSON input" },
        { "a.conflist", "  \n ", ConfigErrorCode.InvalidJson, "unexpected end of JSON input" },
        { "a.conflist", "[1, 2]", ConfigErrorCode.NotAnObject, "error parsing configuration list: cannot unmarshal []interface {} into an object" },
        { "a.conf", "\"text\"", ConfigErrorCode.NotAnObject, "error parsing configuration: cannot unmarshal string into an object" },
        { "a.conflist", """{"cniVersion":"0.4.0","plugins":[{"type":"a"}]}""", ConfigErrorCode.MissingName, "error parsing configuration list: no name" },
        { "a.conflist", """{"name":5,"plugins":[{"type":"a"}]}""", ConfigErrorCode.InvalidFieldType, "error parsing configuration list: invalid name type float64" },
        { "a.conflist", """{"name":null,"plugins":[{"type":"a"}]}""", ConfigErrorCode.InvalidFieldType, "error parsing configuration list: invalid name type <nil>" },
        { "a.conflist", """{"name":"n","cniVersion":1.0,"plugins":[{"type":"a"}]}""", ConfigErrorCode.InvalidFieldType, "error parsing configuration list: invalid cniVersion type float64" },
        { "a.conflist", """{"name":"n","disableCheck":"maybe","plugins":[{"type":"a"}]}""", ConfigErrorCode.InvalidFieldType, "error parsing configuration list: invalid disableCheck type string" },
        { "a.conflist", """{"name":"n","cniVersion":"1.0.0"}""", ConfigErrorCode.MissingPlugins, "error parsing configuration list: no 'plugins' key" },
        { "a.conflist", """{"name":"n","plugins":{"type":"a"}}""", ConfigErrorCode.InvalidFieldType, "error parsing configuration list: invalid 'plugins' type map[string]interface {}" },
        { "a.conflist", """{"name":"n","plugins":[]}""", ConfigErrorCode.EmptyPlugins, "error parsing configuration list: no plugins in list" },
        { "a.conflist", """{"name":"n","plugins":[{"type":"a"},{"name":"b"}]}""", ConfigErrorCode.PluginMissingType, "failed to parse plugin config 1: error parsing configuration: missing 'type'" },
        { "a.conflist", """{"name":"n","plugins":[{"type":""}]}""", ConfigErrorCode.PluginMissingType, "failed to parse plugin config 0: error parsing configuration: missing 'type'" },
        { "a.conflist", """{"name":"n","plugins":["bridge"]}""", ConfigErrorCode.InvalidFieldType, "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal string into Go value of type types.NetConf" },
        { "a.conflist", """{"name":"n","plugins":[{"type":7}]}""", ConfigErrorCode.InvalidFieldType, "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal float64 into Go struct field NetConf.type of type string" },
        { "a.conflist", """{"name":"n","plugins":[{"type":"portmap","capabilities":{"portMappings":"yes"}}]}""", ConfigErrorCode.InvalidFieldType, "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal string into Go struct field NetConf.capabilities of type bool" },
        { "a.conflist", """{"name":"n","plugins":[{"type":"bridge","ipam":"host-local"}]}""", ConfigErrorCode.InvalidFieldType, "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal string into Go struct field NetConf.ipam of type types.IPAM" },
        { "a.conflist", """{"name":"n","plugins":[{"type":"bridge","dns":{"nameservers":"10.0.0.10"}}]}""", ConfigErrorCode.InvalidFieldType, "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal string into Go struct field NetConf.dns.nameservers of type []string" },
        { "a.conflist", """{"name":"n","plugins":[{"type":"bridge","prevResult":[]}]}""", ConfigErrorCode.InvalidFieldType, "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal []interface {} into Go struct field NetConf.prevResult of type map[string]interface {}" },
        { "a.conf", """{"cniVersion":"0.4.0","name":"lo"}""", ConfigErrorCode.ConfMissingType, "network type not found in a.conf" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Invalid_configs_fail_with_libcni_reasons(string name, string text, ConfigErrorCode code, string message)
    {
        var result = Load(name, text);

        Assert.False(result.IsValid);
        Assert.Null(result.Config);
        Assert.Equal(code, result.Error!.Code);
        Assert.Equal(message, result.Error.Message);
    }

    [Fact]
    public void Syntax_errors_carry_line_and_column()
    {
        const string Text = "{\n  \"name\": \"n\",\n  \"plugins\": [\n    {\"type\": \"a\"},\n  ]\n}\n";
        var error = Load("a.conflist", Text).Error!;

        Assert.Equal(ConfigErrorCode.InvalidJson, error.Code);
        Assert.Equal(5, error.Line);
        Assert.Equal(3, error.Column);
        Assert.EndsWith("(line 5, column 3)", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Path:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_file_reports_where_it_ends()
    {
        var text = Fixture.Text("nodes/healthy/05-cilium.conflist");
        var error = Load("05-cilium.conflist", text[..(text.Length / 2)]).Error!;

        Assert.Equal(ConfigErrorCode.InvalidJson, error.Code);
        Assert.NotNull(error.Line);
        Assert.True(error.Line > 10);
    }

    [Fact]
    public void Trailing_content_after_the_object_is_invalid_with_its_position()
    {
        var error = Load("a.conflist", "{\"name\":\"n\",\"plugins\":[{\"type\":\"a\"}]}\n{}").Error!;

        Assert.Equal(ConfigErrorCode.InvalidJson, error.Code);
        Assert.Equal((2, 1), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("{\"name\":\"n\",\"plugins\":[{\"type\":\"a\"}] // note\n}")]
    [InlineData("{\"name\":\"n\",\"plugins\":[{\"type\":\"a\"},]}")]
    [InlineData("{'name':'n','plugins':[{'type':'a'}]}")]
    public void Json_extensions_that_go_rejects_are_invalid(string text) =>
        Assert.Equal(ConfigErrorCode.InvalidJson, Load("a.conflist", text).Error!.Code);

    [Fact]
    public void Byte_order_mark_is_rejected_like_go_does()
    {
        var error = Load("a.conflist", "\uFEFF{\"name\":\"n\",\"plugins\":[{\"type\":\"a\"}]}").Error!;

        Assert.Equal(ConfigErrorCode.InvalidJson, error.Code);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("byte-order mark", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_reported_not_parsed()
    {
        var deep = new string('[', 300) + new string(']', 300);
        var error = Load("a.conflist", $"{{\"name\":\"n\",\"plugins\":[{{\"type\":\"a\",\"x\":{deep}}}]}}").Error!;

        Assert.Equal(ConfigErrorCode.TooDeep, error.Code);
    }

    [Fact]
    public void Plugin_fields_match_case_insensitively_and_the_last_wins()
    {
        var config = Load("a.conflist", """{"name":"n","plugins":[{"TYPE":"first","Type":"second","NAME":"x"}]}""").Config!;

        Assert.Equal("second", config.Plugins[0].Type);
        Assert.Equal("x", config.Plugins[0].Name);
    }

    [Fact]
    public void Null_plugin_field_keeps_the_earlier_value_as_go_does()
    {
        var config = Load("a.conflist", """{"name":"n","plugins":[{"type":"bridge","Type":null}]}""").Config!;

        Assert.Equal("bridge", config.Plugins[0].Type);
    }

    [Fact]
    public void Wrongly_typed_duplicate_fails_even_when_a_later_one_is_valid()
    {
        var error = Load("a.conflist", """{"name":"n","plugins":[{"type":5,"type":"bridge"}]}""").Error!;

        Assert.Equal(ConfigErrorCode.InvalidFieldType, error.Code);
    }

    [Fact]
    public void Top_level_keys_are_case_sensitive_map_keys_and_the_last_duplicate_wins()
    {
        var config = Load("a.conflist", """{"Name":"ignored","name":"first","name":"second","cniVersion":"0.3.1","cniVersion":"1.0.0","plugins":[{"type":"a"}],"plugins":[{"type":"b"},{"type":"c"}]}""").Config!;

        Assert.Equal("second", config.Name);
        Assert.Equal("1.0.0", config.CniVersion);
        Assert.Equal(["b", "c"], config.ChainTypes);
        Assert.Equal("""{"type":"c"}""", config.Text.Substring(config.Plugins[1].Span.Start, config.Plugins[1].Span.Length));
    }

    [Fact]
    public void Top_level_key_in_other_case_does_not_count()
    {
        var error = Load("a.conflist", """{"NAME":"n","plugins":[{"type":"a"}]}""").Error!;
        Assert.Equal(ConfigErrorCode.MissingName, error.Code);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("\"true\"", true)]
    [InlineData("\"False\"", false)]
    public void DisableCheck_accepts_bools_and_bool_strings(string json, bool expected)
    {
        var config = Load("a.conflist", $"{{\"name\":\"n\",\"disableCheck\":{json},\"plugins\":[{{\"type\":\"a\"}}]}}").Config!;
        Assert.Equal(expected, config.DisableCheck);
    }

    [Fact]
    public void Unknown_fields_and_original_text_are_kept()
    {
        var text = Fixture.Text("nodes/healthy/05-cilium.conflist");
        var config = Load("05-cilium.conflist", text).Config!;

        Assert.Same(text, config.Text);
        Assert.Equal("aws-cni", config.Plugins[3].GetString("chaining-mode"));
        Assert.Equal("legacy", config.Plugins[4].Json.GetProperty("linkerd").GetProperty("iptables-mode").GetString());
    }

    [Fact]
    public void Kubeconfig_paths_are_found_at_any_depth_and_only_when_absolute()
    {
        var config = Load("a.conflist", """
            {"name":"n","plugins":[{"type":"istio-cni","kubernetes":{"kubeconfig":"/etc/cni/net.d/ZZZ-istio-cni-kubeconfig"},
              "extra":[{"deep":{"kubeconfig_path":"/var/run/istio-cni/istio-cni.kubeconfig"}}],"other":{"kubeconfig":"relative"}}]}
            """).Config!;

        Assert.Equal(["/etc/cni/net.d/ZZZ-istio-cni-kubeconfig", "/var/run/istio-cni/istio-cni.kubeconfig"], config.Plugins[0].KubeconfigPaths);
    }

    [Fact]
    public void Ignored_role_is_read_as_a_conflist()
    {
        var result = CniConfigParser.LoadAs("10-aws.conflist.cilium_bak", Fixture.Text("nodes/healthy/10-aws.conflist"), CniFileRole.Ignored);

        Assert.True(result.IsValid);
        Assert.Equal(CniFileRole.ConfigList, result.Role);
    }
}
