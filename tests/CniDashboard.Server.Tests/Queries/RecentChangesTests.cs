using CniDashboard.Server.Ingest;
using CniDashboard.Server.Tests.Support;

namespace CniDashboard.Server.Tests.Queries;

/// <summary>The Overview's recent config changes: a node's first snapshot is its folder first seen, not a change.</summary>
public sealed class RecentChangesTests : IAsyncDisposable
{
    private readonly BackendHarness _backend = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _backend.DisposeAsync();

    [Fact]
    public async Task The_first_poll_of_a_node_is_first_seen_and_only_later_edits_are_changes()
    {
        await _backend.StartStoreAsync();
        var ingestor = _backend.Get<SnapshotIngestor>();
        using var dir = new TempDir();
        var folder = Fixtures.CopyFolder("healthy", dir.Sub("node-a"));

        await ingestor.IngestAsync([Fixtures.Snapshot("node-a", folder), Fixtures.Snapshot("node-b", Fixtures.Dir("incident"))], Ct);
        var afterFirstPoll = (await _backend.Queries.GetOverviewAsync(Ct)).RecentChanges;

        Assert.Equal(2, afterFirstPoll.Count);
        Assert.All(afterFirstPoll, c =>
        {
            Assert.True(c.FirstSeen, c.Node);
            Assert.StartsWith("3 files; chain ", c.Summary, StringComparison.Ordinal);
            Assert.DoesNotContain("changed", c.Summary, StringComparison.Ordinal);
        });

        var conflist = Path.Combine(folder, "05-cilium.conflist");
        await File.WriteAllTextAsync(conflist, (await File.ReadAllTextAsync(conflist, Ct)).Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal), Ct);
        await ingestor.IngestAsync([Fixtures.Snapshot("node-a", folder)], Ct);
        var recent = (await _backend.Queries.GetOverviewAsync(Ct)).RecentChanges;

        var edit = recent[0];
        Assert.Equal(("node-a", false), (edit.Node, edit.FirstSeen));
        Assert.Equal(["05-cilium.conflist"], edit.Files);
        Assert.StartsWith("05-cilium.conflist changed; chain aws-cni → ", edit.Summary, StringComparison.Ordinal);
        Assert.Equal(2, recent.Count(c => c.FirstSeen));
    }
}
