using System.Text.Json.Serialization;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Simulator.Nodes;
using Microsoft.AspNetCore.SignalR.Client;

namespace CniDashboard.Server.Tests.Api;

/// <summary>An external tool on the SignalR hub gets the change feed.</summary>
public sealed class ClusterHubTests(SimulatedDashboard dashboard) : IClassFixture<SimulatedDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_signalr_client_streams_node_changes_and_stopping_the_stream_unsubscribes()
    {
        var node = dashboard.Cluster.NodesWithRole(NodeRole.Drift).First();
        await Eventually.WaitAsync(async () => (await dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/nodes/{node.Name}/snapshots"))?.Snapshots.Count >= 1, "a first snapshot", TimeSpan.FromSeconds(30));

        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(dashboard.BaseAddress, "hubs/cluster"))
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        await connection.StartAsync(Ct);
        var feed = dashboard.Get<Server.Feed.ClusterChangeFeed>();
        var before = feed.SubscriberCount;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var received = new List<ClusterChange>();
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in connection.StreamAsync<IReadOnlyList<ClusterChange>>("StreamChanges", stop.Token))
                {
                    lock (received) received.AddRange(batch);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, Ct);
        await Eventually.WaitAsync(() => feed.SubscriberCount == before + 1, "the hub subscription");

        var path = Path.Combine(node.CniDir, "10-aws.conflist.cilium_bak");
        await File.AppendAllTextAsync(path, "\n", Ct);

        var change = await Eventually.WaitAsync(() =>
        {
            lock (received) return Task.FromResult(received.FirstOrDefault(c => c.Kind == ClusterChangeKind.NodeChanged && c.Node == node.Name && c.Summary?.Contains("cilium_bak", StringComparison.Ordinal) == true));
        }, "the node change on the hub", TimeSpan.FromSeconds(30));
        Assert.Contains("10-aws.conflist.cilium_bak", change.Summary, StringComparison.Ordinal);

        await stop.CancelAsync();
        await reader;
        await Eventually.WaitAsync(() => feed.SubscriberCount == before, "the hub subscription to end");
    }
}
