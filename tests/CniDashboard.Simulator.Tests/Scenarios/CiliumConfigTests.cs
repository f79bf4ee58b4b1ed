using CniDashboard.Simulator.Scenarios;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.Scenarios;

/// <summary>Cilium's ConfigMap in the simulated cluster: seeded for chaining, a scenario knob, switchable live, kept across restarts.</summary>
public sealed class CiliumConfigTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_cluster_is_seeded_with_cilium_config_for_chaining_and_the_option_sets_cni_exclusive()
    {
        await using (var chaining = await SimulationHarness.StartAsync(nodes: 2))
        {
            // Read as the dashboard reads it: its own kubeconfig, by name, in kube-system.
            using var client = chaining.DashboardClient();
            var list = await client.CoreV1.ListNamespacedConfigMapAsync(CiliumConfig.Namespace, fieldSelector: "metadata.name=cilium-config", cancellationToken: Ct);
            var config = Assert.Single(list.Items);
            Assert.Equal(("false", "aws-cni"), (config.Data["cni-exclusive"], config.Data["cni-chaining-mode"]));
        }

        await using var exclusive = await SimulationHarness.StartAsync(nodes: 2, configure: o => o with { CiliumExclusive = true });
        Assert.Equal("true", exclusive.Cluster.Cluster.ConfigMaps.Get(CiliumConfig.Namespace, CiliumConfig.Name)!.Data["cni-exclusive"]);
    }

    [Fact]
    public async Task Switching_cni_exclusive_reaches_watchers_at_once_acts_on_the_next_cilium_pod_and_survives_a_restart()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 2, configure: o => o with { Scenario = SimulationScenario.Healthy });
        var node = sim.Cluster.Nodes[0];
        using var client = sim.DashboardClient();
        var list = await client.CoreV1.ListNamespacedConfigMapAsync(CiliumConfig.Namespace, fieldSelector: "metadata.name=cilium-config", cancellationToken: Ct);
        await using var watch = WatchRecorder<V1ConfigMap>.Start((onError, ct) => client.CoreV1.WatchListNamespacedConfigMapAsync(
            CiliumConfig.Namespace, fieldSelector: "metadata.name=cilium-config", resourceVersion: list.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));

        var uid = sim.Cluster.SetCiliumExclusive(true).Metadata.Uid;

        var change = await watch.NextChangeAsync();
        Assert.Equal((WatchEventType.Modified, "true"), (change.Type, change.Object.Data["cni-exclusive"]));
        // The running Cilium pods started without it: nothing is renamed until one restarts.
        await sim.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.True(File.Exists(Path.Combine(node.CniDir, "10-aws.conflist")));

        await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.Cilium, Ct);
        await sim.AdvanceUntilAsync(
            () => File.Exists(Path.Combine(node.CniDir, "10-aws.conflist.cilium_bak")) ? "renamed" : null,
            TimeSpan.FromSeconds(30),
            "the new Cilium pod to rename 10-aws.conflist");
        Assert.False(File.Exists(Path.Combine(node.CniDir, "10-aws.conflist")));
        Assert.True(File.Exists(Path.Combine(sim.Cluster.Nodes[1].CniDir, "10-aws.conflist")));

        await sim.RestartAsync();

        var kept = sim.Cluster.Cluster.ConfigMaps.Get(CiliumConfig.Namespace, CiliumConfig.Name)!;
        Assert.Equal(("true", uid), (kept.Data["cni-exclusive"], kept.Metadata.Uid));
        Assert.Equal("false", sim.Cluster.SetCiliumExclusive(false).Data["cni-exclusive"]);
    }

    [Fact]
    public async Task A_state_saved_before_configmaps_were_kept_resumes_with_the_chaining_default()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 1, configure: o => o with { CiliumExclusive = true });
        await sim.RestartAsync(o =>
        {
            // Stopped and saved by now; make the file what an older simulator saved: everything but the ConfigMaps.
            var statePath = Path.Combine(o.DataDir, "simulator", "state.json");
            var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
            Assert.True(state.Remove("configMaps"));
            File.WriteAllText(statePath, state.ToJsonString());
            return o;
        });

        Assert.True(sim.Cluster.Resumed);
        Assert.Equal("false", sim.Cluster.Cluster.ConfigMaps.Get(CiliumConfig.Namespace, CiliumConfig.Name)!.Data["cni-exclusive"]);
    }
}
