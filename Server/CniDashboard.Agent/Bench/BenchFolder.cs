using System.Text;

namespace CniDashboard.Agent.Bench;

/// <summary>A node folder shaped like the reference EKS node (AWS VPC CNI + Cilium chaining + linkerd-cni), for benchmarks.</summary>
internal static class BenchFolder
{
    private const string AwsPlugins = """
            {"name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni", "mtu": "9001", "podSGEnforcingMode": "strict",
             "pluginLogFile": "/var/log/aws-routed-eni/plugin.log", "pluginLogLevel": "DEBUG"},
            {"name": "egress-cni", "type": "egress-cni", "mtu": "9001", "enabled": "false", "randomizeSNAT": "prng", "nodeIP": "",
             "ipam": {"type": "host-local", "ranges": [[{"subnet": "fd00::ac:00/118"}]], "routes": [{"dst": "::/0"}], "dataDir": "/run/cni/v4pd/egress-v6-ipam"},
             "pluginLogFile": "/var/log/aws-routed-eni/egress-v6-plugin.log", "pluginLogLevel": "DEBUG"},
            {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
        """;

    private const string LinkerdPlugin = """
            {"name": "linkerd-cni", "type": "linkerd-cni", "log_level": "info",
             "kubernetes": {"kubeconfig": "/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig"},
             "linkerd": {"incoming-proxy-port": 4143, "outgoing-proxy-port": 4140, "proxy-uid": 2102, "ports-to-redirect": [],
                         "inbound-ports-to-ignore": ["4191", "4190"], "simulate": false, "use-wait-flag": false, "iptables-mode": "legacy", "ipv6": false}}
        """;

    /// <summary>Writes <paramref name="files"/> entries into <paramref name="cniDir"/> and a few plugin binaries into <paramref name="binDir"/>.</summary>
    public static void Create(string cniDir, string binDir, int files)
    {
        Directory.CreateDirectory(cniDir);
        Directory.CreateDirectory(binDir);
        var written = new List<(string Name, string Text)>
        {
            ("05-cilium.conflist", Conflist(AwsPlugins + ",\n" + """    {"type": "cilium-cni", "chaining-mode": "aws-cni", "enable-debug": false, "log-file": "/var/run/cilium/cilium-cni.log"}""" + ",\n" + LinkerdPlugin)),
            ("10-aws.conflist", Conflist(AwsPlugins + ",\n" + LinkerdPlugin)),
            ("ZZZ-linkerd-cni-kubeconfig", Kubeconfig()),
        };
        for (var i = 0; written.Count < files; i++)
            written.Add(($"{20 + i}-extra.conflist.cilium_bak", Conflist(AwsPlugins)));
        foreach (var (name, text) in written.Take(files)) File.WriteAllText(Path.Combine(cniDir, name), text);

        var random = new Random(42);
        foreach (var plugin in new[] { "aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni", "host-local", "loopback", "bandwidth" })
        {
            var bytes = new byte[4 * 1024 * 1024];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(binDir, plugin), bytes);
        }
    }

    private static string Conflist(string plugins) =>
        "{\n  \"cniVersion\": \"0.4.0\",\n  \"name\": \"aws-cni\",\n  \"disableCheck\": true,\n  \"plugins\": [\n" + plugins + "\n  ]\n}\n";

    private static string Kubeconfig()
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = Part("""{"alg":"RS256","kid":"bench"}""") + "." +
            Part("""{"aud":["https://kubernetes.default.svc"],"exp":1826668800,"iat":1795132800,"sub":"system:serviceaccount:linkerd-cni:linkerd-cni","kubernetes.io":{"namespace":"linkerd-cni","pod":{"name":"linkerd-cni-bench","uid":"00000000-0000-0000-0000-000000000000"}}}""") +
            ".bench-signature";
        return $"""
            # Kubeconfig file for linkerd CNI plugin.
            apiVersion: v1
            kind: Config
            clusters:
            - name: local
              cluster:
                server: https://[172.20.0.1]:443
            users:
            - name: linkerd-cni
              user:
                token: {token}
            contexts:
            - name: linkerd-cni-context
              context:
                cluster: local
                user: linkerd-cni
            current-context: linkerd-cni-context

            """;
    }
}
