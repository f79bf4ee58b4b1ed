using System.Text.RegularExpressions;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Server.Tests.Store;

/// <summary>Snapshots and their blobs, on SQLite and on PostgreSQL (the same tests, one subclass per engine).</summary>
public abstract class SnapshotStoreTests(StoreProvider provider) : IDisposable
{
    private readonly StoreHarness _store = new(provider);
    private readonly TempDir _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Migrations_run_once_and_are_journaled()
    {
        // The harness already migrated; a second run applies nothing and the journal lists 0001.
        var second = _store.Migrator.Migrate();
        Assert.Empty(second);
        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM schemaversions WHERE scriptname LIKE '%0001_initial.sql'"));
        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM schemaversions WHERE scriptname LIKE '%0002_snapshot_first_of_node.sql'"));
        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM schemaversions WHERE scriptname LIKE '%0003_audit_log_and_settings.sql'"));
        if (_store.Provider == StoreProvider.Sqlite) Assert.Equal("wal", (await QueryTextAsync("PRAGMA journal_mode")).ToLowerInvariant());
        foreach (var table in new[] { "blobs", "nodes", "snapshots", "snapshot_files", "findings", "sandbox_events", "sandbox_event_counts", "retention", "audit_log", "settings" })
            Assert.True(await _store.TableExistsAsync(table), table);
    }

    [Fact]
    public async Task Identical_files_on_two_nodes_are_stored_once()
    {
        var a = Fixtures.Snapshot("node-a", Fixtures.Dir("healthy"));
        var b = Fixtures.Snapshot("node-b", Fixtures.Dir("healthy"));

        var results = await _store.Ingestor.IngestAsync([a, b], Ct);

        Assert.All(results, r => Assert.Equal(IngestOutcome.Stored, r.Outcome));
        Assert.Equal(2, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
        Assert.Equal(6, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshot_files"));
        // Three distinct contents (the conflists and the redacted kubeconfig are the same on both nodes).
        Assert.Equal(3, await _store.ScalarAsync("SELECT COUNT(*) FROM blobs"));
    }

    [Fact]
    public async Task Unchanged_snapshot_adds_no_blob_no_row_and_at_most_200_bytes()
    {
        var first = Fixtures.Snapshot("node-a", Fixtures.Dir("incident"));
        await _store.Ingestor.IngestAsync([first], Ct);
        var blobs = await _store.ScalarAsync("SELECT COUNT(*) FROM blobs");
        var files = await _store.ScalarAsync("SELECT COUNT(*) FROM snapshot_files");
        var (pages, size) = await SqliteSizeAsync();

        const int Rounds = 500;
        for (var i = 0; i < Rounds; i++)
        {
            // An agent restart loses the ETag: the same manifest arrives as a 200 with a new time.
            _store.Time.Advance(TimeSpan.FromSeconds(30));
            var again = first with { TakenAt = _store.Time.GetUtcNow() };
            var result = Assert.Single(await _store.Ingestor.IngestAsync([again], Ct));
            Assert.Equal(IngestOutcome.Unchanged, result.Outcome);
        }

        Assert.Equal(blobs, await _store.ScalarAsync("SELECT COUNT(*) FROM blobs"));
        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshots"));
        Assert.Equal(files, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshot_files"));
        if (_store.Provider != StoreProvider.Sqlite) return;
        // The file itself: not one page more.
        var (pagesAfter, sizeAfter) = await SqliteSizeAsync();
        Assert.Equal(pages, pagesAfter);
        var growthPerSnapshot = (sizeAfter - size) / (double)Rounds;
        Assert.True(growthPerSnapshot <= 200, $"grew {growthPerSnapshot} bytes per unchanged snapshot");
    }

    private async Task<(long Pages, long Bytes)> SqliteSizeAsync()
    {
        if (_store.Provider != StoreProvider.Sqlite) return (0, 0);
        await _store.CheckpointAsync();
        return (await _store.ScalarAsync("PRAGMA page_count"), new FileInfo(_store.Sqlite.DatabasePath).Length);
    }

    [Fact]
    public async Task Changed_file_makes_a_new_snapshot_listing_only_that_file()
    {
        var folder = Fixtures.CopyFolder("healthy", _dir.Sub("node"));
        await _store.Ingestor.IngestAsync([Fixtures.Snapshot("node-a", folder)], Ct);
        var conflist = Path.Combine(folder, "05-cilium.conflist");
        await File.WriteAllTextAsync(conflist, (await File.ReadAllTextAsync(conflist, Ct)).Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal), Ct);

        _store.Time.Advance(TimeSpan.FromMinutes(1));
        var result = Assert.Single(await _store.Ingestor.IngestAsync([Fixtures.Snapshot("node-a", folder)], Ct));

        Assert.Equal(IngestOutcome.Stored, result.Outcome);
        Assert.Equal(["05-cilium.conflist"], result.ChangedFiles);
        var history = await _store.Snapshots.ListAsync("node-a", 10, Ct);
        Assert.Equal(2, history.Count);
        Assert.Equal(["05-cilium.conflist"], history[0].ChangedFiles);
        Assert.Equal(3, history[1].ChangedFiles.Count);
        // The first snapshot lists every file as first seen; the next one is a change.
        Assert.Equal((false, true), (history[0].FirstOfNode, history[1].FirstOfNode));
        // Only the changed content is new: 3 blobs for the first snapshot, 1 more for the second.
        Assert.Equal(4, await _store.ScalarAsync("SELECT COUNT(*) FROM blobs"));

        var restored = await _store.Snapshots.GetContentAsync("node-a", history[1].Id, Ct);
        Assert.NotNull(restored);
        Assert.Equal(CniFolderReader.Read(Fixtures.Dir("healthy")).Select(f => f.Content), restored.Files.Select(f => f.Content));
        var file = await _store.Snapshots.GetFileAsync("node-a", history[0].Id, "05-cilium.conflist", Ct);
        Assert.Equal(await File.ReadAllTextAsync(conflist, Ct), file?.Content);
    }

    [Fact]
    public async Task Latest_snapshots_reload_into_memory_with_their_content()
    {
        await _store.Ingestor.IngestAsync([Fixtures.Snapshot("node-a", Fixtures.Dir("healthy")), Fixtures.Snapshot("node-b", Fixtures.Dir("incident"))], Ct);

        var latest = await _store.Snapshots.GetLatestForAllNodesAsync(Ct);

        Assert.Equal(["node-a", "node-b"], latest.Select(l => l.Header.Node).Order(StringComparer.Ordinal));
        var b = latest.Single(l => l.Header.Node == "node-b");
        Assert.Equal("05-cilium.conflist", b.Header.PrimaryFile);
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], b.Header.Chain);
        Assert.All(b.Files, f => Assert.NotNull(f.Content));
        Assert.NotNull(b.Files.Single(f => f.Name == "ZZZ-linkerd-cni-kubeconfig").Kubeconfig?.Token?.PodName);
    }

    [Fact]
    public async Task No_jwt_reaches_the_database_after_ingesting_the_reference_kubeconfig()
    {
        var token = Regex.Match(Fixtures.Text("incident/ZZZ-linkerd-cni-kubeconfig"), @"token: (\S+)").Groups[1].Value;
        Assert.StartsWith("eyJ", token, StringComparison.Ordinal);

        await _store.Ingestor.IngestAsync([Fixtures.Snapshot("node-a", Fixtures.Dir("incident")), Fixtures.Snapshot("node-b", Fixtures.Dir("healthy"))], Ct);

        var bytes = await _store.EverythingStoredAsync();
        Assert.DoesNotContain(token[..40], bytes, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.", bytes);
        Assert.Contains("<redacted sha256:", bytes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_carrying_a_token_is_refused_and_the_rest_of_the_batch_is_stored()
    {
        var raw = Fixtures.Text("incident/ZZZ-linkerd-cni-kubeconfig");
        var leaking = Fixtures.Snapshot("node-leak", [Fixtures.File_("ZZZ-linkerd-cni-kubeconfig", raw, CniFileKind.Kubeconfig)]);
        var fine = Fixtures.Snapshot("node-ok", Fixtures.Dir("healthy"));

        var results = await _store.Ingestor.IngestAsync([leaking, fine], Ct);

        var refused = results.Single(r => r.Node == "node-leak");
        Assert.Equal(IngestOutcome.Refused, refused.Outcome);
        Assert.Contains("JWT-shaped", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", refused.Error, StringComparison.Ordinal);
        Assert.Equal(IngestOutcome.Stored, results.Single(r => r.Node == "node-ok").Outcome);
        Assert.Equal(0, await _store.ScalarAsync("SELECT COUNT(*) FROM snapshots WHERE node = 'node-leak'"));
        Assert.Null(_store.Fleet.Get("node-leak")?.Latest);
        await Assert.ThrowsAsync<TokenLeakException>(() => _store.Snapshots.AddAsync([new SnapshotWrite(leaking, _store.Time.GetUtcNow(), [])], Ct));
    }

    private async Task<string> QueryTextAsync(string sql)
    {
        await using var c = await _store.Connections.OpenAsync(Ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}

public sealed class SnapshotStoreOnSqliteTests() : SnapshotStoreTests(StoreProvider.Sqlite);

public sealed class SnapshotStoreOnPostgresTests() : SnapshotStoreTests(StoreProvider.Postgres);
