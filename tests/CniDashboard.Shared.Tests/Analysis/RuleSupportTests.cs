using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Analysis.Rules;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Tests.Analysis;

public class RuleSupportTests
{
    private static (CniFolderFile File, NetworkConfigList Config) Load(string name, string text)
    {
        var file = CniFolderReader.FromText(name, text);
        return (file, CniFolder.Read([file]).Loaded[name].Config!);
    }

    [Theory]
    [InlineData(0, """{"name":"n","plugins":[{"type":"b"},{"type":"c"}]}""")]
    [InlineData(1, """{"name":"n","plugins":[{"type":"a"}, {"type":"c"}]}""")]
    [InlineData(2, """{"name":"n","plugins":[{"type":"a"}, {"type":"b"}]}""")]
    public void Removing_a_plugin_keeps_every_other_byte(int index, string expected)
    {
        var (file, config) = Load("a.conflist", """{"name":"n","plugins":[{"type":"a"}, {"type":"b"},{"type":"c"}]}""");

        var edit = PluginRemoval.Remove(file, config, [index], "s")!;

        Assert.Equal(expected, edit.NewContent);
        Assert.Equal(file.Sha256, edit.ExpectedSha256);
    }

    [Fact]
    public void Removing_with_crlf_line_endings_keeps_them()
    {
        var text = "{\r\n  \"name\": \"n\",\r\n  \"plugins\": [\r\n    {\"type\": \"a\"},\r\n    {\"type\": \"b\"}\r\n  ]\r\n}\r\n";
        var (file, config) = Load("a.conflist", text);

        var edit = PluginRemoval.Remove(file, config, [1], "s")!;

        Assert.Equal("{\r\n  \"name\": \"n\",\r\n  \"plugins\": [\r\n    {\"type\": \"a\"}\r\n  ]\r\n}\r\n", edit.NewContent);
    }

    [Fact]
    public void Removing_several_plugins_at_once()
    {
        var (file, config) = Load("a.conflist", """{"name":"n","plugins":[{"type":"x"},{"type":"a"},{"type":"x"},{"type":"x"}]}""");

        var edit = PluginRemoval.Remove(file, config, [0, 2], "s")!;

        Assert.Equal("""{"name":"n","plugins":[{"type":"a"},{"type":"x"}]}""", edit.NewContent);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, """{"name":"n","plugins":[{"type":"x"}, {"type":"a"}]}""")]
    [InlineData(new[] { 1, 3 }, """{"name":"n","plugins":[{"type":"x"}, {"type":"x"}]}""")]
    [InlineData(new[] { 0, 1, 3 }, """{"name":"n","plugins":[{"type":"x"}]}""")]
    public void Removing_a_run_at_the_end_takes_the_comma_before_it(int[] indexes, string expected)
    {
        var (file, config) = Load("a.conflist", """{"name":"n","plugins":[{"type":"x"}, {"type":"a"}, {"type":"x"}, {"type":"x"}]}""");

        Assert.Equal(expected, PluginRemoval.Remove(file, config, indexes, "s")!.NewContent);
    }

    [Fact]
    public void Removing_thousands_of_duplicates_is_one_pass()
    {
        var text = "{\n  \"name\": \"n\",\n  \"plugins\": [\n    {\"type\": \"aws-cni\"}" + string.Concat(Enumerable.Repeat(",\n    {\"type\": \"linkerd-cni\"}", 5000)) + "\n  ]\n}\n";
        var (file, config) = Load("a.conflist", text);

        var edit = PluginRemoval.Remove(file, config, Enumerable.Range(1, 4999).ToArray(), "s")!;

        Assert.Equal("{\n  \"name\": \"n\",\n  \"plugins\": [\n    {\"type\": \"aws-cni\"},\n    {\"type\": \"linkerd-cni\"}\n  ]\n}\n", edit.NewContent);
    }

    [Fact]
    public void No_edit_that_would_empty_the_chain_or_touch_a_single_conf()
    {
        var (file, config) = Load("a.conflist", """{"name":"n","plugins":[{"type":"a"}]}""");
        Assert.Null(PluginRemoval.Remove(file, config, [0], "s"));

        var (conf, single) = Load("a.conf", """{"name":"n","type":"a"}""");
        Assert.Null(PluginRemoval.Remove(conf, single, [0], "s"));
    }

    [Fact]
    public void No_replace_edit_from_redacted_content()
    {
        // Content that held a secret is redacted; writing it back would put the placeholder over the real token.
        var (file, config) = Load("01-old.conflist", """{"name":"n","plugins":[{"type":"a"},{"type":"linkerd-cni","policy":{"k8s_auth_token":"real-secret"}}]}""");
        Assert.Contains(Shared.Kubeconfig.TokenRedactor.Marker, config.Text, StringComparison.Ordinal);

        Assert.Null(PluginRemoval.Remove(file, config, [1], "s"));
    }

    [Fact]
    public void Delete_edit_carries_the_file_hash()
    {
        var file = CniFolderReader.FromText("00-x.conflist", "{}");

        var edit = PluginRemoval.Delete(file, "s");

        Assert.Equal((FileEditKind.Delete, "00-x.conflist", file.Sha256), (edit.Kind, edit.File, edit.ExpectedSha256));
    }

    [Theory]
    [InlineData("/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig", "/etc/cni/net.d", "ZZZ-linkerd-cni-kubeconfig")]
    [InlineData("/etc/cni/net.d//ZZZ-linkerd-cni-kubeconfig", "/etc/cni/net.d/", "ZZZ-linkerd-cni-kubeconfig")]
    [InlineData("/etc/cni/./net.d/x", "/etc/cni/net.d", "x")]
    [InlineData("/.bottlerocket/rootfs/etc/cni/net.d/x", "/etc/cni/net.d", "x")]
    [InlineData("/etc/cni/net.d/x", "/.bottlerocket/rootfs/etc/cni/net.d", "x")]
    [InlineData("/etc/cni/net.d/sub/x", "/etc/cni/net.d", null)]
    [InlineData("/etc/cni/net.d/../x", "/etc/cni/net.d", null)]
    [InlineData("/var/run/istio-cni/istio-cni.kubeconfig", "/etc/cni/net.d", null)]
    [InlineData("relative/x", "/etc/cni/net.d", null)]
    [InlineData("/etc/cni/net.d", "/etc/cni/net.d", null)]
    public void Kubeconfig_paths_map_to_folder_entries(string path, string hostDir, string? expected) =>
        Assert.Equal(expected, KubeconfigLocator.EntryName(path, hostDir));

    [Theory]
    [InlineData("cr.l5d.io/linkerd/cni-plugin:v1.6.2", "cr.l5d.io/linkerd/cni-plugin", "1.6.2")]
    [InlineData("docker.io/istio/install-cni:1.24.0-distroless", "docker.io/istio/install-cni", "1.24.0")]
    [InlineData("localhost:5000/linkerd/cni-plugin:v1.6", "localhost:5000/linkerd/cni-plugin", "1.6")]
    [InlineData("cr.l5d.io/linkerd/cni-plugin@sha256:abc", "cr.l5d.io/linkerd/cni-plugin", null)]
    [InlineData("cr.l5d.io/linkerd/cni-plugin:latest", "cr.l5d.io/linkerd/cni-plugin", null)]
    public void Image_references_parse(string image, string repository, string? version)
    {
        var parsed = ImageRef.Parse(image)!;

        Assert.Equal(repository, parsed.Repository);
        Assert.Equal(version, parsed.Version?.ToString());
        Assert.True(parsed.Is(repository.Split('/')[^1]) || parsed.Is(repository));
    }
}
