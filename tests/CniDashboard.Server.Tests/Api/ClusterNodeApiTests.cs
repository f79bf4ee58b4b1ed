using System.Net;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Tests.Api;

/// <summary>
/// Another cluster's node through the API (issue 14): a dashboard collecting the simulated cluster
/// (<c>default</c>) and, in the same store, rows a collector of prod-eu-1 wrote. Each node is served
/// under its own cluster's URL and is 404 under the other's.
/// </summary>
public sealed class ClusterNodeApiTests : IAsyncLifetime
{
    private const string EuNode = "ip-10-8-0-1.eu-west-1.compute.internal";
    private readonly SimulatedDashboard _dashboard = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _dashboard.InitializeAsync();
        var connections = _dashboard.Get<IStoreConnectionFactory>();
        var eu = new StoreCluster("prod-eu-1");
        var now = DateTimeOffset.UtcNow;
        var snapshots = new SnapshotRepository(connections, eu);
        await snapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot(EuNode, Fixtures.Dir("healthy")), now.AddMinutes(-5), ["05-cilium.conflist"], FirstOfNode: true)], Ct);
        await snapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot(EuNode, Fixtures.Dir("incident")), now, ["05-cilium.conflist"], FirstOfNode: false)], Ct);
    }

    public async ValueTask DisposeAsync() => await _dashboard.DisposeAsync();

    [Fact]
    public async Task A_node_of_another_cluster_is_served_under_its_cluster_and_is_404_under_the_dashboards_own()
    {
        var local = await Eventually.WaitAsync(async () =>
        {
            var page = await _dashboard.GetJsonAsync<NodePage>("api/v1/nodes?sort=Name&desc=false&limit=500");
            return page?.Items.FirstOrDefault(n => n.PrimaryFile is not null)?.Name;
        }, "a node of the simulated cluster polled", TimeSpan.FromSeconds(30));

        var detail = await _dashboard.GetJsonAsync<NodeDetail>($"api/v1/clusters/prod-eu-1/nodes/{EuNode}");
        Assert.NotNull(detail);
        Assert.Equal(EuNode, detail.Summary.Name);
        Assert.Contains(detail.Files, f => f.File.Name == "05-cilium.conflist" && f.IsPrimary);
        var history = await _dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/clusters/prod-eu-1/nodes/{EuNode}/snapshots");
        Assert.Equal(2, history!.Snapshots.Count);
        var diff = await _dashboard.GetJsonAsync<FolderDiff>($"api/v1/clusters/prod-eu-1/nodes/{EuNode}/diff");
        Assert.Contains(diff!.Files, f => f.File == "10-aws.conflist" && f.Status == FileDiffStatus.Modified);

        // Under the dashboard's own cluster (and unprefixed) the prod-eu-1 node does not exist, and the local node is not prod-eu-1's.
        foreach (var path in new[]
        {
            $"api/v1/clusters/default/nodes/{EuNode}", $"api/v1/nodes/{EuNode}", $"api/v1/clusters/default/nodes/{EuNode}/snapshots",
            $"api/v1/clusters/prod-eu-1/nodes/{local}", $"api/v1/clusters/prod-eu-1/nodes/{local}/diff", $"api/v1/clusters/nowhere/nodes/{EuNode}",
        })
        {
            using var response = await _dashboard.Http.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }

        // The dashboard's own cluster under its cluster URL is its live node.
        var own = await _dashboard.GetJsonAsync<NodeDetail>($"api/v1/clusters/default/nodes/{local}");
        Assert.NotEmpty(own!.Pods);
        using (var bad = await _dashboard.Http.GetAsync($"api/v1/clusters/Not_A_Label/nodes/{EuNode}", Ct)) Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Empty((await _dashboard.GetJsonAsync<IReadOnlyList<PlanSummary>>("api/v1/clusters/prod-eu-1/remediation/plans"))!);
        using (var state = await _dashboard.Http.GetAsync("api/v1/clusters/prod-eu-1/remediation/plans?state=Nope", Ct)) Assert.Equal(HttpStatusCode.BadRequest, state.StatusCode);
    }
}
