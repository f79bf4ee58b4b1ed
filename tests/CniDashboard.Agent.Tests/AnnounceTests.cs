using System.Text;
using CniDashboard.Agent.Announce;
using CniDashboard.Agent.Configuration;
using CniDashboard.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Agent.Tests;

/// <summary>The agent announces its manifest hash on its own Pod: when, how often, what it sends, and what a failure does.</summary>
public sealed class AnnounceTests
{
    private const string HashA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string HashB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class RecordingWriter : IAnnouncementWriter
    {
        public List<string> Written { get; } = [];
        public int FailNext { get; set; }

        public Task WriteAsync(string manifestHash, CancellationToken cancellationToken)
        {
            if (FailNext > 0)
            {
                FailNext--;
                throw new AnnouncementException("the API server answered 503: unavailable");
            }

            Written.Add(manifestHash);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Announces_at_start_then_once_per_burst_of_changes_after_the_debounce_and_never_an_unchanged_hash()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var writer = new RecordingWriter();
        var hash = HashA;
        await using var announcer = new ManifestAnnouncer(new ManifestAnnouncerOptions { NodeName = "n1" }, _ => ValueTask.FromResult(hash), writer, time);

        announcer.Start();
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([HashA], writer.Written);

        hash = HashB;
        announcer.Changed();
        time.Advance(TimeSpan.FromMilliseconds(300));
        announcer.Changed();
        time.Advance(TimeSpan.FromMilliseconds(300));
        announcer.Changed();
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal([HashA], writer.Written);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([HashA, HashB], writer.Written);

        // A rescan or a touched file with nothing changed: no write.
        announcer.Changed();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([HashA, HashB], writer.Written);
        Assert.Equal(HashB, announcer.Announced);

        // A new Pod carries no annotation: the same hash is written again.
        announcer.Reannounce();
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([HashA, HashB, HashB], writer.Written);
    }

    [Fact]
    public async Task A_refused_announcement_is_retried_with_doubling_backoff_until_it_is_written()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var writer = new RecordingWriter { FailNext = 3 };
        await using var announcer = new ManifestAnnouncer(new ManifestAnnouncerOptions { NodeName = "n1" }, _ => ValueTask.FromResult(HashA), writer, time);

        announcer.Start();
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, announcer.Failures);
        time.Advance(TimeSpan.FromSeconds(1));       // first retry: 0.75–1 s
        Assert.Equal(2, announcer.Failures);
        time.Advance(TimeSpan.FromMilliseconds(1400)); // second: 1.5–2 s, not yet
        Assert.Equal(2, announcer.Failures);
        time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(3, announcer.Failures);
        Assert.Empty(writer.Written);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal([HashA], writer.Written);
        Assert.Equal(HashA, announcer.Announced);
    }

    [Fact]
    public async Task The_writer_sends_one_merge_patch_of_the_annotation_to_its_own_Pod()
    {
        using var dir = new TempNode();
        var tokenFile = Path.Combine(dir.Root, "sa-token");
        await File.WriteAllTextAsync(tokenFile, "agent-own-token\n", Ct);
        await using var server = ApiServerPostTests.CannedServer.Start("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        using var writer = new PodAnnotationWriter(
            new PodAnnotationTarget { ApiServer = server.Address, TokenFile = tokenFile, PodNamespace = "cni-dashboard", PodName = "cni-dashboard-agent-x7k2q" },
            TimeProvider.System);

        await writer.WriteAsync(HashA, Ct);

        var request = await server.RequestAsync();
        Assert.StartsWith("PATCH /api/v1/namespaces/cni-dashboard/pods/cni-dashboard-agent-x7k2q HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/merge-patch+json\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nAuthorization: Bearer agent-own-token\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"metadata\":{\"annotations\":{\"cni-dashboard.io/manifest-hash\":\"" + HashA + "\"}}}", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_names_the_status_and_the_servers_reason_never_the_token()
    {
        using var dir = new TempNode();
        var tokenFile = Path.Combine(dir.Root, "sa-token");
        await File.WriteAllTextAsync(tokenFile, "agent-own-token", Ct);
        const string status = """{"kind":"Status","status":"Failure","message":"pods \"cni-dashboard-agent-x7k2q\" is forbidden: ValidatingAdmissionPolicy denied request","reason":"Forbidden","code":403}""";
        await using var server = ApiServerPostTests.CannedServer.Start($"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(status)}\r\n\r\n{status}");
        using var writer = new PodAnnotationWriter(
            new PodAnnotationTarget { ApiServer = server.Address, TokenFile = tokenFile, PodNamespace = "cni-dashboard", PodName = "cni-dashboard-agent-x7k2q" },
            TimeProvider.System);

        var error = await Assert.ThrowsAsync<AnnouncementException>(() => writer.WriteAsync(HashA, Ct));

        Assert.Equal("the API server answered 403: pods \"cni-dashboard-agent-x7k2q\" is forbidden: ValidatingAdmissionPolicy denied request", error.Message);
        Assert.DoesNotContain("agent-own-token", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--pod-name", "agent-1" }, "--pod-namespace")]
    [InlineData(new[] { "--pod-name", "agent-1", "--pod-namespace", "ns" }, "--announce needs the API server")]
    [InlineData(new[] { "--pod-name", "agent-1", "--pod-namespace", "ns", "--announce", "maybe" }, "--announce 'maybe' must be true or false")]
    public async Task Announcing_without_its_Pod_or_the_API_server_refuses_to_start(string[] more, string expected)
    {
        using var node = new TempNode();
        using var stderr = new StringWriter();
        string[] args = ["--cni-dir", node.CniDir, "--bin-dir", node.BinDir, "--backup-dir", node.BackupDir, "--node-name", "n1",
            "--listen", "127.0.0.1:0", "--auth-mode", "static", "--token-file", node.TokenFile, .. more];

        var code = await AgentHost.RunAsync(args, _ => null, stderr, Ct);

        Assert.Equal(AgentHost.ConfigErrorExitCode, code);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_downward_API_variables_name_the_Pod_and_turn_announcing_on()
    {
        using var node = new TempNode();
        var env = new Dictionary<string, string>
        {
            ["NODE_NAME"] = "n1",
            ["POD_NAME"] = "cni-dashboard-agent-x7k2q",
            ["POD_NAMESPACE"] = "cni-dashboard",
            ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
            ["KUBERNETES_SERVICE_PORT"] = "443",
        };

        var settings = AgentSettings.Parse(
            ["--cni-dir", node.CniDir, "--backup-dir", node.BackupDir, "--auth-mode", "static", "--token-file", node.TokenFile, "--kube-token-file", node.TokenFile],
            env.GetValueOrDefault,
            out var error);

        Assert.Null(error);
        Assert.True(settings.Announce);
        Assert.Equal(("cni-dashboard-agent-x7k2q", "cni-dashboard"), (settings.PodName, settings.PodNamespace));
        Assert.Equal(new Uri("https://10.96.0.1:443"), settings.KubeApi);
    }
}
