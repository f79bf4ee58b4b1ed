using System.Net;
using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using CniDashboard.Server.Polling;
using CniDashboard.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Server.Tests.Polling;

/// <summary>
/// TLS session resumption between the poller and real agents (the product's agent code serving TLS the
/// production way). All agents here run in one process with one certificate, so they share one server
/// TLS context and would accept each other's sessions: exactly the case where the poller must not offer
/// agent A's session to agent B. A resumed connection is judged like a new one.
/// </summary>
public sealed class AgentTlsResumptionTests : IAsyncLifetime
{
    private readonly AgentCertificates _agentCa = new();
    private readonly AgentCertificates _otherCa = new("some other CA");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private AgentFarm _farm = null!;
    private string _a = null!;
    private string _b = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _farm = new AgentFarm(certificate: _agentCa.Issue());
        _a = await _farm.AddAsync("ip-10-0-1-10", "healthy");
        _b = await _farm.AddAsync("ip-10-0-12-34", "incident");
    }

    public async ValueTask DisposeAsync()
    {
        await _farm.DisposeAsync();
        _agentCa.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task A_second_connection_to_the_same_agent_resumes_its_session()
    {
        var trust = Trust();
        Assert.False(await PollAsync(trust, _a));

        await using var again = await trust.ConnectAsync(Agent(_a), Ct);

        Assert.True(Resumption.WasResumed(again));
        // The certificate of a resumed session is the one first verified, and SslStream still holds it.
        Assert.Contains("CN=" + AgentCertificates.ServerName, again.RemoteCertificate!.Subject, StringComparison.Ordinal);
        Assert.True(await ExchangeAsync(again));
    }

    [Fact]
    public async Task A_session_from_one_agent_is_never_offered_to_another()
    {
        // Control: under one shared TLS name (what .NET would do with TargetHost = the agents' name),
        // agent B accepts the session agent A issued, since both share this process's TLS context.
        Assert.True(await SharedNameResumesAcrossAgentsAsync());

        var trust = Trust();
        Assert.False(await PollAsync(trust, _a));

        Assert.False(await PollAsync(trust, _b));
        Assert.True(await PollAsync(trust, _b));
        Assert.True(await PollAsync(trust, _a));
    }

    [Fact]
    public async Task A_resumed_session_is_refused_once_the_agent_ca_no_longer_vouches_for_its_certificate()
    {
        var trust = Trust();
        Assert.False(await PollAsync(trust, _a));
        Assert.True(await PollAsync(trust, _a));

        // The agent still serves the same certificate and would resume; the CA file now trusts another CA only.
        await File.WriteAllTextAsync(_agentCa.CaFile, await File.ReadAllTextAsync(_otherCa.CaFile, Ct), Ct);
        _time.Advance(TimeSpan.FromMinutes(1));

        var refused = await Assert.ThrowsAsync<AgentTlsException>(async () => await trust.ConnectAsync(Agent(_a), Ct));
        Assert.Contains("is not issued by the agent CA", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("other-ca", "is not issued by the agent CA")]
    [InlineData("other-name", "(DNS names: cni-dashboard-agent.elsewhere.svc) is not issued for cni-dashboard-agent.cni-dashboard.svc")]
    [InlineData("no-san", "(DNS names: none) is not issued for cni-dashboard-agent.cni-dashboard.svc")]
    public async Task An_agent_whose_certificate_changed_after_its_session_was_kept_is_verified_again(string scenario, string reason)
    {
        var trust = Trust();
        Assert.False(await PollAsync(trust, _a));
        Assert.True(await PollAsync(trust, _a));

        await _farm.StopAsync("ip-10-0-1-10");
        await _farm.StartAsync("ip-10-0-1-10", scenario switch
        {
            "other-ca" => _otherCa.Issue(),
            "other-name" => _agentCa.Issue("cni-dashboard-agent.elsewhere.svc"),
            _ => _agentCa.Issue(dnsName: null),
        });

        var refused = await Assert.ThrowsAsync<AgentTlsException>(async () => await trust.ConnectAsync(Agent(_a), Ct));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_restarted_with_a_new_certificate_of_the_agent_ca_is_believed_with_a_full_handshake()
    {
        var trust = Trust();
        Assert.False(await PollAsync(trust, _a));

        await _farm.StopAsync("ip-10-0-1-10");
        await _farm.StartAsync("ip-10-0-1-10", _agentCa.Issue());

        Assert.False(await PollAsync(trust, _a));
        Assert.True(await PollAsync(trust, _a));
    }

    [Theory]
    [InlineData("10.0.1.10", 9440, "a0a00010a-9440.cni-dashboard-agent.cni-dashboard.svc")]
    [InlineData("10.0.1.10", 9441, "a0a00010a-9441.cni-dashboard-agent.cni-dashboard.svc")]
    [InlineData("fd00::a", 9440, "afd00000000000000000000000000000a-9440.cni-dashboard-agent.cni-dashboard.svc")]
    public void Each_agent_address_and_port_has_its_own_session_name_under_the_agents_name(string host, int port, string expected)
    {
        var name = AgentTrust.SessionName(new DnsEndPoint(host, port), AgentCertificates.ServerName);

        Assert.Equal(expected, name);
        Assert.Equal(UriHostNameType.Dns, Uri.CheckHostName(name));
    }

    [Fact]
    public void A_server_name_too_long_for_a_session_label_is_used_as_it_is()
    {
        var longName = string.Join('.', Enumerable.Repeat(new string('x', 60), 4)) + ".svc";

        Assert.Equal(longName, AgentTrust.SessionName(new DnsEndPoint("10.0.1.10", 9440), longName));
    }

    private AgentTrust Trust() => new(_agentCa.CaFile, AgentCertificates.ServerName, _time, NullLogger.Instance);

    private DnsEndPoint Agent(string ip) => new(ip, _farm.Port);

    /// <summary>One poll's connection: handshake, a request read to its end (which brings the session ticket), close.</summary>
    private async Task<bool> PollAsync(AgentTrust trust, string ip)
    {
        await using var tls = await trust.ConnectAsync(Agent(ip), Ct);
        var resumed = Resumption.WasResumed(tls);
        Assert.True(await ExchangeAsync(tls));
        return resumed;
    }

    private async Task<bool> SharedNameResumesAcrossAgentsAsync()
    {
        const string shared = "shared-control.cni-dashboard-agent.cni-dashboard.svc";
        async Task<bool> ConnectAsync(string ip)
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(IPAddress.Parse(ip), _farm.Port, Ct);
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = shared, RemoteCertificateValidationCallback = (_, _, _, _) => true }, Ct);
            var resumed = Resumption.WasResumed(tls);
            await ExchangeAsync(tls);
            return resumed;
        }

        await ConnectAsync(_a);
        return await ConnectAsync(_b);
    }

    private static async Task<bool> ExchangeAsync(SslStream tls)
    {
        await tls.WriteAsync("GET /healthz HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n"u8.ToArray(), Ct);
        using var response = new MemoryStream();
        await tls.CopyToAsync(response, Ct);
        return Encoding.ASCII.GetString(response.ToArray()).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether OpenSSL resumed the connection's session. No public API says so; this reads the native
    /// handle SslStream keeps (test-only knowledge of .NET's internals on Linux, failing loudly if they change).
    /// </summary>
    private static class Resumption
    {
        private static readonly FieldInfo Context = typeof(SslStream).GetField("_securityContext", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("SslStream no longer has _securityContext: update the resumption probe");

        public static bool WasResumed(SslStream tls)
        {
            var handle = Context.GetValue(tls) as SafeHandle ?? throw new InvalidOperationException("SslStream's security context is not a native handle");
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                return SslSessionReused(handle.DangerousGetHandle()) == 1;
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        [DllImport("libSystem.Security.Cryptography.Native.OpenSsl", EntryPoint = "CryptoNative_SslSessionReused")]
        private static extern int SslSessionReused(IntPtr ssl);
    }
}
