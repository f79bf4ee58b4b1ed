using System.Net;
using System.Net.Http.Headers;
using CniDashboard.Agent.Auth;
using CniDashboard.Agent.Http;
using CniDashboard.Agent.Node;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Agent.Tests;

/// <summary>The simulator's shape: one Kestrel on several loopback addresses, each a node with its own folder.</summary>
public sealed class MultiNodeHostingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_pod_ip_serves_its_own_node_and_folder()
    {
        using var healthy = new TempNode("healthy");
        using var incident = new TempNode("incident");
        var addresses = new[] { IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3") };
        var resolver = new LocalAddressNodeResolver();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var address in addresses) k.Listen(address, 0);
        });
        await using var app = builder.Build();
        app.MapAgentEndpoints(resolver, new StaticTokenAuthenticator(TempNode.Token));
        await using var nodeA = new NodeAgent(new NodeAgentOptions { NodeName = "node-a", CniDir = healthy.CniDir, BackupDir = healthy.BackupDir, WatchFolder = false });
        await using var nodeB = new NodeAgent(new NodeAgentOptions { NodeName = "node-b", CniDir = incident.CniDir, BackupDir = incident.BackupDir, WatchFolder = false });
        resolver.Add(addresses[0], nodeA);
        resolver.Add(addresses[1], nodeB);
        await app.StartAsync(Ct);
        var urls = AgentHost.ListeningAddresses(app);

        var seen = new List<NodeSnapshot>();
        foreach (var address in addresses)
        {
            using var http = new HttpClient { BaseAddress = new Uri(urls.Single(u => u.Contains(address.ToString(), StringComparison.Ordinal))) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TempNode.Token);
            var snapshot = System.Text.Json.JsonSerializer.Deserialize(await http.GetStringAsync("/v1/snapshot", Ct), AgentJsonContext.Default.NodeSnapshot)!;
            seen.Add(snapshot);
        }

        Assert.Equal(["node-a", "node-b"], seen.Select(s => s.NodeName));
        Assert.Equal("linkerd-cni-9qv4d", seen[0].Files.Single(f => f.Name == "ZZZ-linkerd-cni-kubeconfig").Kubeconfig!.Token!.PodName);
        Assert.Equal("linkerd-cni-5hxw8", seen[1].Files.Single(f => f.Name == "ZZZ-linkerd-cni-kubeconfig").Kubeconfig!.Token!.PodName);

        // A node removed from the resolver is no longer served at its address.
        resolver.Remove(addresses[1]);
        using var gone = new HttpClient { BaseAddress = new Uri(urls.Single(u => u.Contains("127.0.0.3", StringComparison.Ordinal))) };
        gone.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TempNode.Token);
        var error = await RunningAgent.ErrorOf(await gone.GetAsync("/v1/snapshot", Ct), HttpStatusCode.NotFound);
        Assert.Equal(AgentErrorCodes.UnknownNode, error.Code);
        await app.StopAsync(Ct);
    }
}
