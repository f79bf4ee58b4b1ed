using System.Net;
using System.Text.Json.Nodes;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Simulator.Tests.Scenarios;

/// <summary>
/// A simulated cluster in a temp data dir, on loopback addresses of its own (so test classes running
/// in parallel never share an address), usually on a fake clock the test drives one kubelet tick at
/// a time — each step waits for the DaemonSet controller and the kubelet pass it caused, never sleeps.
/// </summary>
internal sealed class SimulationHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static int _nextBase;

    private readonly SimulationOptions _options;
    private readonly bool _ownsDataDir;

    private SimulationHarness(SimulationOptions options, FakeTimeProvider? time, bool ownsDataDir)
    {
        _options = options;
        Time = time;
        _ownsDataDir = ownsDataDir;
    }

    public SimulatedCluster Cluster { get; private set; } = null!;

    /// <summary>The fake clock, unless the harness runs on real time.</summary>
    public FakeTimeProvider? Time { get; }

    public string DataDir => _options.DataDir;

    public SimulationOptions Options => _options;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<SimulationHarness> StartAsync(int nodes = 12, bool fakeTime = true, Func<SimulationOptions, SimulationOptions>? configure = null)
    {
        var time = fakeTime ? new FakeTimeProvider(Epoch) : null;
        var index = Interlocked.Increment(ref _nextBase);
        var options = new SimulationOptions
        {
            DataDir = Directory.CreateTempSubdirectory("cni-sim-").FullName,
            NodeCount = nodes,
            TimeProvider = (TimeProvider?)time ?? TimeProvider.System,
            // 127.(100 + n).0.0: clear of the default 127.1.0.0 a demo might be using.
            AddressBase = new IPAddress([127, (byte)(100 + (index % 150)), 0, 0]),
        };
        options = configure?.Invoke(options) ?? options;
        var harness = new SimulationHarness(options, time, ownsDataDir: true);
        harness.Cluster = await SimulatedCluster.StartAsync(options, Ct);
        return harness;
    }

    /// <summary>Stops the cluster (state saved, data dir kept) and starts it again from the same data dir.</summary>
    public async Task RestartAsync(Func<SimulationOptions, SimulationOptions>? change = null)
    {
        await Cluster.DisposeAsync();
        Cluster = await SimulatedCluster.StartAsync(change?.Invoke(_options) ?? _options, Ct);
    }

    /// <summary>Runs the simulation for <paramref name="duration"/> of simulated time, one kubelet tick at a time.</summary>
    public async Task AdvanceAsync(TimeSpan duration)
    {
        var time = Time ?? throw new InvalidOperationException("AdvanceAsync drives a fake clock; this harness runs on real time.");
        var step = _options.KubeletTick / Cluster.TimeScale;
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += step)
        {
            await Cluster.DaemonSets.WaitForIdleAsync(Ct);
            time.Advance(step);
            await Cluster.Kubelet.WaitForPassAsync(time.GetUtcNow(), Ct);
        }

        await Cluster.DaemonSets.WaitForIdleAsync(Ct);
    }

    /// <summary>Advances tick by tick until <paramref name="condition"/> holds; fails after <paramref name="limit"/> of simulated time.</summary>
    public async Task<T> AdvanceUntilAsync<T>(Func<T?> condition, TimeSpan limit, string waitingFor)
        where T : class
    {
        for (var elapsed = TimeSpan.Zero; elapsed <= limit; elapsed += _options.KubeletTick)
        {
            if (condition() is { } value)
            {
                return value;
            }

            await AdvanceAsync(_options.KubeletTick);
        }

        Assert.Fail($"Still waiting for {waitingFor} after {limit.TotalSeconds:0} simulated seconds.");
        return null;
    }

    /// <summary>
    /// Makes an edit from outside (as a person or tool would) and waits, with a real-time deadline,
    /// until the file watcher has told the kubelet: only then may the fake clock move past it.
    /// </summary>
    public async Task EditAsync(SimulatedNode node, Func<Task> edit)
    {
        var before = Cluster.Kubelet.FolderChanges(node.Name);
        await edit();
        await Support.Eventually.TrueAsync(() => Cluster.Kubelet.FolderChanges(node.Name) > before, $"the file watcher to report the edit on {node.Name}");
    }

    public V1Pod LinkerdPod(string node) => Cluster.DaemonSetPod(node, CniDaemonSets.LinkerdCni)!;

    /// <summary>The kubelet's sandbox-failure events about pods on <paramref name="node"/>.</summary>
    public IReadOnlyList<Corev1Event> SandboxEvents(string node, string reason = "FailedCreatePodSandBox") =>
        [.. Cluster.Cluster.Events.List(fieldSelector: $"reason={reason}").Where(e => e.Source?.Host == node)];

    /// <summary>Total occurrences (event counts) of sandbox failures on the node.</summary>
    public int SandboxFailureCount(string node) => SandboxEvents(node).Sum(e => e.Count ?? 1);

    /// <summary>A client as the dashboard: from the kubeconfig the simulator wrote for its ServiceAccount.</summary>
    public Kubernetes DashboardClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(Cluster.KubeconfigPath));

    /// <summary>Removes every plugin of <paramref name="type"/> from a node's conflist, as a person with an editor would.</summary>
    public static void RemovePlugin(SimulatedNode node, string file, string type)
    {
        var path = Path.Combine(node.CniDir, file);
        var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var plugins = document["plugins"]!.AsArray();
        foreach (var plugin in plugins.Where(p => (string?)p!["type"] == type).ToList())
        {
            plugins.Remove(plugin);
        }

        var temp = path + ".edit.tmp";
        File.WriteAllText(temp, document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The plugin types of a node's conflist, in chain order.</summary>
    public static IReadOnlyList<string> ChainOf(SimulatedNode node, string file) =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(node.CniDir, file)))!["plugins"]!.AsArray().Select(p => (string)p!["type"]!)];

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        if (_ownsDataDir)
        {
            try
            {
                Directory.Delete(_options.DataDir, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }
}
