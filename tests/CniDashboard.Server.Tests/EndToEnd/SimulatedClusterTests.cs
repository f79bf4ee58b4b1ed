using System.Diagnostics;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;
using CniDashboard.Simulator.Nodes;
using k8s.Models;

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
    public async Task Editing_a_node_file_shows_up_as_a_new_snapshot_and_diff_through_the_folder_watcher()
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
        // Written as a person with an editor would: nothing tells the agent but the simulated node's
        // folder watcher (inotify), and the agent's own rescan is minutes away.
        var clock = Stopwatch.StartNew();
        await System.IO.File.WriteAllTextAsync(path, edited, Ct);

        var history = await Eventually.WaitAsync(async () =>
        {
            var h = await dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/nodes/{node.Name}/snapshots");
            return h?.Snapshots.Count > before ? h : null;
        }, "the edit to be stored", TimeSpan.FromSeconds(30));
        var elapsed = clock.Elapsed;

        // The time is a figure, not a bar held here (the browser benchmark holds it: docs/performance.md).
        TestContext.Current.TestOutputHelper?.WriteLine($"file written → stored: {elapsed.TotalMilliseconds:0} ms (poll interval {dashboard.PollInterval.TotalSeconds:0} s)");
        Assert.Equal([File], history.Snapshots[0].ChangedFiles);
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

        var api = dashboard.Cluster.Emulator;
        var template = api.Cluster.Events.List(fieldSelector: "reason=FailedCreatePodSandBox").First(e => e.Source?.Host == incident);
        var listsBefore = api.RequestCount("list", "events");
        var madeInCuts = new List<(string Namespace, string Name)>();
        for (var i = 0; i < 3; i++)
        {
            api.DropWatches();
            // While the dashboard is cut off: a new failure, and more of an old one. Then the history
            // that would have carried them is compacted away, so only a relist can bring them.
            var made = api.Cluster.Events.Create(Copy(template, $"cut-{i}-{Guid.NewGuid():N}", count: 7 + i));
            madeInCuts.Add((made.Metadata.NamespaceProperty, made.Metadata.Name));
            api.Cluster.Events.Update(template.Metadata.NamespaceProperty, template.Metadata.Name, e =>
            {
                e.Count = (e.Count ?? 1) + 5;
                e.LastTimestamp = DateTime.UtcNow;
            });
            api.ExpireHistory();
            api.DropWatches();
        }

        // The events made during the cuts must arrive: a watcher that never came back fails here.
        var connections = dashboard.Get<SqliteConnectionFactory>();
        async Task<long?> StoredCountAsync(string uid)
        {
            await using var c = await connections.OpenAsync(Ct);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT count FROM sandbox_events WHERE uid = $uid";
            cmd.Parameters.AddWithValue("$uid", uid);
            return await cmd.ExecuteScalarAsync(Ct) as long?;
        }

        foreach (var (ns, name) in madeInCuts)
        {
            var made = api.Cluster.Events.Get(ns, name)!;
            await Eventually.WaitAsync(async () => await StoredCountAsync(made.Metadata.Uid) == made.Count, $"event {name}, made during a cut", TimeSpan.FromSeconds(30));
        }

        // Every event the API holds now must reach the store with at least its current count.
        var events = api.Cluster.Events.List(fieldSelector: "reason=FailedCreatePodSandBox");
        Assert.NotEmpty(events);
        foreach (var e in events)
        {
            await Eventually.WaitAsync(async () => await StoredCountAsync(e.Metadata.Uid) is long stored && stored >= (e.Count ?? 1), $"event {e.Metadata.Name}", TimeSpan.FromSeconds(30));
        }

        // And it got them by listing again after the 410, not by luck.
        Assert.True(api.RequestCount("list", "events") > listsBefore, "the events watch never relisted after its history expired");
    }

    /// <summary>A new event like <paramref name="template"/> (same node, pod and message) under another name.</summary>
    private static Corev1Event Copy(Corev1Event template, string name, int count)
    {
        var copy = k8s.KubernetesJson.Deserialize<Corev1Event>(k8s.KubernetesJson.Serialize(template));
        copy.Metadata = new k8s.Models.V1ObjectMeta { Name = name, NamespaceProperty = template.Metadata.NamespaceProperty };
        copy.Count = count;
        copy.FirstTimestamp = DateTime.UtcNow.AddMinutes(-1);
        copy.LastTimestamp = DateTime.UtcNow;
        return copy;
    }
}
