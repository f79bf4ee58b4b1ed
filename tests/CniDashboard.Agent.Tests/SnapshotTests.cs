using System.Net;
using System.Net.Http.Headers;
using CniDashboard.Agent.Node;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Tests;

public sealed class SnapshotTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Snapshot_lists_every_file_with_facts_primary_chain_and_binaries()
    {
        using var node = new TempNode("incident");
        await using var agent = await RunningAgent.StartAsync(node);

        var (response, snapshot) = await agent.GetSnapshotAsync();

        Assert.Equal("ip-10-0-12-34.us-west-2.compute.internal", snapshot.NodeName);
        Assert.Equal("/etc/cni/net.d", snapshot.CniDir);
        Assert.Equal(["05-cilium.conflist", "10-aws.conflist", "ZZZ-linkerd-cni-kubeconfig"], snapshot.Files.Select(f => f.Name));
        var cilium = snapshot.Files[0];
        Assert.Equal(CniFileKind.Config, cilium.Kind);
        Assert.Equal(node.Sha("05-cilium.conflist"), cilium.Sha256);
        Assert.Equal(new FileInfo(node.PathOf("05-cilium.conflist")).Length, cilium.Size);
        Assert.Equal("0640", cilium.Mode);
        Assert.Equal(node.Read("05-cilium.conflist"), cilium.Content);
        Assert.Null(cilium.LoadError);

        Assert.Equal("05-cilium.conflist", snapshot.PrimaryFile);
        Assert.Equal(PrimaryStatus.Loaded, snapshot.PrimaryStatus);
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], snapshot.Chain);

        var kubeconfig = snapshot.Files[2];
        Assert.Equal(CniFileKind.Kubeconfig, kubeconfig.Kind);
        Assert.Equal("0600", kubeconfig.Mode);
        Assert.Equal("https://[172.20.0.1]:443", kubeconfig.Kubeconfig!.Server);
        Assert.Equal("linkerd-cni-5hxw8", kubeconfig.Kubeconfig.Token!.PodName);
        Assert.Equal("system:serviceaccount:linkerd-cni:linkerd-cni", kubeconfig.Kubeconfig.Token.Subject);
        Assert.Contains("<redacted sha256:", kubeconfig.Content, StringComparison.Ordinal);

        Assert.Equal(["aws-cni", "cilium-cni", "egress-cni", "linkerd-cni", "portmap"], snapshot.Binaries!.Select(b => b.Name));
        var portmap = snapshot.Binaries!.Single(b => b.Name == "portmap");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(node.BinDir, "portmap")))), portmap.Sha256);

        Assert.Equal($"\"{snapshot.ManifestHash}\"", response.Headers.ETag!.Tag);
        Assert.False(response.Headers.ETag.IsWeak);
    }

    [Fact]
    public async Task Reference_token_never_appears_in_the_snapshot_body()
    {
        using var node = new TempNode("healthy");
        await using var agent = await RunningAgent.StartAsync(node);

        var body = await agent.Http.GetStringAsync("/v1/snapshot", Ct);

        Assert.Contains("ZZZ-linkerd-cni-kubeconfig", body, StringComparison.Ordinal);
        Assert.DoesNotContain(TempNode.ReferenceToken, body, StringComparison.Ordinal);
        Assert.DoesNotContain(TempNode.ReferenceTokenSignature, body, StringComparison.Ordinal);
        Assert.DoesNotContain(TempNode.ReferenceToken.Split('.')[1], body, StringComparison.Ordinal);
        Assert.True(Shared.Kubeconfig.TokenRedactor.ContainsNoJwt(body));
    }

    [Fact]
    public async Task Unchanged_folder_answers_304_without_a_body()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var (first, _) = await agent.GetSnapshotAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await agent.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
    }

    [Fact]
    public async Task Other_etag_gets_the_full_snapshot()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        using var response = await agent.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Cached_snapshot_is_served_without_reading_the_folder_until_invalidated()
    {
        using var node = new TempNode();
        // No watcher and no rescan: only Invalidate() may drop the cache (the simulator's setup).
        await using var agent = await RunningAgent.StartAsync(node, o => o with { WatchFolder = false, RescanInterval = Timeout.InfiniteTimeSpan });
        var (first, _) = await agent.GetSnapshotAsync();

        File.Delete(node.PathOf("10-aws.conflist"));
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot"))
        {
            request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            using var cached = await agent.Http.SendAsync(request, Ct);
            // The deleted file was not noticed: the answer came from the cache, not the disk.
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        }

        agent.Agent.Invalidate();
        var (after, snapshot) = await agent.GetSnapshotAsync();
        Assert.NotEqual(first.Headers.ETag, after.Headers.ETag);
        Assert.DoesNotContain(snapshot.Files, f => f.Name == "10-aws.conflist");
    }

    /// <summary>
    /// With the periodic rescan off and no invalidation, only the folder watcher can make a write
    /// show. How fast a write reaches the browser is a benchmark figure (docs/performance.md), not asserted here: the
    /// deadline only bounds a broken watcher's wait.
    /// </summary>
    [Fact]
    public async Task A_file_write_is_seen_through_the_folder_watcher_without_a_rescan()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node, o => o with { RescanInterval = Timeout.InfiniteTimeSpan });
        var (first, _) = await agent.GetSnapshotAsync();

        await File.WriteAllTextAsync(node.PathOf("10-aws.conflist"), node.Read("10-aws.conflist").Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal), Ct);

        var newSha = node.Sha("10-aws.conflist");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (response, snapshot) = await agent.GetSnapshotAsync();
            if (response.Headers.ETag != first.Headers.ETag && snapshot.Files.Single(f => f.Name == "10-aws.conflist").Sha256 == newSha) break;
            Assert.True(DateTime.UtcNow < deadline, "the folder watcher never reported the write");
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task Touching_a_file_keeps_the_etag()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node, o => o with { WatchFolder = false, RescanInterval = Timeout.InfiniteTimeSpan });
        var (first, _) = await agent.GetSnapshotAsync();

        File.SetLastWriteTimeUtc(node.PathOf("05-cilium.conflist"), DateTime.UtcNow.AddHours(-5));
        agent.Agent.Invalidate();
        var (second, snapshot) = await agent.GetSnapshotAsync();

        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.True(snapshot.Files[0].ModifiedAt < DateTimeOffset.UtcNow.AddHours(-4));
    }

    [Fact]
    public async Task Rescan_timer_drops_the_cache_without_a_watcher()
    {
        using var node = new TempNode();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var agent = await RunningAgent.StartAsync(node, o => o with { WatchFolder = false, RescanInterval = TimeSpan.FromSeconds(30) }, time);
        var (first, _) = await agent.GetSnapshotAsync();

        File.Delete(node.PathOf("10-aws.conflist"));
        var (stale, _) = await agent.GetSnapshotAsync();
        Assert.Equal(first.Headers.ETag, stale.Headers.ETag);

        time.Advance(TimeSpan.FromSeconds(30));
        var (fresh, snapshot) = await agent.GetSnapshotAsync();
        Assert.NotEqual(first.Headers.ETag, fresh.Headers.ETag);
        Assert.Equal(2, snapshot.Files.Count);
    }

    [Fact]
    public async Task Symlink_leaving_the_folder_is_listed_but_never_read()
    {
        using var node = new TempNode();
        var outside = Path.Combine(node.Root, "secret.conflist");
        await File.WriteAllTextAsync(outside, "{\"outside\": \"do-not-serve\"}", Ct);
        File.CreateSymbolicLink(node.PathOf("01-evil.conflist"), outside);
        await using var agent = await RunningAgent.StartAsync(node);

        var body = await agent.Http.GetStringAsync("/v1/snapshot", Ct);
        var (_, snapshot) = await agent.GetSnapshotAsync();

        Assert.DoesNotContain("do-not-serve", body, StringComparison.Ordinal);
        var link = snapshot.Files.Single(f => f.Name == "01-evil.conflist");
        Assert.True(link.SymlinkLeavesFolder);
        Assert.Equal(ContentOmission.SymlinkOutsideFolder, link.ContentOmitted);
    }

    [Fact]
    public async Task Backup_folder_inside_the_cni_folder_is_refused()
    {
        using var node = new TempNode();
        var error = Assert.Throws<ArgumentException>(() => new NodeAgent(new NodeAgentOptions
        {
            NodeName = "n",
            CniDir = node.CniDir,
            BackupDir = Path.Combine(node.CniDir, "backups"),
        }));
        Assert.Contains("must not be inside the CNI folder", error.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public void Binary_hashes_are_reused_while_name_size_and_mtime_stay_the_same()
    {
        using var node = new TempNode();
        var catalog = new PluginBinaryCatalog(node.BinDir);
        var path = Path.Combine(node.BinDir, "portmap");
        var before = catalog.Read(Ct).Single(b => b.Name == "portmap").Sha256;
        var mtime = File.GetLastWriteTimeUtc(path);

        // Same size and mtime: the cached hash is kept (the file is not re-read).
        var original = File.ReadAllText(path);
        File.WriteAllText(path, original.ToUpperInvariant());
        File.SetLastWriteTimeUtc(path, mtime);
        Assert.Equal(before, catalog.Read(Ct).Single(b => b.Name == "portmap").Sha256);

        // A new mtime makes it hash again.
        File.SetLastWriteTimeUtc(path, mtime.AddSeconds(5));
        var after = catalog.Read(Ct).Single(b => b.Name == "portmap").Sha256;
        Assert.NotEqual(before, after);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), after);
    }

    [Fact]
    public async Task Unreadable_folder_is_503_and_not_ready_then_recovers()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node, o => o with { WatchFolder = false, RescanInterval = Timeout.InfiniteTimeSpan });
        var (_, before) = await agent.GetSnapshotAsync();
        var moved = node.CniDir + ".away";

        Directory.Move(node.CniDir, moved);
        agent.Agent.Invalidate();
        var error = await RunningAgent.ErrorOf(await agent.Http.GetAsync("/v1/snapshot", Ct), HttpStatusCode.ServiceUnavailable);
        Assert.Equal(Shared.Agent.AgentErrorCodes.FolderUnreadable, error.Code);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await agent.Http.GetAsync("/readyz", Ct)).StatusCode);

        Directory.Move(moved, node.CniDir);
        var (_, after) = await agent.GetSnapshotAsync();
        Assert.Equal(before.ManifestHash, after.ManifestHash);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/readyz", Ct)).StatusCode);
    }
}
