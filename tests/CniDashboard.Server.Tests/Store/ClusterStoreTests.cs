using CniDashboard.Server.Options;
using CniDashboard.Server.Queries;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Server.Tests.Store;

/// <summary>
/// Two clusters in one store (issue 14), on SQLite and on PostgreSQL: the same node names and event
/// uids in both, and every repository scoped to one cluster sees and changes only that cluster's rows.
/// </summary>
public abstract class ClusterStoreTests(StoreProvider provider) : IDisposable
{
    private readonly StoreHarness _store = new(provider);
    private static readonly StoreCluster Eu = new("prod-eu-1");
    private static readonly StoreCluster Us = new("prod-us-2");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Finding Finding(string rule, Severity severity = Severity.Critical) => new()
    {
        Rule = rule,
        Severity = severity,
        File = "05-cilium.conflist",
        Plugin = "linkerd-cni",
        JsonPointer = "/plugins/4",
        Message = "stale linkerd-cni entry",
        Explanation = "why",
        Remediation = "fix",
    };

    private static SandboxEventObservation Event(string uid, int count, DateTimeOffset at) => new()
    {
        Uid = uid,
        Node = "node-1",
        Namespace = "default",
        Pod = "web-1",
        Message = "plugin type=\"linkerd-cni\" failed (add): Unauthorized",
        Failure = SandboxErrorParser.Parse("Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"41b3\": plugin type=\"linkerd-cni\" name=\"linkerd-cni\" failed (add): Unauthorized"),
        Count = count,
        FirstSeen = at,
        LastSeen = at,
    };

    /// <summary>Findings on <paramref name="nodes"/> of a cluster, one rule each, with the nodes' rows (as ingest and analysis write them).</summary>
    private async Task OpenFindingsAsync(StoreCluster cluster, string rule, int nodes, Severity severity = Severity.Critical)
    {
        var now = _store.Time.GetUtcNow();
        var names = Enumerable.Range(1, nodes).Select(i => $"node-{i}").ToArray();
        await new NodeRepository(_store.Connections, cluster).SaveAgentStatesAsync([.. names.Select(n => new AgentStateWrite(n, new AgentStatus { State = AgentState.Current, LastSeenAt = now }))], now, Ct);
        await new FindingRepository(_store.Connections, cluster).ApplyAsync([.. names.Select(n => new FindingChanges { Node = n, At = now, Opened = [Finding(rule, severity)], WorstSeverity = severity })], Ct);
    }

    [Fact]
    public async Task The_same_node_name_in_two_clusters_is_two_nodes_with_their_own_snapshots_findings_and_events()
    {
        var euSnapshots = new SnapshotRepository(_store.Connections, Eu);
        var usSnapshots = new SnapshotRepository(_store.Connections, Us);
        var now = _store.Time.GetUtcNow();
        var euIds = await euSnapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot("node-1", Fixtures.Dir("incident")), now, ["05-cilium.conflist"], FirstOfNode: true)], Ct);
        var usIds = await usSnapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot("node-1", Fixtures.Dir("healthy")), now, ["05-cilium.conflist"], FirstOfNode: true)], Ct);
        await OpenFindingsAsync(Eu, "mesh-token-pod-gone", 1);

        // Each cluster's node-1 points at its own snapshot; the other cluster's is not found under it.
        Assert.Equal(euIds[0], Assert.Single(await new NodeRepository(_store.Connections, Eu).GetAllAsync(Ct)).LatestSnapshotId);
        Assert.Equal(usIds[0], Assert.Single(await new NodeRepository(_store.Connections, Us).GetAllAsync(Ct)).LatestSnapshotId);
        Assert.Null(await usSnapshots.GetAsync("node-1", euIds[0], Ct));
        Assert.Null(await usSnapshots.GetFileAsync("node-1", euIds[0], "05-cilium.conflist", Ct));
        Assert.Equal(usIds[0], Assert.Single(await usSnapshots.ListAsync("node-1", 10, Ct)).Id);
        Assert.Equal(usIds[0], Assert.Single(await usSnapshots.GetRecentChangesAsync(10, Ct)).Id);
        Assert.Equal(euIds[0], Assert.Single(await euSnapshots.GetLatestForAllNodesAsync(Ct)).Header.Id);
        // The default cluster (a single-cluster install) sees neither.
        Assert.Empty(await _store.Nodes.GetAllAsync(Ct));
        Assert.Empty(await _store.Snapshots.GetRecentChangesAsync(10, Ct));

        Assert.Single(await new FindingRepository(_store.Connections, Eu).GetOpenAsync(Ct));
        Assert.Empty(await new FindingRepository(_store.Connections, Us).GetOpenAsync(Ct));
        Assert.Null(Assert.Single(await new NodeRepository(_store.Connections, Us).GetAllAsync(Ct)).WorstSeverity);

        // One event uid in both clusters: two events, each counted on its own.
        var euEvents = new SandboxEventRepository(_store.Connections, Eu);
        var usEvents = new SandboxEventRepository(_store.Connections, Us);
        await euEvents.UpsertAsync([Event("uid-1", 3, now)], now, Ct);
        var us = await usEvents.UpsertAsync([Event("uid-1", 5, now)], now, Ct);
        Assert.True(Assert.Single(us).IsNew);
        Assert.Equal(3, Assert.Single(await euEvents.GetRecentAsync(now.AddHours(-1), new SandboxErrorQuery(), 10, Ct)).Count);
        Assert.Equal(5, Assert.Single(await usEvents.GroupAsync(now.AddHours(-1), new SandboxErrorQuery(), SandboxGrouping.Node, Ct)).Count);
        Assert.Equal(3, (await euEvents.GetIncrementsAsync(now.AddHours(-1), Ct)).Sum(i => i.Delta));
    }

    [Fact]
    public async Task Retention_prunes_only_its_own_cluster_and_keeps_blobs_another_cluster_references()
    {
        var t0 = _store.Time.GetUtcNow();
        var eu = new SnapshotRepository(_store.Connections, Eu);
        var us = new SnapshotRepository(_store.Connections, Us);
        // Both clusters' node-1 start from the same files (shared blobs); each then changes once.
        await eu.AddAsync([new SnapshotWrite(Fixtures.Snapshot("node-1", Fixtures.Dir("healthy")), t0, [], FirstOfNode: true)], Ct);
        await us.AddAsync([new SnapshotWrite(Fixtures.Snapshot("node-1", Fixtures.Dir("healthy")), t0, [], FirstOfNode: true)], Ct);
        await eu.AddAsync([new SnapshotWrite(Fixtures.Snapshot("node-1", Fixtures.Dir("incident")), t0.AddDays(10), ["05-cilium.conflist"])], Ct);
        await us.AddAsync([new SnapshotWrite(Fixtures.Snapshot("node-1", Fixtures.Dir("incident")), t0.AddDays(10), ["05-cilium.conflist"])], Ct);
        await new SandboxEventRepository(_store.Connections, Us).UpsertAsync([Event("uid-1", 1, t0)], t0, Ct);

        var result = await new RetentionRepository(_store.Connections, Eu).PruneAsync(t0.AddDays(5), Ct);

        Assert.Equal(1, result.Snapshots);
        Assert.Equal(0, result.SandboxEvents);
        Assert.Single(await eu.ListAsync("node-1", 10, Ct));
        var usHistory = await us.ListAsync("node-1", 10, Ct);
        Assert.Equal(2, usHistory.Count);
        // prod-us-2's first snapshot still reads whole: the healthy files' blobs were kept for it.
        var first = await us.GetContentAsync("node-1", usHistory[^1].Id, Ct);
        Assert.All(first!.Files.Where(f => f.Size > 0), f => Assert.NotNull(f.Content));
        Assert.Single(await new SandboxEventRepository(_store.Connections, Us).GetRecentAsync(t0.AddDays(-1), new SandboxErrorQuery(), 10, Ct));
        Assert.True((await new RetentionRepository(_store.Connections, Eu).GetPrunedBeforeAsync(Ct)).ContainsKey("snapshots"));
        Assert.Empty(await new RetentionRepository(_store.Connections, Us).GetPrunedBeforeAsync(Ct));
    }

    [Fact]
    public async Task A_plan_stays_in_its_cluster()
    {
        var now = _store.Time.GetUtcNow();
        var edit = new PlannedEdit { File = "05-cilium.conflist", Kind = FileEditKind.Replace, ExpectedSha256 = new string('a', 64), OldContent = "{\"a\":1}", NewContent = "{}", NewSha256 = PlannedEdit.Sha256Of("{}"), Summary = "remove linkerd-cni" };
        var proposal = new PlanProposal { Rule = "mesh-token-pod-gone", Plugin = "linkerd-cni", Nodes = [new NodeRemediation { Node = "node-1", Edits = [edit] }] };
        var draft = RemediationPlan.CreateDraft("rp-eu-1", "operator", now, proposal);
        var euPlans = new PlanRepository(_store.Connections, Eu);
        var usPlans = new PlanRepository(_store.Connections, Us);
        var audit = new AuditLogRepository(_store.Connections, _store.Time, Eu);
        await euPlans.InsertAsync(draft, (c, tx) => audit.AppendAsync(c, tx, new Server.Audit.AuditRecord(Server.Audit.AuditActor.System, "remediation.plan.created", new Server.Audit.AuditTarget("plan", draft.Id), Server.Audit.AuditOutcome.Ok), Ct), Ct);

        Assert.NotNull(await euPlans.GetAsync("rp-eu-1", Ct));
        Assert.Null(await usPlans.GetAsync("rp-eu-1", Ct));
        Assert.Single(await euPlans.ListAsync(new PlanListQuery(), Ct));
        Assert.Empty(await usPlans.ListAsync(new PlanListQuery(), Ct));
        Assert.Empty(await usPlans.IdsInAsync([PlanState.Draft], Ct));
        // The fleet dashboard (prod-us-2's) lists it under prod-eu-1 only.
        var fleet = new FleetQueries(new FleetRepository(_store.Connections), Us, _store.Options, _store.Connections, _store.Time);
        Assert.Equal(["rp-eu-1"], (await fleet.GetClusterPlansAsync("prod-eu-1", new PlanListQuery(), Ct)).Select(p => p.Id));
        Assert.Empty(await fleet.GetClusterPlansAsync("prod-us-2", new PlanListQuery(), Ct));
        Assert.Empty(await fleet.GetClusterPlansAsync("../etc", new PlanListQuery(), Ct));
        // Another cluster's repository cannot move it on: to it, the plan does not exist.
        var submitted = draft.Submit("operator", "please", new ApprovalPolicy(), now);
        var refused = await Assert.ThrowsAsync<PlanConflictException>(() => usPlans.UpdateAsync(draft, submitted, (c, tx) => Task.FromResult(0L), Ct));
        Assert.Contains("does not exist", refused.Message, StringComparison.Ordinal);
        // The audit entry names the cluster, and its hash covers it.
        var entry = Assert.Single(await ReadAuditAsync());
        Assert.Equal("prod-eu-1", entry.Cluster);
        Assert.Equal(entry.Hash, Shared.Audit.AuditCanonicalForm.ComputeHash(entry));
        Assert.NotEqual(entry.Hash, Shared.Audit.AuditCanonicalForm.ComputeHash(entry with { Cluster = "prod-us-2" }));
    }

    private async Task<List<Shared.Audit.AuditEntry>> ReadAuditAsync()
    {
        var list = new List<Shared.Audit.AuditEntry>();
        await foreach (var e in new AuditLogRepository(_store.Connections, _store.Time).ReadChainAsync(0, Ct)) list.Add(e);
        return list;
    }

    [Fact]
    public async Task The_fleet_overview_ranks_clusters_worst_first_and_counts_findings_per_cluster()
    {
        await OpenFindingsAsync(Eu, "mesh-token-pod-gone", 3);
        await OpenFindingsAsync(Us, "mesh-token-pod-gone", 40);
        await OpenFindingsAsync(new StoreCluster("staging"), "duplicate-plugin", 2, Severity.Warning);
        var queries = new FleetQueries(new FleetRepository(_store.Connections), Eu, _store.Options, _store.Connections, _store.Time);

        var overview = await queries.GetOverviewAsync(Ct);

        Assert.Equal(["prod-us-2", "prod-eu-1", "staging"], overview.Clusters.Select(c => c.Id));
        Assert.Equal((40, 40), (overview.Clusters[0].Nodes, overview.Clusters[0].Critical));
        Assert.Equal([false, true, false], overview.Clusters.Select(c => c.IsLocal));
        Assert.Equal(2, overview.Clusters[2].Warning);
        var mesh = overview.Findings[0];
        Assert.Equal("mesh-token-pod-gone on 40 nodes in prod-us-2, 3 in prod-eu-1", FleetRanking.Describe(mesh));
        Assert.Equal("duplicate-plugin", overview.Findings[1].Rule);

        var page = await queries.GetClusterNodesAsync("prod-eu-1", Ct);
        Assert.Equal(["node-1", "node-2", "node-3"], page!.Nodes.Select(n => n.Name));
        Assert.All(page.Nodes, n => Assert.Equal(["mesh-token-pod-gone"], n.Rules));
        Assert.Null(await queries.GetClusterNodesAsync("nowhere", Ct));
        Assert.Null(await queries.GetClusterNodesAsync("../etc", Ct));
    }

    [Fact]
    public async Task A_cluster_page_is_capped_and_says_so()
    {
        await OpenFindingsAsync(Us, "mesh-token-pod-gone", 5);
        var options = Microsoft.Extensions.Options.Options.Create(new DashboardOptions { Queries = new QueryOptions { MaxPageSize = 2 } });
        var page = await new FleetQueries(new FleetRepository(_store.Connections), Eu, options, _store.Connections, _store.Time).GetClusterNodesAsync("prod-us-2", Ct);
        Assert.Equal(2, page!.Nodes.Count);
        Assert.True(page.Truncated);
        Assert.Equal(5, page.Cluster.Nodes);
    }

    [Fact]
    public async Task Another_clusters_node_is_read_from_its_rows_and_is_unknown_under_a_cluster_without_it()
    {
        // eu-only-node exists in prod-eu-1 only (two snapshots and a finding); node-1 in both.
        var euSnapshots = new SnapshotRepository(_store.Connections, Eu);
        var now = _store.Time.GetUtcNow();
        await euSnapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot("eu-only-node", Fixtures.Dir("healthy")), now.AddMinutes(-5), ["05-cilium.conflist"], FirstOfNode: true)], Ct);
        await euSnapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot("eu-only-node", Fixtures.Dir("incident")), now, ["05-cilium.conflist"], FirstOfNode: false)], Ct);
        await new FindingRepository(_store.Connections, Eu).ApplyAsync([new FindingChanges { Node = "eu-only-node", At = now, Opened = [Finding("mesh-token-pod-gone")], WorstSeverity = Severity.Critical }], Ct);
        await new SandboxEventRepository(_store.Connections, Eu).UpsertAsync([Event("uid-eu", 3, now) with { Node = "eu-only-node" }], now, Ct);
        await OpenFindingsAsync(Us, "mesh-token-pod-gone", 1);
        var fleet = new FleetQueries(new FleetRepository(_store.Connections), Us, _store.Options, _store.Connections, _store.Time);

        var eu = fleet.QueriesFor("prod-eu-1")!;
        var detail = await eu.GetNodeAsync("eu-only-node", Ct);
        Assert.NotNull(detail);
        Assert.Equal("05-cilium.conflist", detail.Summary.PrimaryFile);
        Assert.Contains(detail.Files, f => f.File.Name == "05-cilium.conflist" && f.IsPrimary);
        Assert.Equal(["mesh-token-pod-gone"], detail.Findings.Select(f => f.Rule));
        Assert.Equal(Severity.Critical, detail.Summary.WorstSeverity);
        Assert.Equal(3, Assert.Single(detail.SandboxErrors).Count);
        Assert.Equal(2, (await eu.GetHistoryAsync("eu-only-node", 10, Ct)).Snapshots.Count);
        var diff = await eu.GetDiffAsync(new DiffRequest(DiffSide.PreviousOf("eu-only-node"), DiffSide.Latest("eu-only-node"), null), Ct);
        Assert.Null(diff.Unavailable);
        Assert.Contains(diff.Files, f => f.File == "10-aws.conflist" && f.Status == FileDiffStatus.Modified);

        // Under prod-us-2 (and a cluster the store has nothing of) the node does not exist; prod-us-2's node-1 is not prod-eu-1's.
        var us = fleet.QueriesFor("prod-us-2")!;
        Assert.Null(await us.GetNodeAsync("eu-only-node", Ct));
        Assert.Empty((await us.GetHistoryAsync("eu-only-node", 10, Ct)).Snapshots);
        Assert.Null(await fleet.QueriesFor("nowhere")!.GetNodeAsync("eu-only-node", Ct));
        Assert.Null(await eu.GetNodeAsync("node-1", Ct));
        Assert.NotNull(await us.GetNodeAsync("node-1", Ct));
        Assert.Null(fleet.QueriesFor("../etc"));
    }
}

public sealed class ClusterStoreOnSqliteTests() : ClusterStoreTests(StoreProvider.Sqlite);

public sealed class ClusterStoreOnPostgresTests() : ClusterStoreTests(StoreProvider.Postgres);
