using System.Diagnostics;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Server.Tests.EndToEnd;

/// <summary>The acceptance, against the simulator: real HTTP, real agents, real SQLite file.</summary>
public sealed class SimulatedClusterTests(SimulatedDashboard dashboard) : IClassFixture<SimulatedDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<NodePage?> NodesAsync(string query = "") => dashboard.GetJsonAsync<NodePage>($"api/v1/nodes?limit=500{query}");

    [Fact]
    public async Task After_start_the_store_has_every_node()
    {
        await Eventually.WaitAsync(async () => (await NodesAsync())?.Items.Count(n => n.PrimaryFile is not null) == 12, "12 nodes with snapshots", TimeSpan.FromSeconds(30));

        var page = await NodesAsync();
        Assert.Equal(12, page!.Total);
        Assert.All(page.Items, n => Assert.Equal(AgentState.Current, n.Agent.State));
        Assert.All(page.Items, n => Assert.Equal("05-cilium.conflist", n.PrimaryFile));
        var connections = dashboard.Get<SqliteConnectionFactory>();
        await using var c = await connections.OpenAsync(Ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(DISTINCT node) FROM snapshots";
        Assert.Equal(12L, await cmd.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Incident_nodes_have_a_critical_finding_linked_to_their_unauthorized_events()
    {
        var incident = dashboard.Cluster.NodesWithRole(NodeRole.Incident).Select(n => n.Name).ToArray();
        Assert.NotEmpty(incident);

        foreach (var name in incident)
        {
            var detail = await Eventually.WaitAsync(async () =>
            {
                var d = await dashboard.GetJsonAsync<NodeDetail>($"api/v1/nodes/{name}");
                return d is not null
                    && d.Summary.WorstSeverity == Severity.Critical
                    && d.SandboxErrors.Any(e => e.Failure.ErrorClass == SandboxErrorClass.Unauthorized && e.LinkedEntry?.Rule is not null)
                    ? d : null;
            }, $"a critical finding linked to Unauthorized errors on {name}", TimeSpan.FromSeconds(60));

            var critical = detail.Findings.First(f => f.Severity == Severity.Critical);
            Assert.Equal(("linkerd-cni", "05-cilium.conflist"), (critical.Plugin, critical.File));
            var error = detail.SandboxErrors.First(e => e.Failure.ErrorClass == SandboxErrorClass.Unauthorized && e.LinkedEntry?.Rule is not null);
            Assert.Equal("05-cilium.conflist", error.LinkedEntry!.File);
            Assert.Equal(critical.JsonPointer ?? error.LinkedEntry.JsonPointer, error.LinkedEntry.JsonPointer);
            Assert.Equal(critical.Rule, error.LinkedEntry.Rule);
            var entry = detail.Chain.Single(c => c.JsonPointer == error.LinkedEntry.JsonPointer);
            Assert.Equal(("linkerd-cni", Severity.Critical), (entry.Type, entry.Severity));
        }

        // Healthy nodes do not carry the incident's finding.
        var healthy = dashboard.Cluster.NodesWithRole(NodeRole.Healthy).First().Name;
        var ok = await dashboard.GetJsonAsync<NodeDetail>($"api/v1/nodes/{healthy}");
        Assert.DoesNotContain(ok!.Findings, f => f.Severity == Severity.Critical);

        var critical2 = await NodesAsync("&severity=Critical");
        Assert.Equal(incident.Order(StringComparer.Ordinal), critical2!.Items.Select(n => n.Name).Order(StringComparer.Ordinal));

        // The overview's top finding is the incident's, on every incident node, titled by its rule, its example from one of them.
        var overview = await dashboard.GetJsonAsync<ClusterOverview>("api/v1/overview");
        var top = overview!.TopFindings[0];
        Assert.Equal((Severity.Critical, incident.Length), (top.Severity, top.AffectedNodes));
        Assert.Equal(AnalyzerRules.TitleOf(top.Rule), top.Title);
        Assert.Contains(top.MessageNode, incident);
    }

    [Fact]
    public async Task Editing_a_node_file_shows_up_as_a_new_snapshot_and_diff_within_one_poll()
    {
        // The drift node's Cilium backup: a real file no installer rewrites behind the test's back
        // (linkerd-cni re-patches every .conf/.conflist it sees change).
        var node = dashboard.Cluster.NodesWithRole(NodeRole.Drift).First();
        const string File = "10-aws.conflist.cilium_bak";
        await Eventually.WaitAsync(async () => (await dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/nodes/{node.Name}/snapshots"))?.Snapshots.Count >= 1, "a first snapshot", TimeSpan.FromSeconds(30));
        var before = (await dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/nodes/{node.Name}/snapshots"))!.Snapshots.Count;

        var path = Path.Combine(node.CniDir, File);
        var text = await System.IO.File.ReadAllTextAsync(path, Ct);
        var edited = text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1480\"", StringComparison.Ordinal);
        Assert.NotEqual(text, edited);
        var clock = Stopwatch.StartNew();
        await System.IO.File.WriteAllTextAsync(path, edited, Ct);
        dashboard.Cluster.Agents.Invalidate(node.Name);

        var history = await Eventually.WaitAsync(async () =>
        {
            var h = await dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/nodes/{node.Name}/snapshots");
            return h?.Snapshots.Count > before ? h : null;
        }, "the edit to be stored", TimeSpan.FromSeconds(30));
        var elapsed = clock.Elapsed;

        Assert.Equal([File], history.Snapshots[0].ChangedFiles);
        Assert.True(elapsed <= dashboard.PollInterval + dashboard.PollInterval + TimeSpan.FromSeconds(2), $"took {elapsed}");
        var diff = await dashboard.GetJsonAsync<FolderDiff>($"api/v1/nodes/{node.Name}/diff?against=previous");
        var file = Assert.Single(diff!.Files, f => f.Status == FileDiffStatus.Modified);
        Assert.Equal(File, file.File);
        Assert.Contains(file.Text.Rows, r => r.Right?.Text.Contains("1480", StringComparison.Ordinal) == true && r.Left?.Text.Contains("9001", StringComparison.Ordinal) == true);
        Assert.NotEmpty(file.ChainChanges);
        var content = await dashboard.Http.GetStringAsync($"api/v1/nodes/{node.Name}/snapshots/{history.Snapshots[0].Id}/files/{File}?raw=true", Ct);
        Assert.Equal(edited, content);
    }

    [Fact]
    public async Task A_watch_cut_and_expired_history_lose_no_sandbox_event()
    {
        var incident = dashboard.Cluster.NodesWithRole(NodeRole.Incident).First().Name;
        await Eventually.WaitAsync(async () => (await dashboard.GetJsonAsync<SandboxErrorReport>($"api/v1/sandbox-errors?node={incident}"))?.Total > 0, "sandbox errors", TimeSpan.FromSeconds(60));

        for (var i = 0; i < 3; i++)
        {
            dashboard.Cluster.Emulator.DropWatches();
            dashboard.Cluster.Emulator.ExpireHistory();
            dashboard.Cluster.Emulator.DropWatches();
        }

        // Every event the API holds now must reach the store with at least its current count.
        var events = dashboard.Cluster.Cluster.Events.List(fieldSelector: "reason=FailedCreatePodSandBox");
        Assert.NotEmpty(events);
        var connections = dashboard.Get<SqliteConnectionFactory>();
        foreach (var e in events)
        {
            await Eventually.WaitAsync(async () =>
            {
                await using var c = await connections.OpenAsync(Ct);
                await using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT count FROM sandbox_events WHERE uid = $uid";
                cmd.Parameters.AddWithValue("$uid", e.Metadata.Uid);
                return await cmd.ExecuteScalarAsync(Ct) is long stored && stored >= (e.Count ?? 1);
            }, $"event {e.Metadata.Name}", TimeSpan.FromSeconds(30));
        }
    }
}
