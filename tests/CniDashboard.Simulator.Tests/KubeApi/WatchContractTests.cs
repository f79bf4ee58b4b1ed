using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class WatchContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_watch_from_a_lists_resource_version_sees_added_modified_deleted_in_order()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-existing");
        var client = harness.DashboardClient();
        var list = await client.CoreV1.ListNodeAsync(cancellationToken: Ct);

        await using var watch = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: list.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        harness.AddNode("node-new");
        harness.Cluster.Nodes.Update(null, "node-new", n => n.Metadata.Labels["role"] = "worker");
        harness.Cluster.Nodes.Delete(null, "node-new");

        var added = await watch.NextAsync();
        var modified = await watch.NextAsync();
        var deleted = await watch.NextAsync();
        Assert.Equal((WatchEventType.Added, "node-new"), (added.Type, added.Object.Metadata.Name));
        Assert.Equal((WatchEventType.Modified, "worker"), (modified.Type, modified.Object.Metadata.Labels["role"]));
        Assert.Equal((WatchEventType.Deleted, "node-new"), (deleted.Type, deleted.Object.Metadata.Name));
        Assert.True(
            long.Parse(added.Object.Metadata.ResourceVersion) < long.Parse(modified.Object.Metadata.ResourceVersion)
            && long.Parse(modified.Object.Metadata.ResourceVersion) < long.Parse(deleted.Object.Metadata.ResourceVersion),
            "resourceVersions must increase along the stream");
    }

    [Fact]
    public async Task A_watch_without_resource_version_starts_with_the_current_objects()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-a");
        harness.AddNode("node-b");
        var client = harness.DashboardClient();

        await using var watch = WatchRecorder<V1Node>.Start((onError, ct) => client.CoreV1.WatchListNodeAsync(onError: onError, cancellationToken: ct));

        var first = await watch.NextAsync();
        var second = await watch.NextAsync();
        Assert.Equal([(WatchEventType.Added, "node-a"), (WatchEventType.Added, "node-b")], [(first.Type, first.Object.Metadata.Name), (second.Type, second.Object.Metadata.Name)]);
    }

    [Fact]
    public async Task Selectors_apply_to_watch_events_and_an_object_leaving_the_selection_is_deleted()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var client = harness.DashboardClient();
        var rv = (await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: Ct)).Metadata.ResourceVersion;

        await using var watch = WatchRecorder<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(
            resourceVersion: rv, fieldSelector: "spec.nodeName=node-a", labelSelector: "app=cni", onError: onError, cancellationToken: ct));
        harness.AddPod("kube-system", "other-node", "node-b", new Dictionary<string, string> { ["app"] = "cni" });
        harness.AddPod("kube-system", "other-app", "node-a", new Dictionary<string, string> { ["app"] = "web" });
        harness.AddPod("kube-system", "wanted", "node-a", new Dictionary<string, string> { ["app"] = "cni" });
        harness.Cluster.Pods.Update("kube-system", "wanted", p => p.Metadata.Labels["app"] = "retired");

        var added = await watch.NextAsync();
        var left = await watch.NextAsync();
        Assert.Equal((WatchEventType.Added, "wanted"), (added.Type, added.Object.Metadata.Name));
        Assert.Equal((WatchEventType.Deleted, "wanted"), (left.Type, left.Object.Metadata.Name));
    }

    [Fact]
    public async Task Bookmarks_arrive_on_the_bookmark_interval_when_allowed()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false, bookmarkInterval: TimeSpan.FromSeconds(30));
        var client = harness.DashboardClient();
        var rv = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Metadata.ResourceVersion;

        await using var watch = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct));
        await Eventually.TrueAsync(() => harness.Cluster.OpenWatchCount == 1, "the watch to be open on the server");
        harness.AddNode("node-a");
        var added = await watch.NextAsync();

        harness.Time!.Advance(TimeSpan.FromSeconds(30));
        var bookmark = await watch.NextAsync();

        Assert.Equal(WatchEventType.Added, added.Type);
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.Equal(harness.Cluster.ResourceVersion.ToString(), bookmark.Object.Metadata.ResourceVersion);
        Assert.Empty(watch.Errors);
    }

    [Fact]
    public async Task Without_allow_watch_bookmarks_no_bookmark_is_sent()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false, bookmarkInterval: TimeSpan.FromSeconds(30));
        var client = harness.DashboardClient();
        var rv = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Metadata.ResourceVersion;

        await using var watch = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: rv, onError: onError, cancellationToken: ct));
        await Eventually.TrueAsync(() => harness.Cluster.OpenWatchCount == 1, "the watch to be open on the server");
        harness.Time!.Advance(TimeSpan.FromMinutes(5));
        harness.AddNode("node-a");

        var next = await watch.NextAsync();
        Assert.Equal((WatchEventType.Added, "node-a"), (next.Type, next.Object.Metadata.Name));
    }

    [Fact]
    public async Task Timeout_seconds_ends_the_stream_when_the_clock_passes_it()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false);
        var client = harness.DashboardClient();
        var rv = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Metadata.ResourceVersion;

        await using var watch = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: rv, timeoutSeconds: 60, onError: onError, cancellationToken: ct));
        await Eventually.TrueAsync(() => harness.Cluster.OpenWatchCount == 1, "the watch to be open on the server");
        harness.AddNode("node-a");
        await watch.NextAsync();

        harness.Time!.Advance(TimeSpan.FromSeconds(61));

        Assert.Empty(await watch.EndAsync());
        await Eventually.TrueAsync(() => harness.Cluster.OpenWatchCount == 0, "the server to forget the watch");
    }

    [Fact]
    public async Task A_too_old_resource_version_yields_410_expired_and_a_relist_then_watch_misses_nothing()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var client = harness.DashboardClient();
        var stale = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Metadata.ResourceVersion;
        harness.AddNode("node-before-compaction");
        harness.Emulator.ExpireHistory();

        await using (var expired = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: stale, onError: onError, cancellationToken: ct)))
        {
            Assert.Empty(await expired.EndAsync());
            var error = Assert.IsType<KubernetesException>(Assert.Single(expired.Errors));
            Assert.Equal(410, error.Status.Code);
            Assert.Equal("Expired", error.Status.Reason);
            Assert.Equal($"too old resource version: {stale} ({harness.Cluster.ResourceVersion})", error.Status.Message);
        }

        var relist = await client.CoreV1.ListNodeAsync(cancellationToken: Ct);
        Assert.Equal(["node-before-compaction"], relist.Items.Select(n => n.Metadata.Name));
        await using var resumed = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: relist.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        harness.AddNode("node-after-relist");

        var next = await resumed.NextAsync();
        Assert.Equal((WatchEventType.Added, "node-after-relist"), (next.Type, next.Object.Metadata.Name));
        Assert.Empty(resumed.Errors);
    }

    [Fact]
    public async Task The_history_is_bounded_so_a_version_older_than_the_retained_window_expires()
    {
        await using var harness = await EmulatorHarness.StartAsync(watchHistoryCapacity: 3, runDaemonSetController: false);
        var client = harness.DashboardClient();
        var start = harness.Cluster.ResourceVersion.ToString();
        for (var i = 0; i < 5; i++)
        {
            harness.AddNode($"node-{i}");
        }

        var recent = (harness.Cluster.ResourceVersion - 2).ToString();

        await using var tooOld = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: start, onError: onError, cancellationToken: ct));
        await tooOld.EndAsync();
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(tooOld.Errors)).Status.Code);

        await using var withinWindow = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: recent, onError: onError, cancellationToken: ct));
        var replayed = await withinWindow.NextAsync();
        Assert.Equal((WatchEventType.Added, "node-3"), (replayed.Type, replayed.Object.Metadata.Name));
    }

    [Fact]
    public async Task DropWatches_ends_the_stream_and_a_rewatch_from_the_last_seen_version_misses_nothing()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var client = harness.DashboardClient();
        var rv = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Metadata.ResourceVersion;

        string lastSeen;
        await using (var first = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: rv, onError: onError, cancellationToken: ct)))
        {
            harness.AddNode("node-a");
            var seen = await first.NextAsync();
            lastSeen = seen.Object.Metadata.ResourceVersion;

            harness.Emulator.DropWatches();
            Assert.Empty(await first.EndAsync());
        }

        // Changes made while nobody watches are replayed from the history.
        harness.AddNode("node-b");
        harness.Cluster.Nodes.Update(null, "node-a", n => n.Spec.Unschedulable = true);

        await using var second = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: lastSeen, onError: onError, cancellationToken: ct));
        var b = await second.NextAsync();
        var a = await second.NextAsync();
        Assert.Equal((WatchEventType.Added, "node-b"), (b.Type, b.Object.Metadata.Name));
        Assert.Equal((WatchEventType.Modified, true), (a.Type, a.Object.Spec.Unschedulable));
    }

    [Fact]
    public async Task A_restart_ends_the_streams_refuses_connections_while_down_then_serves_the_same_objects_where_it_was_with_old_versions_expired()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var client = harness.DashboardClient();
        harness.AddNode("node-a");
        var before = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Metadata.ResourceVersion;
        await using var watch = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: before, onError: onError, cancellationToken: ct));
        harness.AddNode("node-b");
        Assert.Equal("node-b", (await watch.NextAsync()).Object.Metadata.Name);
        var latest = harness.Cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var restart = harness.Emulator.RestartAsync(TimeSpan.FromSeconds(5), Ct);
        await watch.EndAsync();
        await Eventually.TrueAsync(() => Refused(harness.Emulator.BaseAddress.Port), "connections to be refused while the server is down");
        await restart;

        var after = await client.CoreV1.ListNodeAsync(cancellationToken: Ct);
        Assert.Equal(["node-a", "node-b"], after.Items.Select(n => n.Metadata.Name).Order());
        Assert.Equal(latest, after.Metadata.ResourceVersion);
        await using var resumed = WatchRecorder<V1Node>.Start((onError, ct) =>
            client.CoreV1.WatchListNodeAsync(resourceVersion: before, onError: onError, cancellationToken: ct));
        await resumed.EndAsync();
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(resumed.Errors)).Status.Code);
    }

    private static bool Refused(int port)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            socket.Connect(System.Net.IPAddress.Loopback, port);
            return false;
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused)
        {
            return true;
        }
    }

    [Fact]
    public async Task Event_watches_get_bookmarks_the_client_can_read()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false, bookmarkInterval: TimeSpan.FromSeconds(30));
        var client = harness.DashboardClient();
        var rv = (await client.CoreV1.ListEventForAllNamespacesAsync(cancellationToken: Ct)).Metadata.ResourceVersion;

        await using var watch = WatchRecorder<Corev1Event>.Start((onError, ct) => client.CoreV1.WatchListEventForAllNamespacesAsync(
            resourceVersion: rv, fieldSelector: "reason=FailedCreatePodSandBox", allowWatchBookmarks: true, onError: onError, cancellationToken: ct));
        await Eventually.TrueAsync(() => harness.Cluster.OpenWatchCount == 1, "the watch to be open on the server");
        harness.Time!.Advance(TimeSpan.FromSeconds(30));

        var bookmark = await watch.NextAsync();
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.Equal(rv, bookmark.Object.Metadata.ResourceVersion);
        Assert.Empty(watch.Errors);
    }

    [Fact]
    public async Task A_namespaced_watch_sees_only_its_namespace()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.Cluster.EnsureNamespace("apps");
        harness.Cluster.EnsureNamespace("other");
        var client = harness.DashboardClient();
        var rv = (await client.CoreV1.ListNamespacedPodAsync("apps", cancellationToken: Ct)).Metadata.ResourceVersion;

        await using var watch = WatchRecorder<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("apps", resourceVersion: rv, onError: onError, cancellationToken: ct));
        harness.AddPod("other", "elsewhere", "node-a");
        harness.AddPod("apps", "here", "node-a");

        var next = await watch.NextAsync();
        Assert.Equal(("apps", "here"), (next.Object.Metadata.NamespaceProperty, next.Object.Metadata.Name));
    }
}
