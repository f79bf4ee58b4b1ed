using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Store;
using CniDashboard.Simulator.Nodes;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// Keeps <c>state.json</c> current: checks every couple of seconds whether any DaemonSet or DaemonSet pod
/// changed (a pod created, deleted, started or made Ready; kured's lock taken) or a ConfigMap did, and saves when one did, so a crash loses
/// at most that much; saves at least every <c>StateSaveInterval</c> and once more on shutdown.
/// </summary>
internal sealed partial class StateSaver : IAsyncDisposable
{
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(2);

    private readonly ClusterState _cluster;
    private readonly IReadOnlyList<SimulatedNode> _nodes;
    private readonly PodTemplateHistory _templates;
    private readonly string _path;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private SimulatorState _saved;
    private long _savedFingerprint;
    private DateTimeOffset _savedAt;
    private Task? _loop;

    public StateSaver(ClusterState cluster, IReadOnlyList<SimulatedNode> nodes, PodTemplateHistory templates, string path, SimulatorState initial, TimeSpan interval, ILogger logger)
    {
        _cluster = cluster;
        _nodes = nodes;
        _templates = templates;
        _path = path;
        _saved = initial;
        _interval = interval;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Saves now, whatever changed.</summary>
    public SimulatorState Save()
    {
        lock (_gate)
        {
            var fingerprint = Fingerprint();
            _saved = ClusterRestorer.Capture(_cluster, _nodes, _templates, _saved);
            SimulatorStateFile.Save(_path, _saved);
            _savedFingerprint = fingerprint;
            _savedAt = _cluster.TimeProvider.GetUtcNow();
            return _saved;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping is how the loop ends.
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(CheckPeriod, _cluster.TimeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (Fingerprint() != _savedFingerprint || _cluster.TimeProvider.GetUtcNow() - _savedAt >= _interval)
                {
                    Save();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogSaveFailed(_path, e.Message);
            }
        }
    }

    /// <summary>Changes whenever any DaemonSet, DaemonSet pod or ConfigMap is created, deleted or updated (every write gives it a new resourceVersion).</summary>
    private long Fingerprint()
    {
        // A sum, so the order the index hands pods out in does not matter.
        long fingerprint = 0;
        foreach (var configMap in _cluster.ConfigMaps.List())
        {
            fingerprint += HashCode.Combine(configMap.Metadata.Uid, configMap.Metadata.ResourceVersion);
        }

        foreach (var (@namespace, name) in CniDaemonSets.All)
        {
            if (_cluster.DaemonSets.Get(@namespace, name) is not { } daemonSet)
            {
                continue;
            }

            // The DaemonSet itself too: kured's lock is an annotation on it.
            fingerprint += HashCode.Combine(daemonSet.Metadata.Uid, daemonSet.Metadata.ResourceVersion);

            foreach (var pod in _cluster.Pods.ListSharedByIndex(ResourceModels.ControllerUidIndex, daemonSet.Metadata.Uid))
            {
                fingerprint += HashCode.Combine(pod.Metadata.Uid, pod.Metadata.ResourceVersion);
            }
        }

        return fingerprint;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving the simulator state to {Path} failed: {Reason}")]
    private partial void LogSaveFailed(string path, string reason);
}
