using System.Globalization;
using CniDashboard.Server.Options;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Tests.Polling;

/// <summary>
/// The poller over TLS to real agents (the product's agent code serving TLS the production way): it
/// believes only a certificate chained to the agent CA and issued for the fixed agent name, whatever
/// node IP it dialled; anything else marks that node stale with the reason, and nothing is stored.
/// </summary>
public sealed class AgentTlsTests : IAsyncLifetime
{
    private readonly AgentCertificates _agentCa = new();
    private readonly AgentCertificates _otherCa = new("some other CA");
    private AgentFarm _farm = null!;
    private BackendHarness _backend = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _farm = new AgentFarm(certificate: _agentCa.Issue());
        await _farm.AddAsync("ip-10-0-1-10", "healthy");
        await _farm.AddAsync("ip-10-0-12-34", "incident");
        _backend = new BackendHarness(Settings(_agentCa.CaFile), agentToken: _farm.Token, fakeTime: true);
        await _backend.StartStoreAsync();
        _farm.Register(_backend.Cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        await _farm.DisposeAsync();
        _agentCa.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task Agents_with_the_agent_cas_certificate_for_the_fixed_name_are_polled_and_answer_304_when_unchanged()
    {
        var first = await _backend.Poller.PollOnceAsync(Ct);
        Assert.Equal((2, 2, 0), (first.Nodes, first.Changed, first.Failed));
        Assert.All(_backend.Fleet.All, n => Assert.Equal(AgentState.Current, n.Agent.State));

        var second = await _backend.Poller.PollOnceAsync(Ct);

        Assert.Equal((0, 2, 0), (second.Changed, second.Unchanged, second.Failed));
        Assert.Equal(2, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
    }

    [Theory]
    [InlineData("other-ca", "is not issued by the agent CA")]
    [InlineData("no-san", "(DNS names: none) is not issued for cni-dashboard-agent.cni-dashboard.svc")]
    [InlineData("other-name", "(DNS names: cni-dashboard-agent.elsewhere.svc) is not issued for cni-dashboard-agent.cni-dashboard.svc")]
    [InlineData("plain-http", "TLS handshake failed")]
    public async Task An_agent_with_any_other_certificate_is_marked_stale_with_the_reason_and_nothing_is_stored(string scenario, string reason)
    {
        await _backend.Poller.PollOnceAsync(Ct);
        var before = await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots");
        await _farm.EditAsync("ip-10-0-12-34", "05-cilium.conflist", text => text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal));

        await _farm.StopAsync("ip-10-0-12-34");
        if (scenario == "plain-http")
        {
            await _farm.StartPlainAsync("ip-10-0-12-34");
        }
        else
        {
            await _farm.StartAsync("ip-10-0-12-34", scenario switch
            {
                "other-ca" => _otherCa.Issue(),
                "no-san" => _agentCa.Issue(dnsName: null),
                _ => _agentCa.Issue("cni-dashboard-agent.elsewhere.svc"),
            });
        }

        var round = await _backend.Poller.PollOnceAsync(Ct);

        Assert.Equal((1, 1), (round.Unchanged, round.Failed));
        var refused = _backend.Fleet.Get("ip-10-0-12-34")!.Agent;
        Assert.Equal(AgentState.Stale, refused.State);
        Assert.Contains(reason, refused.Reason, StringComparison.Ordinal);
        if (scenario == "other-ca") Assert.Contains(_agentCa.CaFile, refused.Reason, StringComparison.Ordinal);
        Assert.Equal(AgentState.Current, _backend.Fleet.Get("ip-10-0-1-10")!.Agent.State);
        // The edited file was not read from an agent nobody could vouch for.
        Assert.Equal(before, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
    }

    [Fact]
    public async Task A_rotated_agent_ca_is_trusted_once_its_file_changes()
    {
        await _farm.StopAsync("ip-10-0-12-34");
        await _farm.StartAsync("ip-10-0-12-34", _otherCa.Issue());
        await _backend.Poller.PollOnceAsync(Ct);
        Assert.Equal(AgentState.Unknown, _backend.Fleet.Get("ip-10-0-12-34")!.Agent.State);

        // Both CAs in the file, as during a rotation; read at most once a minute.
        await File.WriteAllTextAsync(_agentCa.CaFile, await File.ReadAllTextAsync(_agentCa.CaFile, Ct) + await File.ReadAllTextAsync(_otherCa.CaFile, Ct), Ct);
        await _backend.Poller.PollOnceAsync(Ct);
        Assert.Equal(AgentState.Unknown, _backend.Fleet.Get("ip-10-0-12-34")!.Agent.State);
        _backend.Time!.Advance(TimeSpan.FromMinutes(1));

        var round = await _backend.Poller.PollOnceAsync(Ct);

        Assert.True(round.Failed == 0, _backend.Fleet.Get("ip-10-0-12-34")!.Agent.Reason);
        Assert.All(_backend.Fleet.All, n => Assert.Equal(AgentState.Current, n.Agent.State));
    }

    [Fact]
    public async Task A_poller_without_the_agent_ca_says_the_agent_may_be_serving_tls()
    {
        await using var plain = new BackendHarness(new Dictionary<string, string?> { ["Dashboard:Poller:AgentPort"] = _farm.Port.ToString(CultureInfo.InvariantCulture) }, agentToken: _farm.Token);
        await plain.StartStoreAsync();
        _farm.Register(plain.Cluster);

        var round = await plain.Poller.PollOnceAsync(Ct);

        Assert.Equal(2, round.Failed);
        Assert.All(plain.Fleet.All, n => Assert.Contains("Dashboard:Poller:AgentCaFile", n.Agent.Reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("not-pem", "holds no PEM certificate")]
    [InlineData("bad-name", "is not a DNS name")]
    public void An_unusable_agent_ca_or_name_stops_the_dashboard_at_start(string scenario, string expected)
    {
        using var dir = new TempDir();
        var garbage = Path.Combine(dir.Path, "garbage.crt");
        File.WriteAllText(garbage, "not a certificate");
        var options = new DashboardOptions();
        options.Poller.AgentCaFile = scenario switch
        {
            "missing" => Path.Combine(dir.Path, "nope.crt"),
            "not-pem" => garbage,
            _ => _agentCa.CaFile,
        };
        if (scenario == "bad-name") options.Poller.AgentServerName = "https://10.0.0.1:9440";

        var result = new DashboardOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Poller:Agent", result.FailureMessage, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings(string caFile) => new()
    {
        ["Dashboard:Poller:AgentPort"] = _farm.Port.ToString(CultureInfo.InvariantCulture),
        ["Dashboard:Poller:AgentCaFile"] = caFile,
        ["Dashboard:Poller:AgentServerName"] = AgentCertificates.ServerName,
    };
}
