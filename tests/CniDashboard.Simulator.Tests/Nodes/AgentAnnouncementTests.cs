using CniDashboard.Shared.Agent;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Scenarios;
using CniDashboard.Simulator.Tests.Scenarios;
using CniDashboard.Simulator.Tests.Support;

namespace CniDashboard.Simulator.Tests.Nodes;

/// <summary>The simulated agents announce their manifest hash on their own Pod through the emulator, as real agents do.</summary>
public sealed class AgentAnnouncementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? AnnouncedOnPod(SimulationHarness sim, string node) =>
        sim.Cluster.DaemonSetPod(node, CniDaemonSets.Agent)?.Metadata.Annotations is { } annotations
        && annotations.TryGetValue(ManifestAnnouncement.AnnotationKey, out var hash) ? hash : null;

    private static async Task<string> ServedAsync(SimulationHarness sim, string node) =>
        (await sim.Cluster.Agents.Agent(node).GetSnapshotAsync(Ct)).Snapshot.ManifestHash;

    [Fact]
    public async Task Every_agent_announces_at_start_and_again_after_a_file_changes_through_the_API()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 4, fakeTime: false);
        foreach (var node in sim.Cluster.Nodes)
        {
            var served = await ServedAsync(sim, node.Name);
            await Eventually.TrueAsync(() => AnnouncedOnPod(sim, node.Name) == served, $"{node.Name}'s announcement at start");
        }

        var edited = sim.Cluster.Nodes[1];
        var before = await ServedAsync(sim, edited.Name);
        var file = Path.Combine(edited.CniDir, "10-aws.conflist");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file, Ct)).Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal), Ct);

        string? changed = null;
        await Eventually.TrueAsync(() =>
        {
            var served = ServedAsync(sim, edited.Name).GetAwaiter().GetResult();
            changed = served;
            // The pod shows the write as soon as the emulator applied it; the agent records it once the answer is back.
            return AnnouncedOnPod(sim, edited.Name) == served && sim.Cluster.Announcements.Announced(edited.Name) == served
                && sim.Cluster.Kubelet.FolderChanges(edited.Name) > 0;
        }, "the edited node's new announcement");
        Assert.NotEqual(before, changed);
        // Through the API, as the agent's own ServiceAccount, and never refused.
        Assert.Contains(sim.Cluster.Emulator.Requests.Where(r => r.Verb == "patch"), r => r.User == KubeIdentities.Agent.Username && r.Path.EndsWith(sim.Cluster.DaemonSetPod(edited.Name, CniDaemonSets.Agent)!.Metadata.Name, StringComparison.Ordinal) && r.StatusCode == 200);
        Assert.Equal(0, sim.Cluster.Announcements.Failures);
    }

    [Fact]
    public async Task A_replaced_agent_pod_is_announced_to_again()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 2, fakeTime: false);
        var node = sim.Cluster.Nodes[0];
        var served = await ServedAsync(sim, node.Name);
        await Eventually.TrueAsync(() => AnnouncedOnPod(sim, node.Name) == served, "the first announcement");
        var old = sim.Cluster.DaemonSetPod(node.Name, CniDaemonSets.Agent)!.Metadata.Uid;

        await sim.Cluster.RestartPodAsync(node.Name, CniDaemonSets.Agent, Ct);

        await Eventually.TrueAsync(() => sim.Cluster.DaemonSetPod(node.Name, CniDaemonSets.Agent) is { } pod && pod.Metadata.Uid != old
            && AnnouncedOnPod(sim, node.Name) == served, "the new pod's announcement");
    }
}
