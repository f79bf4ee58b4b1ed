using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Diff;

namespace CniDashboard.Shared.Tests.Diff;

public class ChainDiffTests
{
    private static NetworkConfigList Config(string json, string name = "a.conflist") =>
        CniConfigParser.Load(name, json).Config ?? throw new InvalidOperationException("fixture does not load");

    private static NetworkConfigList Reference(string node, string file) => Config(Fixture.Text($"nodes/{node}/{file}"), file);

    [Fact]
    public void Reformatting_alone_is_no_change()
    {
        // healthy/10-aws.conflist writes arrays inline, incident/10-aws.conflist expanded: same config.
        Assert.Empty(ChainDiff.Compare(Reference("healthy", "10-aws.conflist"), Reference("incident", "10-aws.conflist")));
    }

    [Fact]
    public void Removing_linkerd_from_the_cilium_chain_is_one_removal_at_position_5()
    {
        var left = Reference("incident", "05-cilium.conflist");
        var right = Config("""
            {"cniVersion":"0.4.0","name":"aws-cni","disableCheck":true,"plugins":[
              {"name":"aws-cni","type":"aws-cni","vethPrefix":"eni","mtu":"9001","podSGEnforcingMode":"strict","pluginLogFile":"/var/log/aws-routed-eni/plugin.log","pluginLogLevel":"DEBUG"},
              {"name":"egress-cni","type":"egress-cni","mtu":"9001","enabled":"false","randomizeSNAT":"prng","nodeIP":"","ipam":{"type":"host-local","ranges":[[{"subnet":"fd00::ac:00/118"}]],"routes":[{"dst":"::/0"}],"dataDir":"/run/cni/v4pd/egress-v6-ipam"},"pluginLogFile":"/var/log/aws-routed-eni/egress-v6-plugin.log","pluginLogLevel":"DEBUG"},
              {"type":"portmap","capabilities":{"portMappings":true},"snat":true},
              {"type":"cilium-cni","chaining-mode":"aws-cni","enable-debug":false,"log-file":"/var/run/cilium/cilium-cni.log"}]}
            """);

        var change = Assert.Single(ChainDiff.Compare(left, right));

        Assert.Equal(ChainChangeKind.PluginRemoved, change.Kind);
        Assert.Equal("linkerd-cni", change.PluginType);
        Assert.Equal(4, change.Position);
        Assert.Equal("/plugins/4", change.JsonPointer);
        Assert.Equal("linkerd-cni removed at position 5", change.Message);
        Assert.StartsWith("{\"name\":\"linkerd-cni\"", change.Before, StringComparison.Ordinal);
    }

    [Fact]
    public void Added_plugin_and_version_change()
    {
        var left = Config("""{"cniVersion":"0.4.0","name":"n","plugins":[{"type":"aws-cni"},{"type":"portmap"}]}""");
        var right = Config("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"aws-cni"},{"type":"istio-cni"},{"type":"portmap"}]}""");

        var changes = ChainDiff.Compare(left, right);

        Assert.Equal(["cniVersion 0.4.0 → 1.0.0", "istio-cni added at position 2"], changes.Select(c => c.Message));
        Assert.Equal(("\"0.4.0\"", "\"1.0.0\""), (changes[0].Before, changes[0].After));
        Assert.Equal(1, changes[1].Position);
    }

    [Fact]
    public void Swapped_plugins_are_a_move()
    {
        var left = Config("""{"name":"n","plugins":[{"type":"a"},{"type":"b"},{"type":"c"}]}""");
        var right = Config("""{"name":"n","plugins":[{"type":"a"},{"type":"c"},{"type":"b"}]}""");

        var change = Assert.Single(ChainDiff.Compare(left, right));

        Assert.Equal(ChainChangeKind.PluginMoved, change.Kind);
        Assert.Matches("^[bc] moved from position [23] to [23]$", change.Message);
    }

    [Fact]
    public void Duplicate_added_is_reported_once_at_its_position()
    {
        var left = Config("""{"name":"n","plugins":[{"type":"aws-cni"},{"type":"linkerd-cni"}]}""");
        var right = Config("""{"name":"n","plugins":[{"type":"aws-cni"},{"type":"linkerd-cni"},{"type":"linkerd-cni"}]}""");

        var change = Assert.Single(ChainDiff.Compare(left, right));

        Assert.Equal(ChainChangeKind.PluginAdded, change.Kind);
        Assert.Equal("linkerd-cni", change.PluginType);
    }

    [Fact]
    public void Setting_changes_are_json_pointers_with_before_and_after()
    {
        var left = Reference("healthy", "05-cilium.conflist");
        var right = Config(Fixture.Text("nodes/healthy/05-cilium.conflist")
            .Replace("\"iptables-mode\": \"legacy\"", "\"iptables-mode\": \"nft\"", StringComparison.Ordinal)
            .Replace("\"enable-debug\": false,", "", StringComparison.Ordinal)
            .Replace("\"snat\": true", "\"snat\": true, \"externalSetMarkChain\": \"KUBE-MARK-MASQ\"", StringComparison.Ordinal));

        var changes = ChainDiff.Compare(left, right);

        Assert.Equal(3, changes.Count);
        Assert.All(changes, c => Assert.Equal(ChainChangeKind.PluginSettingChanged, c.Kind));
        var mode = changes.Single(c => c.JsonPointer == "/plugins/4/linkerd/iptables-mode");
        Assert.Equal(("linkerd-cni", 4, "\"legacy\"", "\"nft\""), (mode.PluginType, mode.Position!.Value, mode.Before, mode.After));
        Assert.Equal("linkerd-cni: linkerd.iptables-mode \"legacy\" → \"nft\"", mode.Message);
        var removed = changes.Single(c => c.JsonPointer == "/plugins/3/enable-debug");
        Assert.Equal(("false", null), (removed.Before, removed.After));
        var added = changes.Single(c => c.JsonPointer == "/plugins/2/externalSetMarkChain");
        Assert.Equal((null, "\"KUBE-MARK-MASQ\""), (added.Before, added.After));
        Assert.Equal([2, 3, 4], changes.Select(c => c.Position!.Value));
    }

    [Fact]
    public void Pointer_segments_are_escaped()
    {
        var left = Config("""{"name":"n","plugins":[{"type":"a","x/y":{"m~n":1}}]}""");
        var right = Config("""{"name":"n","plugins":[{"type":"a","x/y":{"m~n":2}}]}""");

        Assert.Equal("/plugins/0/x~1y/m~0n", Assert.Single(ChainDiff.Compare(left, right)).JsonPointer);
    }

    [Fact]
    public void Name_and_disableCheck_changes()
    {
        var left = Config("""{"name":"aws-cni","plugins":[{"type":"a"}]}""");
        var right = Config("""{"name":"k8s-pod-network","disableCheck":true,"plugins":[{"type":"a"}]}""");

        var changes = ChainDiff.Compare(left, right);

        Assert.Equal(["name aws-cni → k8s-pod-network", "disableCheck false → true"], changes.Select(c => c.Message));
        Assert.Equal([ChainChangeKind.NameChanged, ChainChangeKind.DisableCheckChanged], changes.Select(c => c.Kind));
    }

    [Fact]
    public void One_side_not_loading_is_a_loadability_change()
    {
        var config = Reference("healthy", "05-cilium.conflist");

        var gone = Assert.Single(ChainDiff.Compare(config, null));
        var back = Assert.Single(ChainDiff.Compare(null, config));

        Assert.Equal(ChainChangeKind.LoadabilityChanged, gone.Kind);
        Assert.Equal("05-cilium.conflist no longer loads", gone.Message);
        Assert.Equal("05-cilium.conflist loads now (it did not load before)", back.Message);
        Assert.Empty(ChainDiff.Compare(null, null));
    }

    [Fact]
    public void Many_setting_changes_are_capped_per_plugin()
    {
        var keys = Enumerable.Range(0, 200).Select(i => $"\"k{i}\":{i}");
        var left = Config($$"""{"name":"n","plugins":[{"type":"a",{{string.Join(',', keys)}}}]}""");
        var right = Config("""{"name":"n","plugins":[{"type":"a"}]}""");

        Assert.Equal(ChainDiff.MaxSettingChangesPerPlugin, ChainDiff.Compare(left, right).Count);
    }
}

public class DiffLimitTests
{
    [Fact]
    public void Thousands_of_plugins_compare_without_a_huge_table()
    {
        var left = CniConfigParser.Load("a.conflist", "{\"name\":\"n\",\"plugins\":[" + string.Join(',', Enumerable.Range(0, 5000).Select(i => $"{{\"type\":\"t{i % 7}\"}}")) + "]}").Config;
        var right = CniConfigParser.Load("a.conflist", "{\"name\":\"n\",\"plugins\":[" + string.Join(',', Enumerable.Range(0, 4999).Select(i => $"{{\"type\":\"t{i % 7}\"}}")) + "]}").Config;

        var changes = ChainDiff.Compare(left, right);

        var removed = Assert.Single(changes);
        Assert.Equal(ChainChangeKind.PluginRemoved, removed.Kind);
        Assert.Equal(4999, removed.Position);
    }

    [Fact]
    public void Texts_too_long_to_align_are_shown_whole()
    {
        var left = string.Join('\n', Enumerable.Range(0, 15_000).Select(i => $"a{i}"));
        var right = string.Join('\n', Enumerable.Range(0, 15_000).Select(i => $"b{i}"));

        var diff = TextDiff.SideBySide(left, right);
        var same = TextDiff.SideBySide(left, left);

        Assert.Equal(30_000, diff.Rows.Count);
        Assert.Equal((15_000, 15_000), (diff.Added, diff.Removed));
        Assert.False(diff.Identical);
        Assert.True(same.Identical);
        Assert.Equal(15_000, same.Rows.Count);
    }
}
