using System.Net;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Feed;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
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

        // Another cluster's node through the dashboard: prod-eu-1's node is read from its collector's rows.
        var euNode = await _dashboard.GetJsonAsync<NodeDetail>($"api/v1/clusters/prod-eu-1/nodes/{eu.Nodes[0].Name}");
        Assert.NotEmpty(euNode!.Files);
        Assert.Equal(eu.Nodes[0].Rules.Order(StringComparer.Ordinal), euNode.Findings.Select(f => f.Rule).Distinct().Order(StringComparer.Ordinal));

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

    [Fact]
    public async Task A_collectors_notification_reaches_the_dashboards_feed_marked_with_its_cluster()
    {
        var feed = _dashboard.Get<ClusterChangeFeed>();
        var node = "ip-10-0-1-1.us-west-2.compute.internal";
        var received = new List<ClusterChange>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var before = feed.SubscriberCount;
        var reading = Task.Run(async () =>
        {
            await foreach (var batch in feed.SubscribeAsync(stop.Token))
                lock (received) received.AddRange(batch);
        }, Ct);
        await Eventually.WaitAsync(() => feed.SubscriberCount > before, "the test's subscription", TimeSpan.FromSeconds(10));

        // As prod-eu-1's collector sends it, and as a sender older than clusters did (no cluster: the receiver's own).
        await NotifyAsync(new StoreChangeMessage { From = "eu-collector", Cluster = "prod-eu-1", Changes = [Probe(node, "probe from prod-eu-1")] });
        await NotifyAsync(new StoreChangeMessage { From = "old-replica", Changes = [Probe(node, "probe without a cluster")] });

        var probes = await Eventually.WaitAsync(() =>
        {
            lock (received)
            {
                var seen = received.Where(c => c.Summary?.StartsWith("probe ", StringComparison.Ordinal) == true).ToList();
                return Task.FromResult<List<ClusterChange>?>(seen.Count >= 2 ? seen : null);
            }
        }, "both probes on the dashboard's feed", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await reading.ContinueWith(_ => { }, TaskScheduler.Default);

        // The collector's change is prod-eu-1's node, not the dashboard's own node of the same name.
        Assert.Equal([("probe from prod-eu-1", "prod-eu-1"), ("probe without a cluster", null)], probes.Select(p => (p.Summary!, p.Cluster)));
    }

    private static ClusterChange Probe(string node, string summary) =>
        new() { Kind = ClusterChangeKind.NodeChanged, At = DateTimeOffset.UtcNow, Node = node, Summary = summary };

    private async Task NotifyAsync(StoreChangeMessage message)
    {
        await using var connection = await _dashboard.Get<IStoreConnectionFactory>().OpenAsync(Ct);
        await using var notify = connection.CreateCommand();
        notify.CommandText = $"SELECT pg_notify('{StoreChangeMessage.Channel}', @payload)";
        var payload = notify.CreateParameter();
        payload.ParameterName = "payload";
        payload.Value = message.ToPayload();
        notify.Parameters.Add(payload);
        await notify.ExecuteNonQueryAsync(Ct);
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
