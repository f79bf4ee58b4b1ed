using System.Net;
using CniDashboard.Agent.Configuration;
using CniDashboard.Agent.Tests.Support;

namespace CniDashboard.Agent.Tests;

public sealed class ConfigurationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Stderr)> Run(string[] args, Dictionary<string, string>? env = null)
    {
        using var stderr = new StringWriter();
        var code = await AgentHost.RunAsync(args, name => env?.GetValueOrDefault(name), stderr, Ct);
        return (code, stderr.ToString());
    }

    private static string[] Base(TempNode node, params string[] more) =>
        ["--cni-dir", node.CniDir, "--bin-dir", node.BinDir, "--backup-dir", node.BackupDir, "--node-name", "n1", "--listen", "127.0.0.1:0", .. more];

    [Fact]
    public async Task No_auth_mode_refuses_to_start_with_one_clear_line()
    {
        using var node = new TempNode();

        var (code, stderr) = await Run(Base(node));

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no auth mode", line, StringComparison.Ordinal);
        Assert.Contains("--auth-mode", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("backup-inside", "inside the CNI folder")]
    [InlineData("missing-cni", "does not exist (--cni-dir)")]
    [InlineData("no-node", "no node name")]
    [InlineData("bad-listen", "--listen")]
    [InlineData("unknown-flag", "unknown flag --frobnicate")]
    [InlineData("static-no-token", "needs --token-file")]
    [InlineData("bad-mode", "is not static or tokenreview")]
    [InlineData("tokenreview-no-api", "needs the API server")]
    [InlineData("tokenreview-no-sa-token", "does not exist (--kube-token-file)")]
    [InlineData("bad-max-backups", "--max-backups")]
    public async Task Invalid_configuration_exits_2_with_one_line(string scenario, string expected)
    {
        using var node = new TempNode();
        string[] args = scenario switch
        {
            "backup-inside" => ["--cni-dir", node.CniDir, "--backup-dir", Path.Combine(node.CniDir, "bk"), "--node-name", "n1", "--auth-mode", "static", "--token-file", node.TokenFile],
            "missing-cni" => ["--cni-dir", Path.Combine(node.Root, "nope"), "--node-name", "n1", "--auth-mode", "static", "--token-file", node.TokenFile],
            "no-node" => ["--cni-dir", node.CniDir, "--backup-dir", node.BackupDir, "--auth-mode", "static", "--token-file", node.TokenFile],
            "bad-listen" => Base(node, "--listen", "nowhere", "--auth-mode", "static", "--token-file", node.TokenFile),
            "unknown-flag" => Base(node, "--frobnicate", "1"),
            "static-no-token" => Base(node, "--auth-mode", "static"),
            "bad-mode" => Base(node, "--auth-mode", "none"),
            "tokenreview-no-api" => Base(node, "--auth-mode", "tokenreview"),
            "tokenreview-no-sa-token" => Base(node, "--auth-mode", "tokenreview", "--kube-api", "https://127.0.0.1:6443", "--kube-token-file", Path.Combine(node.Root, "nope")),
            "bad-max-backups" => Base(node, "--max-backups", "0", "--auth-mode", "static", "--token-file", node.TokenFile),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

        var (code, stderr) = await Run(args);

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("cni-dashboard-agent: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_variables_mirror_flags_and_flags_win()
    {
        using var node = new TempNode();
        var env = new Dictionary<string, string>
        {
            ["CNI_DIR"] = node.CniDir,
            ["BACKUP_DIR"] = node.BackupDir,
            ["NODE_NAME"] = "from-env",
            ["AUTH_MODE"] = "static",
            ["TOKEN_FILE"] = node.TokenFile,
            ["LISTEN"] = "[::1]:9555",
            ["MAX_BACKUPS"] = "7",
            ["MAX_PINNED_BACKUPS"] = "12",
            ["RESCAN_INTERVAL"] = "0",
            ["WATCH"] = "false",
        };

        var settings = AgentSettings.Parse(["--max-backups=9"], env.GetValueOrDefault, out var error);

        Assert.Null(error);
        Assert.Equal(node.CniDir, settings.CniDir);
        Assert.Equal("from-env", settings.NodeName);
        Assert.Equal(AgentAuthMode.Static, settings.AuthMode);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9555), settings.Listen);
        Assert.Equal(9, settings.MaxBackups);
        Assert.Equal(12, settings.MaxPinnedBackups);
        Assert.Equal(Timeout.InfiniteTimeSpan, settings.RescanInterval);
        Assert.False(settings.Watch);
    }

    [Fact]
    public void Tokenreview_defaults_to_the_in_cluster_api_server()
    {
        using var node = new TempNode();
        var env = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.100.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };

        var settings = AgentSettings.Parse(Base(node, "--auth-mode", "tokenreview", "--kube-token-file", node.TokenFile, "--allow-insecure-http"), env.GetValueOrDefault, out var error);

        Assert.Null(error);
        Assert.Equal(new Uri("https://10.100.0.1:443"), settings.KubeApi);
        Assert.Equal(["system:serviceaccount:cni-dashboard:cni-dashboard"], settings.AllowedUsernames);
        Assert.Equal("cni-dashboard-agent", settings.Audience);
    }

    [Fact]
    public async Task Production_host_serves_one_node_with_the_configured_token()
    {
        using var node = new TempNode("incident");
        var settings = AgentSettings.Parse(Base(node, "--auth-mode", "static", "--token-file", node.TokenFile, "--host-cni-dir", "/.bottlerocket/rootfs/etc/cni/net.d"), _ => null, out var error);
        Assert.Null(error);
        await using var app = AgentHost.Build(settings, logging => logging.AddFakeLogging());
        await app.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = new Uri(AgentHost.ListeningAddresses(app).Single()) };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/snapshot", Ct)).StatusCode);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TempNode.Token);
        var body = await http.GetStringAsync("/v1/snapshot", Ct);

        Assert.Contains("\"nodeName\":\"n1\"", body, StringComparison.Ordinal);
        Assert.Contains("\"cniDir\":\"/.bottlerocket/rootfs/etc/cni/net.d\"", body, StringComparison.Ordinal);
        Assert.Contains("\"primaryFile\":\"05-cilium.conflist\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain(TempNode.ReferenceTokenSignature, body, StringComparison.Ordinal);
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task Address_in_use_exits_1_with_one_line()
    {
        using var node = new TempNode();
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        string[] args = ["--cni-dir", node.CniDir, "--backup-dir", node.BackupDir, "--node-name", "n1", "--listen", $"127.0.0.1:{port}", "--auth-mode", "static", "--token-file", node.TokenFile];

        var (code, stderr) = await Run(args);

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", line, StringComparison.Ordinal);
    }
}
