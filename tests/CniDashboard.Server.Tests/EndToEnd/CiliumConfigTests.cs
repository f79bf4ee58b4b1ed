using CniDashboard.Server.Analysis;
using CniDashboard.Server.Api;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Tests.EndToEnd;

/// <summary>
/// Cilium's ConfigMap reaches the analyzer: switching <c>cni-exclusive</c> in the simulated cluster
/// opens <c>cilium-exclusive-with-mesh</c> on every node (linkerd-cni runs on all of them) within
/// one whole-fleet pass, and switching it back resolves it.
/// </summary>
public sealed class CiliumConfigTests(SimulatedDashboard dashboard) : IClassFixture<SimulatedDashboard>
{
    private const string Rule = "cilium-exclusive-with-mesh";

    private Task<NodeFinding[]?> OpenAsync() => dashboard.GetJsonAsync<NodeFinding[]>($"api/v1/findings?rule={Rule}");

    [Fact]
    public async Task Switching_cni_exclusive_opens_the_finding_on_every_node_within_one_fleet_pass_and_switching_back_resolves_it()
    {
        var nodes = dashboard.Cluster.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal).ToArray();
        await Eventually.WaitAsync(async () => (await dashboard.GetJsonAsync<NodePage>("api/v1/nodes?limit=500"))?.Items.Count(n => n.PrimaryFile is not null) == nodes.Length,
            "every node analyzed with its files", TimeSpan.FromSeconds(60));
        var cluster = dashboard.Get<Server.Cluster.ClusterState>();
        await Eventually.WaitAsync(() => cluster.CiliumConfig.GetValueOrDefault("cni-exclusive") == "false", "the seeded cilium-config (chaining: cni-exclusive false) to be read");
        Assert.Empty((await OpenAsync())!);

        // Triggers for the whole fleet are served at most once per interval: one pass, plus the watch and the debounce.
        var onePass = dashboard.Get<AnalysisScheduler>().FleetPassInterval + TimeSpan.FromSeconds(5);
        dashboard.Cluster.SetCiliumExclusive(true);

        var opened = await Eventually.WaitAsync(async () => await OpenAsync() is { } f && f.Length == nodes.Length ? f : null,
            $"{Rule} open on all {nodes.Length} nodes", onePass);
        Assert.Equal(nodes, opened.Select(f => f.Node).Order(StringComparer.Ordinal));
        Assert.All(opened, f =>
        {
            Assert.Equal((Severity.Warning, "linkerd-cni"), (f.Finding.Severity, f.Finding.Plugin));
            Assert.Contains("cilium-config cni-exclusive: true", f.Finding.Evidence);
        });

        dashboard.Cluster.SetCiliumExclusive(false);

        await Eventually.WaitAsync(async () => (await OpenAsync())?.Length == 0, $"{Rule} to resolve everywhere", onePass);
        // Resolved, not forgotten.
        var history = await dashboard.GetJsonAsync<FindingRecord[]>($"api/v1/nodes/{nodes[0]}/findings?includeResolved=true");
        var record = Assert.Single(history!, r => r.Finding.Rule == Rule);
        Assert.NotNull(record.ResolvedAt);
    }
}
