using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Selectors;
using CniDashboard.Simulator.KubeApi.Store;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class WatchFanOutTests
{
    [Fact]
    public void A_watcher_that_falls_behind_is_closed_without_holding_back_the_others()
    {
        var cluster = new ClusterState();
        IResourceStore nodes = cluster.Nodes;
        var everything = new ListQuery(null, LabelSelector.Everything, FieldSelector.Everything);
        var start = cluster.ResourceVersion.ToString();
        var slow = nodes.OpenWatch(everything, start, capacity: 2);
        var healthy = nodes.OpenWatch(everything, start, capacity: 100);

        for (var i = 0; i < 5; i++)
        {
            cluster.Nodes.Create(new V1Node { Metadata = new V1ObjectMeta { Name = $"node-{i}" } });
        }

        Assert.True(slow.ClosedAsSlow);
        Assert.False(healthy.IsClosed);
        var delivered = new List<string>();
        while (healthy.Frames.TryRead(out var frame))
        {
            delivered.Add(frame.Object!.Name);
        }

        Assert.Equal(["node-0", "node-1", "node-2", "node-3", "node-4"], delivered);
        Assert.Equal(1, cluster.OpenWatchCount);
    }

    [Fact]
    public void Drop_watches_closes_remote_watches_but_not_in_process_consumers()
    {
        var cluster = new ClusterState();
        IResourceStore nodes = cluster.Nodes;
        var remote = nodes.OpenWatch(new ListQuery(null, LabelSelector.Everything, FieldSelector.Everything), cluster.ResourceVersion.ToString(), capacity: 10);
        var local = cluster.Nodes.Subscribe();

        cluster.DropWatches();
        cluster.Nodes.Create(new V1Node { Metadata = new V1ObjectMeta { Name = "node-a" } });

        Assert.True(remote.IsClosed);
        Assert.False(local.IsClosed);
        Assert.True(local.Frames.TryRead(out var frame));
        Assert.Equal("node-a", frame.Object!.Name);
    }
}
