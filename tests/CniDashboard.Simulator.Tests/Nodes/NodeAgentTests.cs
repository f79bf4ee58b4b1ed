using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Simulator.Scenarios;
using CniDashboard.Simulator.Tests.Scenarios;
using CniDashboard.Simulator.Tests.Support;
using k8s;

namespace CniDashboard.Simulator.Tests.Nodes;

/// <summary>Every simulated node's real agent, reached over real HTTPS at its pod IP with the static token.</summary>
public sealed class NodeAgentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_nodes_agent_serves_that_nodes_folder_at_the_address_the_API_gives_its_agent_pod()
    {
        await using var sim = await SimulationHarness.StartAsync(fakeTime: false);
        var token = (await File.ReadAllTextAsync(sim.Cluster.AgentTokenFile, Ct)).Trim();
        using var dashboard = sim.DashboardClient();
        var agentPods = (await dashboard.CoreV1.ListNamespacedPodAsync("cni-dashboard", labelSelector: "app.kubernetes.io/name=cni-dashboard-agent", cancellationToken: Ct)).Items;
        Assert.Equal(12, agentPods.Count);

        using var http = new HttpClient(sim.Cluster.CreateAgentHandler());
        foreach (var pod in agentPods)
        {
            // The dashboard knows an agent only by its pod's IP (the node's address: hostNetwork) and the agent port.
            var node = sim.Cluster.Node(pod.Spec.NodeName);
            Assert.Equal(node.Address.ToString(), pod.Status.PodIP);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{pod.Status.PodIP}:{sim.Cluster.AgentPort}/v1/snapshot");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync(Ct);
            var snapshot = JsonSerializer.Deserialize(body, AgentJsonContext.Default.NodeSnapshot)!;

            Assert.Equal(node.Name, snapshot.NodeName);
            Assert.Equal(
                Directory.EnumerateFiles(node.CniDir).Select(Path.GetFileName).Order(StringComparer.Ordinal),
                snapshot.Files.Select(f => f.Name).Order(StringComparer.Ordinal));
            Assert.Contains(snapshot.Binaries!, b => b.Name == "linkerd-cni");
            var kubeconfig = snapshot.Files.Single(f => f.Name == "ZZZ-linkerd-cni-kubeconfig");
            Assert.Contains(TokenRedactor.Marker, kubeconfig.Content, StringComparison.Ordinal);
            Assert.True(TokenRedactor.ContainsNoJwt(body));
            Assert.Equal(node.Role == Simulator.Nodes.NodeRole.Incident ? null : sim.LinkerdPod(node.Name).Metadata.Name, PodNameIfLive(sim, kubeconfig.Kubeconfig!.Token!.PodName));
        }

        // Without the token: 401, as the agent answers any caller it cannot authenticate.
        using var anonymous = await http.GetAsync(sim.Cluster.AgentUrl(sim.Cluster.Nodes[0].Name) + "v1/snapshot", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        // The agents serve TLS under their own CA only: a client trusting the machine's store is refused before it sends a token.
        using var untrusting = new HttpClient();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(sim.Cluster.AgentUrl(sim.Cluster.Nodes[0].Name) + "healthz", Ct));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(refused.InnerException);
    }

    [Fact]
    public async Task An_external_edit_of_a_node_file_shows_in_that_agents_snapshot_within_a_second()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 3, fakeTime: false);
        var node = sim.Cluster.Nodes[1];
        using var http = new HttpClient(sim.Cluster.CreateAgentHandler()) { BaseAddress = sim.Cluster.AgentUrl(node.Name) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(sim.Cluster.AgentTokenFile, Ct)).Trim());
        using var first = await http.GetAsync("v1/snapshot", Ct);
        var etag = first.Headers.ETag!;
        using var unchanged = new HttpRequestMessage(HttpMethod.Get, "v1/snapshot") { Headers = { IfNoneMatch = { etag } } };
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(unchanged, Ct)).StatusCode);

        // Someone edits the file with an editor, outside the simulator; the agent must serve it within a second.
        await File.WriteAllTextAsync(Path.Combine(node.CniDir, "99-operator-note.json"), """{"cniVersion":"0.4.0","name":"note","type":"bridge"}""", Ct);

        var seen = await Eventually.ValueAsync(
            () =>
            {
                using var conditional = new HttpRequestMessage(HttpMethod.Get, "v1/snapshot") { Headers = { IfNoneMatch = { etag } } };
                var response = http.Send(conditional, Ct);
                return response.StatusCode == HttpStatusCode.OK ? response : null;
            },
            "the agent to serve the edited folder",
            TimeSpan.FromSeconds(1));
        var snapshot = JsonSerializer.Deserialize(await seen.Content.ReadAsStringAsync(Ct), AgentJsonContext.Default.NodeSnapshot)!;
        Assert.Contains(snapshot.Files, f => f.Name == "99-operator-note.json");
    }

    private static string? PodNameIfLive(SimulationHarness sim, string? podName) =>
        podName is not null && sim.Cluster.Cluster.Pods.Get(CniDaemonSets.LinkerdNamespace, podName) is not null ? podName : null;
}
