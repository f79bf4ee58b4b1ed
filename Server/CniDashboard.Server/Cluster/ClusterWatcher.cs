using CniDashboard.Server.Options;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Cluster;

/// <summary>
/// Runs every watch the dashboard needs, each a <see cref="ResourceWatcher{T}"/>: Nodes; the pods of
/// each CNI component and of the agent; pending pods cluster-wide (to count those stuck creating);
/// the CNI DaemonSets; Cilium's ConfigMap. Every replica runs these (they only read, and the UI of
/// each shows what they see); FailedCreatePodSandBox events, which are stored, are watched by the
/// leader alone (<see cref="SandboxEventWatcher"/>).
/// </summary>
public sealed class ClusterWatcher(
    IKubernetes client,
    ClusterState state,
    WatchHealthRegistry health,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILoggerFactory loggers) : BackgroundService
{
    /// <summary>The field selector of sandbox failure events.</summary>
    public const string SandboxEventSelector = "reason=FailedCreatePodSandBox";

    /// <summary>The field selector of pods that may be stuck creating.</summary>
    public const string PendingPodSelector = "status.phase=Pending";

    private readonly KubernetesOptions _options = options.Value.Kubernetes;
    private readonly ILogger _logger = loggers.CreateLogger<ClusterWatcher>();

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Watches().Select(w => Task.Run(() => w.Run(stoppingToken), stoppingToken)));

    private IReadOnlyList<(string Name, Func<CancellationToken, Task> Run)> Watches()
    {
        var settings = SettingsOf(_options);
        var log = loggers.CreateLogger<ResourceWatcher<V1Node>>();
        var watches = new List<(string, Func<CancellationToken, Task>)>();

        void Add<T>(string name, Func<string?, int, CancellationToken, Task<ListPage<T>>> list,
            Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch, IResourceSink<T> sink)
            where T : IKubernetesObject<V1ObjectMeta>
        {
            var watcher = new ResourceWatcher<T>(name, list, watch, sink, health, settings, time, log);
            health.Register(name);
            watches.Add((name, watcher.RunAsync));
        }

        Add("nodes",
            async (c, limit, ct) => Page(await client.CoreV1.ListNodeAsync(continueParameter: c, limit: limit, cancellationToken: ct)),
            (rv, timeout, onError, ct) => client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
            new NodeSink(state));

        foreach (var component in _options.EffectiveComponents)
        {
            var c0 = component;
            Add($"pods {c0.Namespace}/{c0.Name}",
                async (c, limit, ct) => Page(await client.CoreV1.ListNamespacedPodAsync(c0.Namespace, continueParameter: c, labelSelector: c0.Selector, limit: limit, cancellationToken: ct)),
                (rv, timeout, onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(c0.Namespace, allowWatchBookmarks: true, labelSelector: c0.Selector, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
                new CniPodSink(state, c0.Name, c0.IsAgent));
        }

        Add("pods pending",
            async (c, limit, ct) => Page(await client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: c, fieldSelector: PendingPodSelector, limit: limit, cancellationToken: ct)),
            (rv, timeout, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: PendingPodSelector, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
            new PendingPodSink(state));

        foreach (var group in _options.EffectiveComponents.GroupBy(c => c.Namespace, StringComparer.Ordinal))
        {
            var ns = group.Key;
            var names = group.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            Add($"daemonsets {ns}",
                async (c, limit, ct) => Page(await client.AppsV1.ListNamespacedDaemonSetAsync(ns, continueParameter: c, limit: limit, cancellationToken: ct)),
                (rv, timeout, onError, ct) => client.AppsV1.WatchListNamespacedDaemonSetAsync(ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
                new DaemonSetSink(state, ns, names));
        }

        if (_options.CiliumConfig is { Enabled: true } cilium)
        {
            // By name: the Role grants this one ConfigMap, and list/watch pass such a Role only with this selector.
            var byName = CiliumConfigSelector(cilium.Name);
            Add($"configmap {cilium.Namespace}/{cilium.Name}",
                async (c, limit, ct) => Page(await client.CoreV1.ListNamespacedConfigMapAsync(cilium.Namespace, continueParameter: c, fieldSelector: byName, limit: limit, cancellationToken: ct)),
                (rv, timeout, onError, ct) => client.CoreV1.WatchListNamespacedConfigMapAsync(cilium.Namespace, allowWatchBookmarks: true, fieldSelector: byName, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
                new CiliumConfigSink(state, cilium.Name));
        }

        _logger.LogDebug("Watching {Count} resources", watches.Count);
        return watches;
    }

    /// <summary>The field selector of Cilium's ConfigMap.</summary>
    public static string CiliumConfigSelector(string name) => $"metadata.name={name}";

    /// <summary>The watch timings of the Kubernetes options.</summary>
    internal static WatchSettings SettingsOf(KubernetesOptions options) => new()
    {
        WatchTimeout = options.WatchTimeout,
        InitialBackoff = options.InitialBackoff,
        MaxBackoff = options.MaxBackoff,
        PageSize = options.ListPageSize,
    };

    /// <summary>A list answer as a page.</summary>
    internal static ListPage<T> Page<T>(IItems<T> list) where T : IKubernetesObject<V1ObjectMeta>
    {
        var meta = (list as IMetadata<V1ListMeta>)?.Metadata;
        return new ListPage<T>(list.Items?.ToArray() ?? [], meta?.ResourceVersion, meta?.ContinueProperty);
    }
}
