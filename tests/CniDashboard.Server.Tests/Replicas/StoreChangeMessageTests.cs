using System.Text;
using CniDashboard.Server.Feed;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Tests.Replicas;

/// <summary>What one replica tells the others fits PostgreSQL's NOTIFY payload and reads back whole.</summary>
public sealed class StoreChangeMessageTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_burst_of_changes_is_split_into_payloads_under_8000_bytes_in_order_with_nothing_left_out()
    {
        var changes = Enumerable.Range(0, 2_000).Select(i => new ClusterChange
        {
            Kind = i % 2 == 0 ? ClusterChangeKind.NodeChanged : ClusterChangeKind.FindingOpened,
            At = Now,
            Node = $"ip-10-0-{i / 250}-{i % 250}.eu-west-1.compute.internal",
            Rule = i % 2 == 0 ? null : "mesh-token-pod-gone",
            Summary = $"files changed: 05-cilium.conflist ({i})",
        }).ToArray();

        var payloads = StoreChangeMessage.Payloads("replica-a", "prod-eu-1", changes).ToList();

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) < 8000, $"{Encoding.UTF8.GetByteCount(p)} bytes"));
        var read = payloads.Select(p => StoreChangeMessage.Parse(p)!).ToList();
        Assert.All(read, m => Assert.Equal(("replica-a", "prod-eu-1"), (m.From, m.Cluster)));
        Assert.Equal(changes, read.SelectMany(m => m.Changes));
    }

    [Fact]
    public void A_summary_too_long_for_one_payload_is_cut_and_the_change_still_sent()
    {
        var change = new ClusterChange { Kind = ClusterChangeKind.SandboxError, At = Now, Node = "n1", Summary = new string('é', 20_000) };

        var payload = Assert.Single(StoreChangeMessage.Payloads("replica-a", "prod-eu-1", [change]));

        Assert.True(Encoding.UTF8.GetByteCount(payload) < 8000);
        var read = Assert.Single(StoreChangeMessage.Parse(payload)!.Changes);
        Assert.Equal(("n1", StoreChangeMessage.MaxSummaryChars + 1), (read.Node, read.Summary!.Length));
    }

    [Fact]
    public void A_payload_that_is_not_a_message_is_not_read_as_one()
    {
        Assert.Null(StoreChangeMessage.Parse("not json"));
        Assert.Equal((true, (DateTimeOffset?)Now), StoreChangeMessage.Parse(new StoreChangeMessage { From = "b", Resync = true, FetchedAt = Now }.ToPayload()) is { } m ? (m.Resync, m.FetchedAt) : default);
    }
}
