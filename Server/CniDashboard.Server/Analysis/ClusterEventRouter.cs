using CniDashboard.Server.Cluster;
using CniDashboard.Server.Feed;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Analysis;

/// <summary>
/// Turns cluster fact changes into work: re-analysis of the nodes concerned (debounced) and
/// changes on the feed; watch health changes become connection changes. Every replica watches the
/// cluster itself, so these go on this replica's feed only, never to the others.
/// </summary>
public sealed class ClusterEventRouter(
    ClusterState cluster,
    WatchHealthRegistry health,
    AnalysisScheduler scheduler,
    ClusterChangeFeed feed,
    TimeProvider time) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cluster.Changed += OnClusterChanged;
        health.Changed += OnHealthChanged;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        cluster.Changed -= OnClusterChanged;
        health.Changed -= OnHealthChanged;
        return Task.CompletedTask;
    }

    private void OnClusterChanged(ClusterFactChange change)
    {
        var now = time.GetUtcNow();
        switch (change.Kind)
        {
            case ClusterFactKind.NodeAdded:
                feed.Publish([new ClusterChange { Kind = ClusterChangeKind.NodeAdded, At = now, Node = change.Node }]);
                break;
            case ClusterFactKind.NodeRemoved:
                feed.Publish([new ClusterChange { Kind = ClusterChangeKind.NodeRemoved, At = now, Node = change.Node }]);
                break;
            case ClusterFactKind.NodeChanged:
                scheduler.Schedule(change.Node!);
                feed.Publish([new ClusterChange { Kind = ClusterChangeKind.NodeChanged, At = now, Node = change.Node, Summary = change.Summary }]);
                break;
            case ClusterFactKind.CniPodChanged when change.Node is not null:
                scheduler.Schedule(change.Node);
                feed.Publish([new ClusterChange { Kind = ClusterChangeKind.NodeChanged, At = now, Node = change.Node, Summary = change.Summary }]);
                break;
            case ClusterFactKind.PendingPodsChanged when change.Node is not null:
                feed.Publish([new ClusterChange { Kind = ClusterChangeKind.NodeChanged, At = now, Node = change.Node, Summary = "pods stuck creating changed" }]);
                break;
            case ClusterFactKind.DaemonSetChanged:
                scheduler.ScheduleAll();
                feed.Publish([new ClusterChange { Kind = ClusterChangeKind.DaemonSetChanged, At = now, Summary = change.Summary }]);
                break;
            case ClusterFactKind.CiliumConfigChanged:
                // It applies to every node; what it changes reaches the feed as findings opened or resolved.
                scheduler.ScheduleAll();
                break;
        }
    }

    private void OnHealthChanged(WatchHealth watch) =>
        feed.Publish([new ClusterChange
        {
            Kind = ClusterChangeKind.ConnectionChanged,
            At = time.GetUtcNow(),
            Summary = watch.Healthy ? $"watch {watch.Resource} up" : $"watch {watch.Resource} down: {watch.Error}",
        }]);
}
