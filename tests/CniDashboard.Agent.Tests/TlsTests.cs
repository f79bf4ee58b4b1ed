using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CniDashboard.Agent.Configuration;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Agent.Tls;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Agent.Tests;

/// <summary>
/// TLS on the agent's own endpoint (<c>--tls-cert</c>/<c>--tls-key</c>), through the production host
/// (<see cref="AgentHost.Build"/>): the dashboard's token must never cross the node network in clear text.
/// </summary>
public sealed class TlsTests
{
    private const string ServerName = "cni-dashboard-agent.cni-dashboard.svc";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Base(TempNode node, params string[] more) =>
        ["--cni-dir", node.CniDir, "--bin-dir", node.BinDir, "--backup-dir", node.BackupDir, "--node-name", "n1", "--listen", "127.0.0.1:0", .. more];

    private static string[] TokenReview(TempNode node, params string[] more) =>
        Base(node, ["--auth-mode", "tokenreview", "--kube-api", "https://127.0.0.1:6443", "--kube-token-file", node.TokenFile, .. more]);

    private static async Task<(int Code, string Stderr)> RunAsync(string[] args)
    {
        using var stderr = new StringWriter();
        var code = await AgentHost.RunAsync(args, _ => null, stderr, Ct);
        return (code, stderr.ToString());
    }

    [Fact]
    public async Task Tokenreview_mode_refuses_to_start_without_tls()
    {
        using var node = new TempNode();

        var (code, stderr) = await RunAsync(TokenReview(node));

        Assert.Equal(AgentHost.ConfigErrorExitCode, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--auth-mode tokenreview needs TLS", line, StringComparison.Ordinal);
        Assert.Contains("--tls-cert and --tls-key", line, StringComparison.Ordinal);
        Assert.Contains("--allow-insecure-http", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--allow-insecure-http")]
    [InlineData("--allow-insecure-http=true")]
    [InlineData("--allow-insecure-http", "true")]
    public void Tokenreview_mode_runs_over_plain_http_only_when_explicitly_allowed(params string[] allow)
    {
        using var node = new TempNode();

        var settings = AgentSettings.Parse(TokenReview(node, allow), _ => null, out var error);

        Assert.Null(error);
        Assert.Equal(AgentAuthMode.TokenReview, settings.AuthMode);
        Assert.True(settings.AllowInsecureHttp);
        Assert.False(settings.ServesTls);
    }

    [Fact]
    public void Allow_insecure_http_false_still_refuses()
    {
        using var node = new TempNode();

        AgentSettings.Parse(TokenReview(node, "--allow-insecure-http=false"), _ => null, out var error);

        Assert.Contains("needs TLS", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cert-only", "--tls-cert and --tls-key go together")]
    [InlineData("key-only", "--tls-cert and --tls-key go together")]
    [InlineData("missing-cert", "does not exist (--tls-cert)")]
    [InlineData("missing-key", "does not exist (--tls-key)")]
    [InlineData("key-of-another-certificate", "cannot be served")]
    [InlineData("not-pem", "cannot be served")]
    public async Task An_unusable_certificate_pair_stops_the_start_with_one_line(string scenario, string expected)
    {
        using var node = new TempNode();
        using var ca = new TestCertificates("agent-ca");
        using var first = ca.Agent(ServerName);
        using var second = ca.Agent(ServerName);
        var (cert, key) = TestCertificates.WritePem(first, node.Root);
        var (_, otherKey) = TestCertificates.WritePem(second, node.Root, "other");
        var garbage = Path.Combine(node.Root, "garbage.pem");
        await File.WriteAllTextAsync(garbage, "this is not PEM", Ct);
        string[] tls = scenario switch
        {
            "cert-only" => ["--tls-cert", cert],
            "key-only" => ["--tls-key", key],
            "missing-cert" => ["--tls-cert", Path.Combine(node.Root, "nope.crt"), "--tls-key", key],
            "missing-key" => ["--tls-cert", cert, "--tls-key", Path.Combine(node.Root, "nope.key")],
            "key-of-another-certificate" => ["--tls-cert", cert, "--tls-key", otherKey],
            "not-pem" => ["--tls-cert", garbage, "--tls-key", key],
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

        var (code, stderr) = await RunAsync(Base(node, ["--auth-mode", "static", "--token-file", node.TokenFile, .. tls]));

        Assert.Equal(AgentHost.ConfigErrorExitCode, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("cni-dashboard-agent: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_tls_the_agent_serves_snapshots_and_still_answers_304_for_an_unchanged_one()
    {
        using var node = new TempNode("incident");
        using var ca = new TestCertificates("agent-ca");
        using var served = ca.Agent(ServerName);
        var (cert, key) = TestCertificates.WritePem(served, node.Root);
        var settings = Settings(node, "--tls-cert", cert, "--tls-key", key);
        await using var app = AgentHost.Build(settings, logging => logging.AddFakeLogging());
        await app.StartAsync(Ct);
        var address = new Uri(AgentHost.ListeningAddresses(app).Single());
        Assert.Equal("https", address.Scheme);

        using var client = new AgentTlsClient(address, ca.Authority);
        using var first = await client.GetSnapshotAsync(etag: null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag!.Tag;
        Assert.Contains("\"primaryFile\":\"05-cilium.conflist\"", await first.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // A new connection per request, as the poller makes: a full handshake, then the conditional GET.
        using var second = await client.GetSnapshotAsync(etag);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(2, client.Handshakes.Count);
        Assert.All(client.Handshakes, h => Assert.Equal(served.Thumbprint, h.Thumbprint));
        Assert.Contains(app.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 11 && r.Message.Contains(ServerName, StringComparison.Ordinal));
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task With_tls_nothing_is_answered_in_clear_text()
    {
        using var node = new TempNode();
        using var ca = new TestCertificates("agent-ca");
        using var served = ca.Agent(ServerName);
        var (cert, key) = TestCertificates.WritePem(served, node.Root);
        await using var app = AgentHost.Build(Settings(node, "--tls-cert", cert, "--tls-key", key), logging => logging.AddFakeLogging());
        await app.StartAsync(Ct);
        var port = new Uri(AgentHost.ListeningAddresses(app).Single()).Port;
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        plain.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TempNode.Token);

        var refused = await Record.ExceptionAsync(() => plain.GetAsync("/v1/snapshot", Ct));

        Assert.IsType<HttpRequestException>(refused);
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task Without_tls_the_agent_warns_that_it_serves_plain_http()
    {
        using var node = new TempNode();
        await using var app = AgentHost.Build(Settings(node), logging => logging.AddFakeLogging());
        await app.StartAsync(Ct);

        var warning = Assert.Single(app.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 10);

        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("plain HTTP", warning.Message, StringComparison.Ordinal);
        Assert.Contains("--tls-cert", warning.Message, StringComparison.Ordinal);
        Assert.StartsWith("http://", AgentHost.ListeningAddresses(app).Single(), StringComparison.Ordinal);
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task A_renewed_certificate_is_served_once_its_files_change_and_a_broken_one_is_not()
    {
        using var node = new TempNode();
        using var ca = new TestCertificates("agent-ca");
        using var original = ca.Agent(ServerName);
        using var renewed = ca.Agent(ServerName);
        var (cert, key) = TestCertificates.WritePem(original, node.Root);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = AgentHost.Build(Settings(node, "--tls-cert", cert, "--tls-key", key), logging => logging.AddFakeLogging(), time);
        await app.StartAsync(Ct);
        using var client = new AgentTlsClient(new Uri(AgentHost.ListeningAddresses(app).Single()), ca.Authority);

        TestCertificates.WritePem(renewed, node.Root);
        (await client.GetSnapshotAsync(null)).Dispose();
        Assert.Equal(original.Thumbprint, client.Handshakes[^1].Thumbprint);

        time.Advance(ServingCertificate.DefaultCheckInterval);
        (await client.GetSnapshotAsync(null)).Dispose();
        Assert.Equal(renewed.Thumbprint, client.Handshakes[^1].Thumbprint);

        // A rotation caught half-way (key of another certificate): keep serving the last good pair.
        using var third = ca.Agent(ServerName);
        TestCertificates.WritePem(third, node.Root, "third");
        File.Copy(Path.Combine(node.Root, "third.key"), key, overwrite: true);
        time.Advance(ServingCertificate.DefaultCheckInterval);
        using var still = await client.GetSnapshotAsync(null);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        Assert.Equal(renewed.Thumbprint, client.Handshakes[^1].Thumbprint);
        Assert.Contains(app.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 13 && r.Level == LogLevel.Warning);
        await app.StopAsync(Ct);
    }

    private static AgentSettings Settings(TempNode node, params string[] more)
    {
        var settings = AgentSettings.Parse(Base(node, ["--auth-mode", "static", "--token-file", node.TokenFile, .. more]), _ => null, out var error);
        Assert.Null(error);
        return settings;
    }

    /// <summary>
    /// A client as the dashboard is one: trusts only the agent CA, requires the fixed name, a new
    /// connection per request; records every certificate it was shown.
    /// </summary>
    private sealed class AgentTlsClient : IDisposable
    {
        private readonly HttpClient _http;

        public AgentTlsClient(Uri address, X509Certificate2 authority)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(authority);
            var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    CertificateChainPolicy = policy,
                    RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    {
                        var shown = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
                        lock (Handshakes) Handshakes.Add(shown);
                        // Reached by IP, checked by name: the only accepted error is the IP not being in the certificate.
                        return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
                            && shown.MatchesHostname(ServerName, allowWildcards: false, allowCommonName: false);
                    },
                },
            };
            _http = new HttpClient(handler) { BaseAddress = address };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TempNode.Token);
        }

        public List<X509Certificate2> Handshakes { get; } = [];

        public async Task<HttpResponseMessage> GetSnapshotAsync(string? etag)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
            request.Headers.ConnectionClose = true;
            if (etag is not null) request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
            return await _http.SendAsync(request, TestContext.Current.CancellationToken);
        }

        public void Dispose()
        {
            _http.Dispose();
            foreach (var shown in Handshakes) shown.Dispose();
        }
    }
}
