using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Server.Tests.Store;

/// <summary>Findings, sandbox events and retention, on SQLite and on PostgreSQL (one subclass per engine).</summary>
public abstract class HistoryStoreTests(StoreProvider provider) : IDisposable
{
    private readonly StoreHarness _store = new(provider);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Finding Finding(string rule, Severity severity = Severity.Critical, string message = "stale linkerd-cni entry") => new()
    {
        Rule = rule,
        Severity = severity,
        File = "05-cilium.conflist",
        Plugin = "linkerd-cni",
        JsonPointer = "/plugins/4",
        Message = message,
        Explanation = "why",
        Remediation = "fix",
    };

    [Fact]
    public async Task A_finding_opens_updates_in_place_and_resolves_but_is_never_deleted()
    {
        var t0 = _store.Time.GetUtcNow();
        var f = Finding("mesh-token-pod-gone");
        await _store.Findings.ApplyAsync([new FindingChanges { Node = "n1", At = t0, SnapshotId = 1, Opened = [f], WorstSeverity = Severity.Critical }], Ct);
        // Seen again with another message: same key, same row.
        await _store.Findings.ApplyAsync([new FindingChanges { Node = "n1", At = t0.AddMinutes(1), SnapshotId = 1, Updated = [f with { Message = "now worse" }], WorstSeverity = Severity.Critical }], Ct);
        var open = Assert.Single(await _store.Findings.GetOpenAsync(Ct));
        Assert.Equal("now worse", open.Finding.Message);
        Assert.Equal(t0, open.OpenedAt);

        await _store.Findings.ApplyAsync([new FindingChanges { Node = "n1", At = t0.AddMinutes(5), SnapshotId = 2, ResolvedKeys = [f.Key] }], Ct);

        Assert.Empty(await _store.Findings.GetOpenAsync(Ct));
        var history = Assert.Single(await _store.Findings.GetForNodeAsync("n1", includeResolved: true, 10, Ct));
        Assert.Equal(t0.AddMinutes(5), history.ResolvedAt);
        Assert.Equal(2, history.ResolvedSnapshotId);

        // It comes back: a new row is opened; the old one stays resolved.
        await _store.Findings.ApplyAsync([new FindingChanges { Node = "n1", At = t0.AddMinutes(9), SnapshotId = 3, Opened = [f] }], Ct);
        var all = await _store.Findings.GetForNodeAsync("n1", includeResolved: true, 10, Ct);
        Assert.Equal(2, all.Count);
        Assert.Single(all, r => r.ResolvedAt is null);
        Assert.Empty(await _store.Findings.GetForNodeAsync("n1", includeResolved: true, 0, Ct));
    }

    private static SandboxEventObservation Event(string uid, int count, DateTimeOffset first, DateTimeOffset last, string node = "ip-10-0-12-34") => new()
    {
        Uid = uid,
        Node = node,
        Namespace = "linkerd-cni",
        Pod = "linkerd-cni-ltrn6",
        Message = "plugin type=\"linkerd-cni\" name=\"linkerd-cni\" failed (add): Unauthorized",
        Failure = SandboxErrorParser.Parse("Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"41b3\": plugin type=\"linkerd-cni\" name=\"linkerd-cni\" failed (add): Unauthorized"),
        Count = count,
        FirstSeen = first,
        LastSeen = last,
        Link = new ConfigEntryLink { File = "05-cilium.conflist", JsonPointer = "/plugins/4", PluginType = "linkerd-cni" },
    };

    [Fact]
    public async Task Sandbox_events_are_deduplicated_by_uid_and_count_increments_keep_their_time()
    {
        var t0 = _store.Time.GetUtcNow();
        var first = await _store.SandboxEvents.UpsertAsync([Event("uid-1", 1, t0, t0)], t0, Ct);
        Assert.Equal(new SandboxEventChange("uid-1", "ip-10-0-12-34", 1, true), Assert.Single(first));

        // The same observation replayed (a relist) adds nothing.
        var replay = await _store.SandboxEvents.UpsertAsync([Event("uid-1", 1, t0, t0)], t0, Ct);
        Assert.Equal(0, Assert.Single(replay).Delta);

        // Kubelet counted it 26 more times by 09:21.
        var later = t0.AddMinutes(21);
        var grown = await _store.SandboxEvents.UpsertAsync([Event("uid-1", 27, t0, later)], later, Ct);
        Assert.Equal(26, Assert.Single(grown).Delta);

        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM sandbox_events"));
        Assert.Equal(27, await _store.ScalarAsync("SELECT count FROM sandbox_events WHERE uid = 'uid-1'"));
        var timeline = await _store.SandboxEvents.TimelineAsync(t0, t0.AddMinutes(30), TimeSpan.FromMinutes(10), new SandboxErrorQuery(), SandboxGrouping.Plugin, Ct);
        Assert.Equal([1, 0, 26], timeline.Select(b => b.Counts.GetValueOrDefault("linkerd-cni")));

        var groups = await _store.SandboxEvents.GroupAsync(t0, new SandboxErrorQuery(), SandboxGrouping.ErrorClass, Ct);
        var g = Assert.Single(groups);
        Assert.Equal(("Unauthorized", 27, 1), (g.Key, g.Count, g.Nodes));

        var recent = Assert.Single(await _store.SandboxEvents.GetRecentAsync(t0, new SandboxErrorQuery { Node = "ip-10-0-12-34" }, 10, Ct));
        Assert.Equal(SandboxErrorClass.Unauthorized, recent.Failure.ErrorClass);
        Assert.Equal("linkerd-cni", recent.Failure.PluginType);
        Assert.Equal("/plugins/4", recent.LinkedEntry?.JsonPointer);
        Assert.Empty(await _store.SandboxEvents.GetRecentAsync(t0, new SandboxErrorQuery { Node = "other" }, 10, Ct));
    }

    [Fact]
    public async Task An_aggregated_event_seen_first_with_a_count_spreads_it_between_first_and_last()
    {
        var first = _store.Time.GetUtcNow();
        var last = first.AddMinutes(5);
        await _store.SandboxEvents.UpsertAsync([Event("uid-2", 27, first, last)], last, Ct);

        var increments = await _store.SandboxEvents.GetIncrementsAsync(first, Ct);

        Assert.Equal([(first, 1), (last, 26)], increments.Select(i => (i.At, i.Delta)));
    }

    /// <summary>
    /// Retention deleting a blob that only an old snapshot references, while an ingest stores a new
    /// snapshot with the same content (the blob already exists, so the ingest inserts nothing): after
    /// both, every entry's blob is there. SQLite serializes the two on its write lock; PostgreSQL on the
    /// blobs advisory lock (ingests shared, retention exclusive).
    /// </summary>
    [Fact]
    public async Task Retention_running_beside_ingest_never_deletes_a_blob_a_new_snapshot_references()
    {
        var old = _store.Time.GetUtcNow();
        var now = old.AddDays(100);
        const int Rounds = 40;
        for (var i = 0; i < Rounds; i++)
        {
            var shared = Fixtures.File_("10-aws.conflist", $$"""{"name":"aws-cni","cniVersion":"1.0.0","plugins":[{"type":"aws-cni","mtu":{{1000 + i}}}]}""");
            var moved = Fixtures.File_("10-aws.conflist", $$"""{"name":"aws-cni","cniVersion":"1.0.0","plugins":[{"type":"aws-cni","mtu":{{5000 + i}}}]}""");
            await _store.Snapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot($"old-{i}", [shared]), old, ["10-aws.conflist"])], Ct);
            await _store.Snapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot($"old-{i}", [moved]), now, ["10-aws.conflist"])], Ct);

            using var go = new ManualResetEventSlim();
            var prune = Task.Run(async () => { go.Wait(Ct); return await _store.Retention.PruneAsync(now.AddDays(-90), Ct); }, Ct);
            var ingest = Task.Run(async () => { go.Wait(Ct); return await _store.Snapshots.AddAsync([new SnapshotWrite(Fixtures.Snapshot($"new-{i}", [shared]), now, ["10-aws.conflist"])], Ct); }, Ct);
            go.Set();
            await Task.WhenAll(prune, ingest);
        }

        Assert.Equal(0, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshot_files f WHERE f.blob_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.key = f.blob_key)"));
        Assert.Equal(Rounds, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshots WHERE node LIKE 'new-%'"));
        for (var i = 0; i < Rounds; i += 13)
        {
            var latest = (await _store.Snapshots.ListAsync($"new-{i}", 1, Ct)).Single();
            Assert.Contains($"\"mtu\":{1000 + i}", (await _store.Snapshots.GetFileAsync($"new-{i}", latest.Id, "10-aws.conflist", Ct))!.Content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Retention_prunes_old_history_keeps_each_nodes_latest_and_collects_unreferenced_blobs()
    {
        var start = _store.Time.GetUtcNow();
        var v1 = Fixtures.Snapshot("node-a", [Fixtures.File_("10-aws.conflist", """{"name":"aws-cni","cniVersion":"1.0.0","plugins":[{"type":"aws-cni"}]}""")]);
        var v2 = Fixtures.Snapshot("node-a", [Fixtures.File_("10-aws.conflist", """{"name":"aws-cni","cniVersion":"1.0.0","plugins":[{"type":"aws-cni"},{"type":"portmap"}]}""")]);
        var quiet = Fixtures.Snapshot("node-quiet", [Fixtures.File_("99-loopback.conf", """{"name":"lo","type":"loopback"}""")]);
        await _store.Ingestor.IngestAsync([v1, quiet], Ct);
        await _store.SandboxEvents.UpsertAsync([Event("old", 3, start, start)], start, Ct);
        _store.Time.Advance(TimeSpan.FromDays(100));
        await _store.Ingestor.IngestAsync([v2], Ct);
        var recentAt = _store.Time.GetUtcNow();
        await _store.SandboxEvents.UpsertAsync([Event("new", 1, recentAt, recentAt)], recentAt, Ct);

        var result = await _store.Retention.PruneAsync(recentAt - TimeSpan.FromDays(90), Ct);

        // node-a's first snapshot goes (and its blob); node-quiet's only snapshot stays however old.
        Assert.Equal(new RetentionResult(Snapshots: 1, Blobs: 1, SandboxEvents: 1), result);
        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshots WHERE node = 'node-a'"));
        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshots WHERE node = 'node-quiet'"));
        Assert.Equal(2, await _store.ScalarAsync("SELECT COUNT(*) FROM blobs"));
        Assert.Equal(0, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshot_files WHERE snapshot_id NOT IN (SELECT id FROM snapshots)"));
        Assert.Equal(0, await _store.ScalarAsync("SELECT COUNT(*) FROM sandbox_event_counts WHERE uid = 'old'"));
        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM sandbox_events"));
        var pruned = await _store.Retention.GetPrunedBeforeAsync(Ct);
        Assert.Equal(recentAt - TimeSpan.FromDays(90), pruned["snapshots"]);
        Assert.Equal(recentAt - TimeSpan.FromDays(90), pruned["sandbox_events"]);

        // A second pass finds nothing more to do.
        Assert.Equal(new RetentionResult(0, 0, 0), await _store.Retention.PruneAsync(recentAt - TimeSpan.FromDays(90), Ct));
    }

    [Fact]
    public async Task Agent_state_transitions_are_persisted_and_reloaded()
    {
        var now = _store.Time.GetUtcNow();
        await _store.Nodes.SaveAgentStatesAsync([new AgentStateWrite("n1", new AgentStatus { State = AgentState.Stale, StaleSince = now, Reason = "connection refused", LastSeenAt = now.AddMinutes(-1) })], now, Ct);

        var row = Assert.Single(await _store.Nodes.GetAllAsync(Ct));

        Assert.Equal(("n1", AgentState.Stale, "connection refused"), (row.Name, row.AgentState, row.StaleReason));
        Assert.Equal(now, row.StaleSince);
        Assert.Equal(now.AddMinutes(-1), row.LastSeenAt);
    }
}

public sealed class HistoryStoreOnSqliteTests() : HistoryStoreTests(StoreProvider.Sqlite);

public sealed class HistoryStoreOnPostgresTests() : HistoryStoreTests(StoreProvider.Postgres);
