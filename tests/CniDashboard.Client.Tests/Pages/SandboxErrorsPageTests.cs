using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Client.Tests.Pages;

public class SandboxErrorsPageTests : DashboardTestContext
{
    private IRenderedComponent<SandboxErrors> RenderAt(string url)
    {
        GoTo(url);
        var cut = Render<SandboxErrors>();
        cut.WaitForElement("[data-testid=sandbox-total]");
        return cut;
    }

    [Fact]
    public void Groups_by_error_class_with_counts_nodes_and_the_linked_finding()
    {
        var cut = RenderAt("sandbox-errors");

        Assert.Contains("50 failures in the last hour", cut.Find("[data-testid=sandbox-total]").TextContent);
        var group = cut.Find("[data-testid=sandbox-group][data-key=Unauthorized]");
        Assert.Contains("50", group.TextContent);
        Assert.Contains("3", group.TextContent);
        Assert.Equal("nodes?rule=mesh-token-pod-gone", group.QuerySelector("[data-testid=group-rule-link]")!.GetAttribute("href"));
    }

    [Fact]
    public void Recent_events_link_to_the_node_chain_entry_and_finding()
    {
        var cut = RenderAt("sandbox-errors");

        var row = cut.FindAll("[data-testid=sandbox-event]")[0];
        var node = row.GetAttribute("data-node")!;
        Assert.Contains(node, SampleCluster.IncidentNodes);
        Assert.Equal($"nodes/{node}#chain-4", row.QuerySelector("[data-testid=event-entry-link]")!.GetAttribute("href"));
        Assert.Equal($"nodes/{node}#finding-mesh-token-pod-gone", row.QuerySelector("[data-testid=event-finding-link]")!.GetAttribute("href"));
    }

    [Fact]
    public void Window_and_grouping_come_from_the_url()
    {
        var cut = RenderAt("sandbox-errors?window=7d&group=plugin&stack=node");

        var query = Queries.SandboxQueries[^1];
        Assert.Equal(TimeSpan.FromDays(7), query.Window);
        Assert.Equal(SandboxGrouping.Plugin, query.GroupBy);
        Assert.Equal(SandboxGrouping.Node, query.StackBy);
        Assert.Equal(["linkerd-cni", "cilium-cni"], cut.FindAll("[data-testid=sandbox-group]").Select(g => g.GetAttribute("data-key")));
        Assert.Equal("true", cut.Find("[data-testid=window-7d]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Changing_window_and_grouping_writes_the_url()
    {
        var cut = RenderAt("sandbox-errors");

        cut.Find("[data-testid=window-24h]").Click();
        Assert.EndsWith("sandbox-errors?window=24h", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Equal(TimeSpan.FromHours(24), Queries.SandboxQueries[^1].Window));

        cut.Find("[data-testid=group-by]").Change("node");
        Assert.Contains("group=node", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=sandbox-group]").Count));
        Assert.StartsWith("nodes/", cut.Find("[data-testid=sandbox-group] a").GetAttribute("href"));
    }

    [Fact]
    public void A_filter_from_a_link_narrows_and_can_be_cleared()
    {
        var cut = RenderAt($"sandbox-errors?window=7d&node={SampleCluster.HealthyNode}&class=DaemonUnreachable");

        Assert.Equal(SandboxErrorClass.DaemonUnreachable, Queries.SandboxQueries[^1].ErrorClass);
        Assert.Equal(SampleCluster.HealthyNode, Queries.SandboxQueries[^1].Node);
        Assert.Contains("1 failure in the last 7 days", cut.Find("[data-testid=sandbox-total]").TextContent);

        cut.Find("[data-testid=clear-filters]").Click();
        Assert.EndsWith("sandbox-errors?window=7d", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Contains("51 failures", cut.Find("[data-testid=sandbox-total]").TextContent));
    }

    [Fact]
    public void Says_when_the_event_list_was_cut()
    {
        Cluster.Failures.AddRange(Enumerable.Range(0, 300).Select(i => new SampleFailure(
            SampleCluster.Now.AddSeconds(-i), $"ip-10-0-3-{i}.us-west-2.compute.internal", "default", $"web-{i}",
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"c0ffee\": plugin type=\"aws-cni\" name=\"aws-cni\" failed (add): add cmd: failed to assign an IP address to container",
            null)));

        var cut = RenderAt("sandbox-errors");

        Assert.Contains("Showing the latest 200 events only", cut.Find("[data-testid=sandbox-truncated]").TextContent);
        Assert.Equal(200, cut.FindAll("[data-testid=sandbox-event]").Count);
    }

    [Fact]
    public void No_errors_is_said_plainly()
    {
        Queries.Cluster = SampleCluster.Empty();

        var cut = RenderAt("sandbox-errors");

        Assert.Contains("No sandbox errors in this window", cut.Markup);
        Assert.Contains("0 failures", cut.Find("[data-testid=sandbox-total]").TextContent);
    }

    [Fact]
    public void A_failed_query_shows_an_error_with_retry()
    {
        Queries.Fail(nameof(IDashboardQueries.GetSandboxErrorsAsync));
        var cut = Render<SandboxErrors>();

        cut.WaitForAssertion(() => Assert.Contains("Could not load the sandbox errors", cut.Find("[data-testid=query-error]").TextContent));
        Queries.Recover();
        cut.Find("[data-testid=retry]").Click();
        cut.WaitForElement("[data-testid=sandbox-total]");
    }

    [Fact]
    public async Task A_new_sandbox_error_reloads_the_report_and_disposal_unsubscribes()
    {
        var cut = RenderAt("sandbox-errors");
        WaitForSubscription(cut, Feed);

        Cluster.Failures.Add(new SampleFailure(SampleCluster.Now.AddSeconds(-1), SampleCluster.IncidentNodes[0], "default", "web-new",
            Cluster.Failures[0].Message, Cluster.Failures[0].Link));
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.SandboxError, SampleCluster.IncidentNodes[0]));

        cut.WaitForAssertion(() => Assert.Contains("51 failures", cut.Find("[data-testid=sandbox-total]").TextContent));
        await DisposeComponentsAsync();
        Assert.Equal(1, Feed.Ended);
        Assert.Equal(1, Feed.Cancelled);
    }
}
