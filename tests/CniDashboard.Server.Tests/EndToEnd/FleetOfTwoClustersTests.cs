using System.Net;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Fleet;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Tests.EndToEnd;

/// <summary>
/// A fleet of two simulated clusters on one throwaway PostgreSQL (issue 14): prod-eu-1's collector
/// (Dashboard:Mode=collector) and prod-us-2's dashboard, each watching its own simulated cluster (12
/// nodes with the same names) and writing under its own cluster id.
/// </summary>
public sealed class FleetOfTwoClustersTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private FleetMember _collector = null!;
    private FleetMember _dashboard = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _collector = new FleetMember(_database.ConnectionString, "prod-eu-1", "collector");
        await _collector.InitializeAsync();
        _dashboard = new FleetMember(_database.ConnectionString, "prod-us-2", "dashboard");
        await _dashboard.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _dashboard.DisposeAsync();
        await _collector.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        _database.Dispose();
    }

    [Fact]
    public async Task Two_collectors_keep_their_rows_apart_the_fleet_overview_shows_both_and_a_plan_stays_in_its_cluster()
    {
        // Both clusters fetched and analyzed: the fleet overview, from the dashboard, shows 12 nodes in each.
        var fleet = await Eventually.WaitAsync(async () =>
        {
            var overview = await _dashboard.GetJsonAsync<FleetOverview>("api/v1/fleet");
            return overview is { Clusters.Count: 2 } && overview.Clusters.All(c => c.Nodes == 12 && c.Critical > 0) ? overview : null;
        }, "both clusters' nodes and findings in the fleet overview", TimeSpan.FromSeconds(90));

        Assert.Equal(["prod-eu-1", "prod-us-2"], fleet.Clusters.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.True(fleet.Clusters.Single(c => c.Id == "prod-us-2").IsLocal);
        var incident = Assert.Single(fleet.Findings, f => f.Clusters.Count == 2 && f.Severity == Severity.Critical);
        Assert.Equal(["prod-eu-1", "prod-us-2"], incident.Clusters.Select(c => c.Cluster).Order(StringComparer.Ordinal));

        // The same node names in both clusters, each under its own id; the unprefixed API is the dashboard's own cluster.
        var eu = await _dashboard.GetJsonAsync<FleetNodePage>("api/v1/clusters/prod-eu-1/nodes");
        var us = await _dashboard.GetJsonAsync<FleetNodePage>("api/v1/clusters/prod-us-2/nodes");
        Assert.Equal(eu!.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal), us!.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
        var own = await _dashboard.GetJsonAsync<Shared.Dashboard.NodePage>("api/v1/nodes");
        Assert.Equal(12, own!.Total);
        using (var unknown = await _dashboard.Http.GetAsync("api/v1/clusters/nowhere/nodes", Ct)) Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // The collector serves health and metrics only: no UI, no API.
        using (var health = await _collector.Http.GetAsync("healthz", Ct)) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using (var api = await _collector.Http.GetAsync("api/v1/fleet", Ct)) Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        using (var ui = await _collector.Http.GetAsync("", Ct)) Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);

        // A plan of prod-eu-1 (stored by its collector's repository) is not the dashboard's to list, load or run.
        var plans = new PlanRepository(_collector.Get<IStoreConnectionFactory>(), _collector.Get<StoreCluster>());
        var node = eu.Nodes[0].Name;
        var edit = new PlannedEdit { File = "05-cilium.conflist", Kind = FileEditKind.Replace, ExpectedSha256 = new string('a', 64), OldContent = "{\"a\":1}", NewContent = "{}", NewSha256 = PlannedEdit.Sha256Of("{}"), Summary = "remove linkerd-cni" };
        var draft = RemediationPlan.CreateDraft("rp-eu-only", "operator", DateTimeOffset.UtcNow, new PlanProposal { Rule = incident.Rule, Nodes = [new NodeRemediation { Node = node, Edits = [edit] }] });
        var audit = _collector.Get<IAuditLog>();
        await plans.InsertAsync(draft, (c, tx) => audit.AppendAsync(c, tx, new AuditRecord(AuditActor.System, "remediation.plan.created", new AuditTarget("plan", draft.Id), AuditOutcome.Ok), Ct), Ct);

        var listed = await _dashboard.GetJsonAsync<IReadOnlyList<PlanSummary>>("api/v1/remediation/plans");
        Assert.DoesNotContain(listed!, p => p.Id == "rp-eu-only");
        using (var load = await _dashboard.Http.GetAsync("api/v1/remediation/plans/rp-eu-only", Ct)) Assert.Equal(HttpStatusCode.NotFound, load.StatusCode);
        Assert.NotNull(await plans.GetAsync("rp-eu-only", Ct));
        var entry = await _dashboard.Get<IAuditReader>().GetHeadAsync(Ct);
        Assert.Equal(("prod-eu-1", "remediation.plan.created"), (entry!.Cluster, entry.Action));
    }

    /// <summary>One member of the fleet: a simulated cluster and the dashboard executable in the given mode on the shared store.</summary>
    private sealed class FleetMember(string connectionString, string cluster, string mode) : SimulatedDashboard
    {
        protected override IEnumerable<KeyValuePair<string, string?>> MoreSettings() =>
        [
            new("Dashboard:Store:Provider", "postgres"),
            new("Dashboard:Store:ConnectionString", connectionString),
            new("Dashboard:Cluster:Id", cluster),
            new("Dashboard:Mode", mode),
        ];
    }
}
