using System.Globalization;
using System.Net;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Tests.Polling;

/// <summary>An agent that answers nonsense marks only its own node stale; nothing crashes, nothing else is lost.</summary>
public sealed class HostileAgentTests : IAsyncLifetime
{
    private readonly AgentFarm _farm = new();
    private WebApplication _liar = null!;
    private BackendHarness _backend = null!;
    private string _mode = "garbage";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _farm.AddAsync("ip-10-0-1-10", "healthy");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse("127.99.0.9"), _farm.Port));
        _liar = builder.Build();
        _liar.MapGet("/v1/snapshot", () => _mode switch
        {
            "garbage" => Results.Text("{\"nodeName\": [1, 2, {", "application/json"),
            "huge" => Results.Bytes(new byte[200 * 1024], "application/json"),
            "wrong-enum" => Results.Text("""{"nodeName":"ip-10-0-6-6","agentVersion":"x","takenAt":"2026-11-20T09:00:00Z","cniDir":"/etc/cni/net.d","files":[],"primaryStatus":"Exploded","manifestHash":"h"}""", "application/json"),
            _ => Results.StatusCode(500),
        });
        await _liar.StartAsync();
        _backend = new BackendHarness(new Dictionary<string, string?>
        {
            ["Dashboard:Poller:AgentPort"] = _farm.Port.ToString(CultureInfo.InvariantCulture),
            ["Dashboard:Poller:MaxSnapshotBytes"] = (100 * 1024).ToString(CultureInfo.InvariantCulture),
        }, agentToken: _farm.Token);
        await _backend.StartStoreAsync();
        _farm.Register(_backend.Cluster);
        _backend.Cluster.UpsertNode(new Server.Cluster.NodeFacts { Name = "ip-10-0-6-6" });
        _backend.Cluster.UpsertPod(new Server.Cluster.CniPodFacts { Namespace = "cni-dashboard", Name = "agent-liar", Component = "cni-dashboard-agent", IsAgent = true, Node = "ip-10-0-6-6", PodIp = "127.99.0.9", Phase = "Running", Ready = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        await _liar.DisposeAsync();
        await _farm.DisposeAsync();
    }

    [Theory]
    [InlineData("garbage", "invalid snapshot JSON")]
    [InlineData("huge", "exceeds")]
    [InlineData("wrong-enum", "invalid snapshot JSON")]
    [InlineData("error", "HTTP 500")]
    public async Task A_bad_answer_marks_only_that_node_with_the_reason(string mode, string reason)
    {
        _mode = mode;

        var round = await _backend.Poller.PollOnceAsync(Ct);

        Assert.Equal((1, 1), (round.Changed, round.Failed));
        var liar = _backend.Fleet.Get("ip-10-0-6-6")!.Agent;
        Assert.Equal(AgentState.Unknown, liar.State);
        Assert.Contains(reason, liar.Reason, StringComparison.Ordinal);
        Assert.Equal(AgentState.Current, _backend.Fleet.Get("ip-10-0-1-10")!.Agent.State);
        Assert.Equal(0, await _backend.ScalarAsync("SELECT COUNT(*) FROM snapshots WHERE node = 'ip-10-0-6-6'"));
    }
}
