using CniDashboard.Server.Options;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Cluster;

/// <summary>
/// Watches FailedCreatePodSandBox events into the <see cref="SandboxEventRecorder"/>, which stores
/// them: on the leader only. A new leader lists the events first, and the store (deduplicating by
/// uid, recording count increases) takes what arrived while no replica watched.
/// </summary>
public sealed class SandboxEventWatcher(
    IKubernetes client,
    SandboxEventRecorder recorder,
    WatchHealthRegistry health,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<ResourceWatcher<Corev1Event>> logger) : BackgroundService
{
    /// <summary>The watch's name in the health registry.</summary>
    public const string Name = "events FailedCreatePodSandBox";

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watcher = new ResourceWatcher<Corev1Event>(Name,
            async (c, limit, ct) => ClusterWatcher.Page(await client.CoreV1.ListEventForAllNamespacesAsync(continueParameter: c, fieldSelector: ClusterWatcher.SandboxEventSelector, limit: limit, cancellationToken: ct)),
            (rv, timeout, onError, ct) => client.CoreV1.WatchListEventForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: ClusterWatcher.SandboxEventSelector, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
            new SandboxEventSink(recorder), health, ClusterWatcher.SettingsOf(options.Value.Kubernetes), time, logger);
        health.Register(Name);
        return Task.Run(() => watcher.RunAsync(stoppingToken), stoppingToken);
    }
}
