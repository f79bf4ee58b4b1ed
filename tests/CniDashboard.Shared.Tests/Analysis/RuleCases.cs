using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Sandbox;
using static CniDashboard.Shared.Tests.Analysis.Scenario;

namespace CniDashboard.Shared.Tests.Analysis;

/// <summary>For every rule: scenarios where it fires (with the severity it must have) and where it must not.</summary>
internal static class RuleCases
{
    public sealed record Case(string Rule, string Name, Func<Scenario> Build, Severity? Expected, string? File = null, string? Plugin = null)
    {
        public override string ToString() => $"{Rule}: {Name}";
    }

    private static NodeClusterContext WithLinkerdImage(NodeClusterContext context, string image) => context with
    {
        Pods = context.Pods.Select(p => p.DaemonSet == "linkerd-cni" ? p with { Image = image } : p).ToArray(),
        DaemonSets = context.DaemonSets.Select(d => d.Name == "linkerd-cni" ? d with { Image = image } : d).ToArray(),
    };

    private static NodeClusterContext WithErrors(NodeClusterContext context, params (string Plugin, SandboxErrorClass Class)[] errors) => context with
    {
        SandboxErrors = errors.Select(e => new ContextSandboxError { PluginType = e.Plugin, ErrorClass = e.Class, Count = 5 }).ToArray(),
    };

    private static CniFolderFile HardLinked(string name) =>
        new() { Name = name, Kind = CniFileKind.Config, Size = 1427, Mode = "0644", LinkCount = 2, ContentOmitted = ContentOmission.HardLinked };

    private static string Mode(string conflist, string mode) =>
        conflist.Replace("\"iptables-mode\": \"legacy\"", $"\"iptables-mode\": \"{mode}\"", StringComparison.Ordinal);

    private static string IstioConflist(string kubeconfigPath) => $$"""
        {
          "cniVersion": "1.0.0",
          "name": "k8s-pod-network",
          "plugins": [
            { "type": "bridge", "bridge": "cni0", "ipam": { "type": "host-local", "subnet": "10.22.0.0/16" } },
            { "type": "istio-cni", "log_level": "info", "kubernetes": { "kubeconfig": "{{kubeconfigPath}}", "cni_bin_dir": "/opt/cni/bin" } }
          ]
        }
        """;

    private static NodeClusterContext IstioContext(string version) => new()
    {
        Pods = [new ContextPod { Namespace = "istio-system", Name = "istio-cni-node-x7k2d", DaemonSet = "istio-cni-node", Image = $"docker.io/istio/install-cni:{version}", Phase = "Running", Ready = true }],
        DaemonSets = [new ContextDaemonSet { Namespace = "istio-system", Name = "istio-cni-node", Image = $"docker.io/istio/install-cni:{version}", Desired = 3, Updated = 3, Ready = 3 }],
    };

    /// <summary>The DaemonSets the dashboard watches by default: their pods on the node are all in the context.</summary>
    private static readonly string[] Watched = ["aws-node", "cilium", "linkerd-cni", "istio-cni-node", "calico-node"];

    /// <summary>The context after <paramref name="daemonSet"/> was uninstalled: no DaemonSet, no pod, still watched.</summary>
    private static NodeClusterContext Uninstalled(NodeClusterContext context, string daemonSet) => context with
    {
        Pods = context.Pods.Where(p => p.DaemonSet != daemonSet).ToArray(),
        DaemonSets = context.DaemonSets.Where(d => d.Name != daemonSet).ToArray(),
        WatchedDaemonSets = Watched,
    };

    private static NodeClusterContext NotReady(NodeClusterContext context, string daemonSet) => context with
    {
        Pods = context.Pods.Select(p => p.DaemonSet == daemonSet ? p with { Ready = false, Phase = "Running" } : p).ToArray(),
    };

    private const string CalicoConflist = """
        {
          "name": "k8s-pod-network",
          "cniVersion": "0.3.1",
          "plugins": [
            { "type": "calico", "datastore_type": "kubernetes", "mtu": 1440, "ipam": { "type": "calico-ipam" } },
            { "type": "portmap", "snat": true, "capabilities": { "portMappings": true } }
          ]
        }
        """;

    /// <summary>Most nodes of ng-general run the healthy primary and chain.</summary>
    private static NodeClusterContext InGeneralGroup(NodeClusterContext context) => context with
    {
        NodeGroup = new ContextNodeGroup { Name = "ng-general", Primary = CiliumConflist, Chain = ["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], Majority = 9, Nodes = 10 },
    };

    private static readonly string FakeIstioKubeconfig = HealthyKubeconfig.Replace("linkerd", "istio", StringComparison.Ordinal);

    public static IEnumerable<Case> All()
    {
        // no-cni-config
        yield return new("no-cni-config", "only a cilium_bak and the kubeconfig", () => Of(HealthyContext, ("10-aws.conflist.cilium_bak", HealthyAws), (KubeconfigFile, HealthyKubeconfig)), Severity.Critical);
        yield return new("no-cni-config", "empty folder", () => Of(null), Severity.Critical);
        yield return new("no-cni-config", "healthy", () => Healthy(), null);

        // primary-config-invalid
        yield return new("primary-config-invalid", "broken file sorts first", () => HealthyWith(HealthyContext, ("00-broken.conflist", "{ \"name\": ")), Severity.Critical, "00-broken.conflist");
        yield return new("primary-config-invalid", "conflist saved as .conf sorts first", () => HealthyWith(HealthyContext, ("01-k8s-pod-network.conf", HealthyAws)), Severity.Critical, "01-k8s-pod-network.conf");
        yield return new("primary-config-invalid", "primary with empty plugins", () => HealthyWith(HealthyContext, (CiliumConflist, """{"cniVersion":"0.4.0","name":"aws-cni","plugins":[]}""")), Severity.Critical, CiliumConflist);
        yield return new("primary-config-invalid", "broken file sorts after the primary", () => HealthyWith(HealthyContext, ("20-broken.conflist", "{")), null);

        // primary-config-unreadable
        yield return new("primary-config-unreadable", "oversized first file", () => new Scenario(
            [new CniFolderFile { Name = "01-huge.conflist", Kind = CniFileKind.Config, Size = 10_000_000, ContentOmitted = ContentOmission.TooLarge }, .. Fixture.Node("healthy")], HealthyContext), Severity.Warning, "01-huge.conflist");
        yield return new("primary-config-unreadable", "healthy", () => Healthy(), null);

        // stray-config-loaded-first
        yield return new("stray-config-loaded-first", "backup copy sorts first", () => HealthyWith(HealthyContext, ("00-backup-05-cilium.conflist", HealthyCilium)), Severity.Warning, "00-backup-05-cilium.conflist");
        yield return new("stray-config-loaded-first", "editor copy with two extensions", () => HealthyWith(HealthyContext, ("05-cilium.conf.conflist", HealthyCilium)), Severity.Warning, "05-cilium.conf.conflist");
        yield return new("stray-config-loaded-first", "backup sorting after the primary", () => HealthyWith(HealthyContext, ("10-aws.conflist.bak.json", HealthyAws)), null);
        yield return new("stray-config-loaded-first", "healthy", () => Healthy(), null);

        // config-invalid
        yield return new("config-invalid", "broken file after the primary", () => HealthyWith(HealthyContext, ("20-broken.conflist", "{")), Severity.Warning, "20-broken.conflist");
        yield return new("config-invalid", "healthy", () => Healthy(), null);

        // mesh-token-pod-gone
        yield return new("mesh-token-pod-gone", "incident", () => Incident(), Severity.Critical, CiliumConflist, "linkerd-cni");
        yield return new("mesh-token-pod-gone", "no linkerd-cni pod left on the node", () => Incident() with { Context = IncidentContext with { Pods = [] } }, Severity.Critical, CiliumConflist, "linkerd-cni");
        yield return new("mesh-token-pod-gone", "same pod name, recreated with another uid", () => Healthy() with
        {
            Context = HealthyContext with { Pods = HealthyContext.Pods.Select(p => p.DaemonSet == "linkerd-cni" ? p with { Uid = "00000000-0000-0000-0000-000000000000" } : p).ToArray() },
        }, Severity.Critical, CiliumConflist, "linkerd-cni");
        yield return new("mesh-token-pod-gone", "healthy", () => Healthy(), null);
        yield return new("mesh-token-pod-gone", "incident files without context", () => Incident(withContext: false), null);

        // known-bad-installer-image
        yield return new("known-bad-installer-image", "v1.6.0 pod being replaced by v1.6.2", () => Healthy() with
        {
            Context = HealthyContext with { Pods = HealthyContext.Pods.Select(p => p.DaemonSet == "linkerd-cni" ? p with { Image = "cr.l5d.io/linkerd/cni-plugin:v1.6.0" } : p).ToArray() },
        }, Severity.Warning, null, "linkerd-cni");
        yield return new("known-bad-installer-image", "v1.6.1 everywhere", () => Healthy() with { Context = WithLinkerdImage(HealthyContext, "cr.l5d.io/linkerd/cni-plugin:v1.6.1") }, Severity.Warning, null, "linkerd-cni");
        yield return new("known-bad-installer-image", "v1.6.2", () => Healthy(), null);
        yield return new("known-bad-installer-image", "another repository at v1.6.0", () => Healthy() with { Context = WithLinkerdImage(HealthyContext, "example.com/other/cni:v1.6.0") }, null);

        // mesh-plugin-missing-from-primary
        yield return new("mesh-plugin-missing-from-primary", "linkerd-cni Ready but not in the primary", () => HealthyWith(HealthyContext, (CiliumConflist, WithoutLinkerd(HealthyCilium))), Severity.Warning, CiliumConflist, "linkerd-cni");
        yield return new("mesh-plugin-missing-from-primary", "no context, other conflist has it", () => HealthyWith(null, (CiliumConflist, WithoutLinkerd(HealthyCilium))), Severity.Warning, CiliumConflist, "linkerd-cni");
        yield return new("mesh-plugin-missing-from-primary", "linkerd-cni pod not Ready yet", () => HealthyWith(IncidentContext, (CiliumConflist, WithoutLinkerd(HealthyCilium)), (AwsConflist, WithoutLinkerd(HealthyAws))), null);
        yield return new("mesh-plugin-missing-from-primary", "healthy", () => Healthy(), null);

        // duplicate-plugin
        yield return new("duplicate-plugin", "linkerd-cni twice in the primary", () => HealthyWith(HealthyContext, (CiliumConflist, HealthyCilium.Replace(LinkerdObject(HealthyCilium), LinkerdObject(HealthyCilium) + ",\n    " + LinkerdObject(HealthyCilium), StringComparison.Ordinal))), Severity.Warning, CiliumConflist, "linkerd-cni");
        yield return new("duplicate-plugin", "twice in a non-primary file", () => HealthyWith(HealthyContext, (AwsConflist, HealthyAws.Replace(LinkerdObject(HealthyAws), LinkerdObject(HealthyAws) + ", " + LinkerdObject(HealthyAws), StringComparison.Ordinal))), Severity.Info, AwsConflist, "linkerd-cni");
        yield return new("duplicate-plugin", "healthy", () => Healthy(), null);

        // kubeconfig-missing
        yield return new("kubeconfig-missing", "kubeconfig deleted", () => HealthyWith(HealthyContext, (KubeconfigFile, null)), Severity.Critical, CiliumConflist, "linkerd-cni");
        yield return new("kubeconfig-missing", "admin-container path in the primary", () => HealthyWith(HealthyContext, (CiliumConflist, HealthyCilium.Replace("\"/etc/cni/net.d/ZZZ", "\"/.bottlerocket/rootfs/etc/cni/net.d/ZZZ", StringComparison.Ordinal))), Severity.Critical, CiliumConflist, "linkerd-cni");
        yield return new("kubeconfig-missing", "healthy", () => Healthy(), null);

        // token lifetime
        yield return new("mesh-token-expired", "after exp", () => Healthy() with { Now = new DateTimeOffset(2027, 12, 1, 0, 0, 0, TimeSpan.Zero) }, Severity.Critical, KubeconfigFile, "linkerd-cni");
        yield return new("mesh-token-expired", "after exp, read only by a non-primary file", () => HealthyWith(HealthyContext, (CiliumConflist, WithoutLinkerd(HealthyCilium))) with { Now = new DateTimeOffset(2027, 12, 1, 0, 0, 0, TimeSpan.Zero) }, Severity.Warning, KubeconfigFile, "linkerd-cni");
        yield return new("mesh-token-expired", "before exp", () => Healthy(), null);
        yield return new("mesh-token-expiring", "three days before exp", () => Healthy() with { Now = new DateTimeOffset(2027, 11, 17, 0, 0, 0, TimeSpan.Zero) }, Severity.Warning, KubeconfigFile, "linkerd-cni");
        yield return new("mesh-token-expiring", "a year before exp", () => Healthy(), null);
        yield return new("mesh-token-not-refreshed", "past warnafter", () => Healthy(), Severity.Info, KubeconfigFile, "linkerd-cni");
        yield return new("mesh-token-not-refreshed", "before warnafter", () => Healthy() with { Now = new DateTimeOffset(2026, 11, 20, 0, 30, 0, TimeSpan.Zero) }, null);

        // plugin-binary-missing
        yield return new("plugin-binary-missing", "no linkerd-cni binary", () => Healthy() with { Binaries = AllBinaries.Where(b => b.Name != "linkerd-cni").ToArray() }, Severity.Critical, CiliumConflist, "linkerd-cni");
        yield return new("plugin-binary-missing", "no IPAM binary", () => Healthy() with { Binaries = AllBinaries.Where(b => b.Name != "host-local").ToArray() }, Severity.Critical, CiliumConflist, "egress-cni");
        yield return new("plugin-binary-missing", "all binaries", () => Healthy() with { Binaries = AllBinaries }, null);
        yield return new("plugin-binary-missing", "bin folder unknown", () => Healthy(), null);

        // cniVersion
        yield return new("cni-version-unsupported", "0.5.0 in the primary", () => HealthyWith(HealthyContext, (CiliumConflist, HealthyCilium.Replace("\"cniVersion\": \"0.4.0\"", "\"cniVersion\": \"0.5.0\"", StringComparison.Ordinal))), Severity.Critical, CiliumConflist);
        yield return new("cni-version-unsupported", "healthy", () => Healthy(), null);
        yield return new("cni-version-mismatch", "istio-cni rejects 1.1.0", () => Of(WithErrors(IstioContext("1.24.2"), ("istio-cni", SandboxErrorClass.IncompatibleVersion)), ("10-net.conflist", IstioConflist("/var/run/istio-cni/istio-cni.kubeconfig").Replace("1.0.0", "1.1.0", StringComparison.Ordinal))), Severity.Critical, "10-net.conflist", "istio-cni");
        yield return new("cni-version-mismatch", "plugin declares its own version", () => HealthyWith(HealthyContext, (AwsConflist, HealthyAws.Replace("\"type\": \"portmap\",", "\"type\": \"portmap\", \"cniVersion\": \"1.0.0\",", StringComparison.Ordinal))), Severity.Info, AwsConflist, "portmap");
        yield return new("cni-version-mismatch", "healthy", () => Healthy(), null);

        // Cilium
        yield return new("cilium-bak-leftover", "10-aws renamed with linkerd-cni deployed", () => HealthyWith(HealthyContext, (AwsConflist, null), ("10-aws.conflist.cilium_bak", HealthyAws)), Severity.Warning, "10-aws.conflist.cilium_bak");
        yield return new("cilium-bak-leftover", "renamed without any mesh", () => Of(null, (CiliumConflist, WithoutLinkerd(HealthyCilium)), ("10-aws.conflist.cilium_bak", WithoutLinkerd(HealthyAws))), Severity.Info, "10-aws.conflist.cilium_bak");
        yield return new("cilium-bak-leftover", "healthy", () => Healthy(), null);
        yield return new("cilium-exclusive-with-mesh", "cni-exclusive true with linkerd-cni", () => Healthy() with { Context = HealthyContext with { CiliumConfig = new Dictionary<string, string> { ["cni-exclusive"] = "true" } } }, Severity.Warning, null, "linkerd-cni");
        yield return new("cilium-exclusive-with-mesh", "cni-exclusive true without a mesh", () => Of(HealthyContext with { Pods = [], DaemonSets = [], CiliumConfig = new Dictionary<string, string> { ["cni-exclusive"] = "true" } }, (CiliumConflist, WithoutLinkerd(HealthyCilium))), null);
        yield return new("cilium-exclusive-with-mesh", "healthy", () => Healthy(), null);
        yield return new("cilium-config-missing", "Cilium runs, its file is gone", () => HealthyWith(HealthyContext, (CiliumConflist, null)), Severity.Warning, AwsConflist, "cilium-cni");
        yield return new("cilium-config-missing", "no context, Cilium's file lost its entry", () => HealthyWith(null, (CiliumConflist, HealthyAws)), Severity.Warning, CiliumConflist, "cilium-cni");
        yield return new("cilium-config-missing", "AWS VPC CNI only, no Cilium", () => Of(null, (AwsConflist, HealthyAws), (KubeconfigFile, HealthyKubeconfig)), null);
        yield return new("cilium-config-missing", "healthy", () => Healthy(), null);

        // iptables-mode
        yield return new("iptables-mode-unsupported", "nft failing with exit status", () => HealthyWith(WithErrors(HealthyContext, ("linkerd-cni", SandboxErrorClass.BinaryExit)), (CiliumConflist, Mode(HealthyCilium, "nft"))), Severity.Critical, CiliumConflist, "linkerd-cni");
        yield return new("iptables-mode-unsupported", "unknown mode", () => HealthyWith(HealthyContext, (CiliumConflist, Mode(HealthyCilium, "iptables-nft"))), Severity.Critical, CiliumConflist, "linkerd-cni");
        yield return new("iptables-mode-unsupported", "nft, no failures yet", () => HealthyWith(HealthyContext, (CiliumConflist, Mode(HealthyCilium, "nft"))), Severity.Info, CiliumConflist, "linkerd-cni");
        yield return new("iptables-mode-unsupported", "legacy", () => Healthy(), null);

        // installer-version-mismatch
        yield return new("installer-version-mismatch", "bracketed server with v1.6.5 running", () => Healthy() with { Context = WithLinkerdImage(HealthyContext, "cr.l5d.io/linkerd/cni-plugin:v1.6.5") }, Severity.Warning, KubeconfigFile, "linkerd-cni");
        yield return new("installer-version-mismatch", "legacy 01-linkerd-cni.conf first", () => HealthyWith(HealthyContext, ("01-linkerd-cni.conf", """{"cniVersion":"0.3.0","name":"linkerd-cni","type":"linkerd-cni","kubernetes":{"kubeconfig":"/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig"}}""")), Severity.Critical, "01-linkerd-cni.conf", "linkerd-cni");
        yield return new("installer-version-mismatch", "old policy block", () => HealthyWith(HealthyContext, (AwsConflist, HealthyAws.Replace("\"log_level\": \"info\",", "\"log_level\": \"info\", \"policy\": {\"type\": \"k8s\", \"k8s_api_root\": \"https://172.20.0.1:443\", \"k8s_auth_token\": \"old-token\"},", StringComparison.Ordinal))), Severity.Warning, AwsConflist, "linkerd-cni");
        yield return new("installer-version-mismatch", "v1.6.2 writes brackets", () => Healthy(), null);

        // istio
        yield return new("istio-kubeconfig-misplaced", "1.24 reading from the CNI folder", () => Of(IstioContext("1.24.2"), ("10-net.conflist", IstioConflist("/etc/cni/net.d/ZZZ-istio-cni-kubeconfig")), ("ZZZ-istio-cni-kubeconfig", FakeIstioKubeconfig)), Severity.Warning, "10-net.conflist", "istio-cni");
        yield return new("istio-kubeconfig-misplaced", "1.24 with the old kubeconfig left behind", () => Of(IstioContext("1.24.2"), ("10-net.conflist", IstioConflist("/var/run/istio-cni/istio-cni.kubeconfig")), ("ZZZ-istio-cni-kubeconfig", FakeIstioKubeconfig)), Severity.Info, "ZZZ-istio-cni-kubeconfig", "istio-cni");
        yield return new("istio-kubeconfig-misplaced", "1.23 reading /var/run/istio-cni", () => Of(IstioContext("1.23.4"), ("10-net.conflist", IstioConflist("/var/run/istio-cni/istio-cni.kubeconfig"))), Severity.Warning, "10-net.conflist", "istio-cni");
        yield return new("istio-kubeconfig-misplaced", "1.23 reading from the CNI folder", () => Of(IstioContext("1.23.4"), ("10-net.conflist", IstioConflist("/etc/cni/net.d/ZZZ-istio-cni-kubeconfig")), ("ZZZ-istio-cni-kubeconfig", FakeIstioKubeconfig)), null);
        yield return new("istio-kubeconfig-misplaced", "1.24 reading /var/run/istio-cni", () => Of(IstioContext("1.24.2"), ("10-net.conflist", IstioConflist("/var/run/istio-cni/istio-cni.kubeconfig"))), null);

        // plugin-daemon-not-running
        yield return new("plugin-daemon-not-running", "Cilium uninstalled, its conflist left behind", () => Healthy() with { Context = Uninstalled(HealthyContext, "cilium") }, Severity.Warning, CiliumConflist, "cilium-cni");
        yield return new("plugin-daemon-not-running", "Cilium agent not Ready and sandboxes cannot reach it", () => Healthy() with { Context = WithErrors(NotReady(HealthyContext, "cilium"), ("cilium-cni", SandboxErrorClass.DaemonUnreachable)) }, Severity.Critical, CiliumConflist, "cilium-cni");
        yield return new("plugin-daemon-not-running", "aws-node gone", () => Healthy() with { Context = Uninstalled(HealthyContext, "aws-node") }, Severity.Warning, CiliumConflist, "aws-cni");
        yield return new("plugin-daemon-not-running", "calico without calico-node", () => Of(new NodeClusterContext { WatchedDaemonSets = Watched }, ("10-calico.conflist", CalicoConflist)), Severity.Warning, "10-calico.conflist", "calico");
        yield return new("plugin-daemon-not-running", "istio-cni-node not Ready", () => Of(NotReady(IstioContext("1.24.2"), "istio-cni-node"), ("10-net.conflist", IstioConflist("/var/run/istio-cni/istio-cni.kubeconfig"))), Severity.Warning, "10-net.conflist", "istio-cni");
        yield return new("plugin-daemon-not-running", "healthy", () => Healthy(), null);
        yield return new("plugin-daemon-not-running", "Cilium's pods not watched", () => Healthy() with { Context = Uninstalled(HealthyContext, "cilium") with { WatchedDaemonSets = [] } }, null);
        yield return new("plugin-daemon-not-running", "calico-node gone, calico only in a file after the primary", () => HealthyWith(HealthyContext with { WatchedDaemonSets = Watched }, ("20-calico.conflist", CalicoConflist)), null);
        yield return new("plugin-daemon-not-running", "no context", () => Healthy(withContext: false), null);

        // node-group-drift
        yield return new("node-group-drift", "lost aws-cni from its chain", () => HealthyWith(InGeneralGroup(HealthyContext), (CiliumConflist, WithoutPlugin(HealthyCilium, "aws-cni"))), Severity.Warning, CiliumConflist);
        yield return new("node-group-drift", "another primary than its group", () => HealthyWith(InGeneralGroup(HealthyContext), (CiliumConflist, null)), Severity.Warning, AwsConflist);
        yield return new("node-group-drift", "runs what its group runs", () => Healthy() with { Context = InGeneralGroup(HealthyContext) }, null);
        yield return new("node-group-drift", "no majority known", () => HealthyWith(HealthyContext, (CiliumConflist, WithoutPlugin(HealthyCilium, "aws-cni"))), null);

        // hard-linked-file (as the agent reports a file with two links: listed, content withheld)
        yield return new("hard-linked-file", "a second config hard-linked", () => new Scenario(
            [.. Fixture.Node("healthy"), HardLinked("20-linked.conflist")], HealthyContext), Severity.Warning, "20-linked.conflist");
        yield return new("hard-linked-file", "a hard-linked leftover the runtime ignores", () => new Scenario(
            [.. Fixture.Node("healthy"), HardLinked("notes.txt") with { Kind = CniFileKind.Other }], HealthyContext), Severity.Info, "notes.txt");
        yield return new("hard-linked-file", "healthy", () => Healthy(), null);

        // primary-config-unreadable, for entries the agent never opens
        yield return new("primary-config-unreadable", "hard-linked first file", () => new Scenario(
            [HardLinked("00-linked.conflist"), .. Fixture.Node("healthy")], HealthyContext), Severity.Warning, "00-linked.conflist");
        yield return new("primary-config-unreadable", "named pipe sorts first", () => new Scenario(
            [new CniFolderFile { Name = "00-pipe.conf", Kind = CniFileKind.Config, SpecialKind = SpecialFileKind.Fifo, ContentOmitted = ContentOmission.SpecialFile }, .. Fixture.Node("healthy")],
            HealthyContext), Severity.Warning, "00-pipe.conf");
    }
}
