using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Simulator.Installers;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Simulator.Tests.Nodes;

/// <summary>What the simulated installers do to a node's real files, checked byte for byte where the real tools' output is known.</summary>
public sealed class InstallerTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Scenarios", "Fixtures");

    private readonly string _root = Directory.CreateTempSubdirectory("cni-installer-").FullName;
    private readonly SimulatedNode _node;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
    private readonly ClusterState _cluster;
    private readonly TokenAuthority _tokens;
    private readonly List<string> _written = [];

    public InstallerTests()
    {
        _node = new SimulatedNode(
            new NodeIdentity(0, "ip-10-0-12-34.us-west-2.compute.internal", IPAddress.Parse("127.1.0.1"), "10.0.12.34", "us-west-2a", "i-0123456789abcdef0", NodeGroup.Defaults[0], NodeRole.Healthy),
            _root);
        _node.CreateFolders();
        _cluster = new ClusterState(_time);
        _tokens = new TokenAuthority(_cluster);
        _cluster.EnsureNamespace("linkerd-cni");
    }

    [Fact]
    public void Linkerd_cni_patches_every_conflist_exactly_as_its_jq_script_formats_them_and_writes_a_0600_kubeconfig_bound_to_its_pod()
    {
        // A folder as Cilium and aws-node left it, before any mesh: no linkerd-cni anywhere.
        Copy("healthy", "05-cilium.conflist");
        Copy("healthy", "10-aws.conflist");
        SimulationHarnessFiles.RemovePlugin(_node, "05-cilium.conflist");
        SimulationHarnessFiles.RemovePlugin(_node, "10-aws.conflist");
        var pod = Pod("linkerd-cni-9qv4d");

        Linkerd().Start(_node, new InstallerPod(pod.Metadata.Name, pod.Metadata.Uid, "cr.l5d.io/linkerd/cni-plugin:v1.6.2"));

        // jq's output of the script: what the reference folders hold, byte for byte.
        Assert.Equal(Encoding.UTF8.GetString(Fixture("incident", "05-cilium.conflist")), Read("05-cilium.conflist"));
        Assert.Equal(Encoding.UTF8.GetString(Fixture("incident", "10-aws.conflist")), Read("10-aws.conflist"));
        var kubeconfig = Path.Combine(_node.CniDir, "ZZZ-linkerd-cni-kubeconfig");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kubeconfig));
        }

        var facts = KubeconfigReader.Read(File.ReadAllText(kubeconfig));
        Assert.Equal("https://[172.20.0.1]:443", facts.Server);
        Assert.Equal((pod.Metadata.Name, pod.Metadata.Uid, "system:serviceaccount:linkerd-cni:linkerd-cni"), (facts.Token!.PodName, facts.Token.PodUid, facts.Token.Subject));
        Assert.Equal(TimeSpan.FromDays(365), facts.Token.ExpiresAt - facts.Token.IssuedAt);
        Assert.True(File.Exists(Path.Combine(_node.BinDir, "linkerd-cni")));
        Assert.Contains(_node.Name, _written);
    }

    [Fact]
    public void Linkerd_cni_replaces_old_and_duplicate_entries_wraps_a_lone_conf_and_leaves_json_files_alone()
    {
        File.WriteAllText(Path.Combine(_node.CniDir, "10-calico.conflist"), """
            {"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"calico"},{"type":"linkerd-cni","old":true},{"type":"portmap","snat":true,"capabilities":{"portMappings":true}},{"type":"linkerd-cni"}]}
            """);
        File.WriteAllText(Path.Combine(_node.CniDir, "20-bridge.conf"), """{"cniVersion":"0.3.1","name":"bridge","type":"bridge","bridge":"cni0","ipam":{"type":"host-local","subnet":"10.22.0.0/16"}}""");
        const string Json = """{"cniVersion":"0.3.1","name":"json","type":"bridge"}""";
        File.WriteAllText(Path.Combine(_node.CniDir, "30-other.json"), Json);
        File.WriteAllText(Path.Combine(_node.CniDir, "40-broken.conflist"), "{ not json");
        var pod = Pod("linkerd-cni-abcde");

        Linkerd().Start(_node, new InstallerPod(pod.Metadata.Name, pod.Metadata.Uid, "cr.l5d.io/linkerd/cni-plugin:v1.6.2"));

        var calico = JsonNode.Parse(Read("10-calico.conflist"))!;
        Assert.Equal(["calico", "portmap", "linkerd-cni"], Types(calico));
        Assert.Null(calico["plugins"]![2]!["old"]);

        Assert.False(File.Exists(Path.Combine(_node.CniDir, "20-bridge.conf")));
        var wrapped = JsonNode.Parse(Read("20-bridge.conflist"))!;
        Assert.Equal(("k8s-pod-network", "0.3.0"), ((string)wrapped["name"]!, (string)wrapped["cniVersion"]!));
        Assert.Equal(["bridge", "linkerd-cni"], Types(wrapped));
        Assert.Equal("cni0", (string)wrapped["plugins"]![0]!["bridge"]!);
        Assert.True(CniConfigParser.Load("20-bridge.conflist", Read("20-bridge.conflist")).IsValid);

        Assert.Equal(Json, Read("30-other.json"));
        Assert.Equal("{ not json", Read("40-broken.conflist"));
    }

    [Fact]
    public void Running_linkerd_cni_repatches_a_file_someone_else_changed_but_not_its_own_writes()
    {
        Copy("healthy", "05-cilium.conflist");
        var pod = Pod("linkerd-cni-9qv4d");
        var installer = Linkerd();
        installer.Start(_node, new InstallerPod(pod.Metadata.Name, pod.Metadata.Uid, "cr.l5d.io/linkerd/cni-plugin:v1.6.2"));
        _written.Clear();

        installer.FolderChanged(_node);
        Assert.Empty(_written);

        SimulationHarnessFiles.RemovePlugin(_node, "05-cilium.conflist");
        installer.FolderChanged(_node);
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], Types(JsonNode.Parse(Read("05-cilium.conflist"))!));
        Assert.Equal([_node.Name], _written);
    }

    [Fact]
    public void Running_linkerd_cni_refreshes_its_token_as_the_kubelet_rotates_it_still_bound_to_its_pod()
    {
        Copy("healthy", "05-cilium.conflist");
        var pod = Pod("linkerd-cni-9qv4d");
        var installer = Linkerd();
        installer.Start(_node, new InstallerPod(pod.Metadata.Name, pod.Metadata.Uid, "cr.l5d.io/linkerd/cni-plugin:v1.6.2"));
        var first = KubeconfigReader.Read(Read("ZZZ-linkerd-cni-kubeconfig"));

        _time.Advance(TimeSpan.FromMinutes(47));
        installer.Tick(_node, _time.GetUtcNow());
        Assert.Equal(first.TokenFingerprint, KubeconfigReader.Read(Read("ZZZ-linkerd-cni-kubeconfig")).TokenFingerprint);

        _time.Advance(TimeSpan.FromMinutes(1));
        installer.Tick(_node, _time.GetUtcNow());
        var refreshed = KubeconfigReader.Read(Read("ZZZ-linkerd-cni-kubeconfig"));
        Assert.NotEqual(first.TokenFingerprint, refreshed.TokenFingerprint);
        Assert.Equal(first.Token!.IssuedAt + TimeSpan.FromMinutes(48), refreshed.Token!.IssuedAt);
        Assert.Equal((pod.Metadata.Name, pod.Metadata.Uid), (refreshed.Token.PodName, refreshed.Token.PodUid));
    }

    [Theory]
    [InlineData("cr.l5d.io/linkerd/cni-plugin:v1.6.2", false)]
    [InlineData("cr.l5d.io/linkerd/cni-plugin:v1.6.0", true)]
    public void Linkerd_cni_cleans_up_on_shutdown_unless_its_image_has_the_broken_cleanup(string image, bool entriesStay)
    {
        Copy("healthy", "05-cilium.conflist");
        Copy("healthy", "10-aws.conflist");
        var pod = Pod("linkerd-cni-9qv4d");
        var installer = Linkerd();
        installer.Resume(_node, new InstallerPod(pod.Metadata.Name, pod.Metadata.Uid, image));
        File.WriteAllText(Path.Combine(_node.CniDir, "ZZZ-linkerd-cni-kubeconfig"), "# kubeconfig");

        installer.Stop(_node, new InstallerPod(pod.Metadata.Name, pod.Metadata.Uid, image));

        Assert.Equal(entriesStay, Types(JsonNode.Parse(Read("05-cilium.conflist"))!).Contains("linkerd-cni"));
        Assert.Equal(entriesStay, Types(JsonNode.Parse(Read("10-aws.conflist"))!).Contains("linkerd-cni"));
        Assert.Equal(entriesStay, File.Exists(Path.Combine(_node.CniDir, "ZZZ-linkerd-cni-kubeconfig")));
        if (!entriesStay)
        {
            // The cleanup edits structurally: everything but the linkerd-cni object survives, in order.
            Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni"], Types(JsonNode.Parse(Read("05-cilium.conflist"))!));
        }
    }

    [Fact]
    public void Cilium_regenerates_its_conflist_from_the_aws_cni_network_with_its_chaining_entry()
    {
        File.WriteAllBytes(Path.Combine(_node.CniDir, "10-aws.conflist"), Simulator.Scenarios.ScenarioTemplates.AwsNodeConflist);
        File.WriteAllText(Path.Combine(_node.CniDir, "05-cilium.conflist"), """{"name":"stale","cniVersion":"0.4.0","plugins":[{"type":"stale"}]}""");

        new CiliumInstaller(exclusive: () => false, n => _written.Add(n.Name), NullLogger.Instance).Start(_node, new InstallerPod("cilium-x2x4q", "uid", "quay.io/cilium/cilium:v1.16.5"));

        var cilium = JsonNode.Parse(Read("05-cilium.conflist"))!;
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni"], Types(cilium));
        Assert.Equal(("aws-cni", "0.4.0", true), ((string)cilium["name"]!, (string)cilium["cniVersion"]!, (bool)cilium["disableCheck"]!));
        var entry = cilium["plugins"]![3]!;
        Assert.Equal(("aws-cni", "/var/run/cilium/cilium-cni.log", false), ((string)entry["chaining-mode"]!, (string)entry["log-file"]!, (bool)entry["enable-debug"]!));
        // The healthy reference's 05-cilium.conflist is this plus linkerd-cni's entry: same formatting.
        Assert.StartsWith(Read("05-cilium.conflist")[..^"\n    }\n  ]\n}".Length], Encoding.UTF8.GetString(Fixture("healthy", "05-cilium.conflist")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_node.BinDir, "cilium-cni")));
        Assert.True(File.Exists(Path.Combine(_node.CniDir, "10-aws.conflist")));
    }

    [Fact]
    public void Cilium_in_exclusive_mode_renames_every_other_config_to_cilium_bak_and_keeps_doing_so()
    {
        File.WriteAllBytes(Path.Combine(_node.CniDir, "10-aws.conflist"), Simulator.Scenarios.ScenarioTemplates.AwsNodeConflist);
        var installer = new CiliumInstaller(exclusive: () => true, n => _written.Add(n.Name), NullLogger.Instance);

        installer.Start(_node, new InstallerPod("cilium-x2x4q", "uid", "quay.io/cilium/cilium:v1.16.5"));
        File.WriteAllText(Path.Combine(_node.CniDir, "01-linkerd-cni.conf"), """{"cniVersion":"0.3.0","name":"linkerd","type":"linkerd-cni"}""");
        installer.FolderChanged(_node);

        Assert.Equal(
            ["01-linkerd-cni.conf.cilium_bak", "05-cilium.conflist", "10-aws.conflist.cilium_bak"],
            Directory.EnumerateFiles(_node.CniDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Cilium_takes_cni_exclusive_from_its_configuration_when_its_pod_starts()
    {
        File.WriteAllBytes(Path.Combine(_node.CniDir, "10-aws.conflist"), Simulator.Scenarios.ScenarioTemplates.AwsNodeConflist);
        var exclusive = false;
        var installer = new CiliumInstaller(() => exclusive, n => _written.Add(n.Name), NullLogger.Instance);
        installer.Start(_node, new InstallerPod("cilium-x2x4q", "uid", "quay.io/cilium/cilium:v1.16.5"));

        // Switched on while the pod runs: this pod keeps the mode it started with.
        exclusive = true;
        installer.FolderChanged(_node);
        Assert.True(File.Exists(Path.Combine(_node.CniDir, "10-aws.conflist")));

        // Its replacement reads the new setting.
        installer.Stop(_node, new InstallerPod("cilium-x2x4q", "uid", "quay.io/cilium/cilium:v1.16.5"));
        installer.Start(_node, new InstallerPod("cilium-b7k2p", "uid2", "quay.io/cilium/cilium:v1.16.5"));
        Assert.Equal(
            ["05-cilium.conflist", "10-aws.conflist.cilium_bak"],
            Directory.EnumerateFiles(_node.CniDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Aws_node_writes_its_conflist_only_when_the_node_has_none()
    {
        var installer = new AwsNodeInstaller(n => _written.Add(n.Name), NullLogger.Instance);
        installer.Start(_node, new InstallerPod("aws-node-x2x4q", "uid", "amazon-k8s-cni:v1.19.2"));
        Assert.Equal(Simulator.Scenarios.ScenarioTemplates.AwsNodeConflist, File.ReadAllBytes(Path.Combine(_node.CniDir, "10-aws.conflist")));
        Assert.True(File.Exists(Path.Combine(_node.BinDir, "aws-cni")));

        Copy("healthy", "10-aws.conflist");
        installer.Start(_node, new InstallerPod("aws-node-b2c4d", "uid2", "amazon-k8s-cni:v1.19.2"));
        Assert.Equal(Fixture("healthy", "10-aws.conflist"), File.ReadAllBytes(Path.Combine(_node.CniDir, "10-aws.conflist")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private LinkerdCniInstaller Linkerd() =>
        new(_tokens, _ => null, TimeSpan.FromMinutes(48), () => 1, n => _written.Add(n.Name), NullLogger.Instance);

    private V1Pod Pod(string name) => _cluster.Pods.Create(new V1Pod
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "linkerd-cni" },
        Spec = new V1PodSpec { NodeName = _node.Name, Containers = [new V1Container { Name = "install-cni", Image = "cr.l5d.io/linkerd/cni-plugin:v1.6.2" }] },
    });

    private void Copy(string folder, string name) => File.WriteAllBytes(Path.Combine(_node.CniDir, name), Fixture(folder, name));

    private static byte[] Fixture(string folder, string name) => File.ReadAllBytes(Path.Combine(Fixtures, folder, name));

    private string Read(string name) => File.ReadAllText(Path.Combine(_node.CniDir, name));

    private static IReadOnlyList<string> Types(JsonNode conflist) => [.. conflist["plugins"]!.AsArray().Select(p => (string)p!["type"]!)];
}

/// <summary>File edits for installer tests, without a running cluster.</summary>
internal static class SimulationHarnessFiles
{
    /// <summary>Drops the linkerd-cni objects of a conflist, keeping the rest exactly as it was formatted.</summary>
    public static void RemovePlugin(SimulatedNode node, string file)
    {
        var path = Path.Combine(node.CniDir, file);
        var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var plugins = document["plugins"]!.AsArray();
        foreach (var plugin in plugins.Where(p => (string?)p!["type"] == "linkerd-cni").ToList())
        {
            plugins.Remove(plugin);
        }

        File.WriteAllText(path, document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
