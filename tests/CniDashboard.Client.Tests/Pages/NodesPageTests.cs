using CniDashboard.Client.Model;
using AngleSharp.Dom;
using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Tests.Pages;

public class NodesPageTests : DashboardTestContext
{
    private static IReadOnlyList<IElement> Rows(IRenderedComponent<Nodes> cut) => cut.FindAll("[data-testid=node-row]");

    private IRenderedComponent<Nodes> RenderAt(string url)
    {
        GoTo(url);
        var cut = Render<Nodes>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.Find("[data-testid=node-count]").TextContent.Trim()));
        return cut;
    }

    [Fact]
    public void Lists_every_node_with_its_chain_and_worst_finding_critical_first()
    {
        var cut = RenderAt("nodes");

        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));
        Assert.Contains("12 nodes", cut.Find("[data-testid=node-count]").TextContent);
        var first = Rows(cut)[0];
        Assert.Equal("critical", first.GetAttribute("data-severity"));
        Assert.Contains(first.GetAttribute("data-node"), SampleCluster.IncidentNodes);
        Assert.Equal("aws-cni → egress-cni → portmap → cilium-cni → linkerd-cni", first.QuerySelector("[data-testid=node-chain]")!.TextContent);
        Assert.Contains("Critical", first.QuerySelector("[data-testid=severity-chip]")!.TextContent);
        Assert.Contains(SampleCluster.IncidentRule, first.TextContent);
        Assert.Equal("27", first.QuerySelector("[data-testid=node-sandbox-errors] a")!.TextContent.Trim());
    }

    [Fact]
    public void A_row_reads_at_a_glance_host_first_facts_under_it_and_a_chain_that_wraps_only_after_arrows()
    {
        var cut = RenderAt("nodes");
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));
        var node = SampleCluster.IncidentNodes[0];

        var row = Row(cut, node);

        // Six columns, every one of them sized by the colgroup (fixed layout), so nothing pushes the row sideways.
        Assert.Equal(6, row.QuerySelectorAll("td").Length);
        Assert.Equal(6, cut.FindAll("table[data-testid=node-grid] col").Count);
        var link = row.QuerySelector("a.node-link")!;
        Assert.Equal(node, link.TextContent);
        Assert.Equal(node, link.GetAttribute("title"));
        Assert.Equal(node.Split('.')[0], link.QuerySelector(".node-host")!.TextContent);
        var facts = row.QuerySelector(".cell-node .cell-sub")!;
        Assert.Matches(@"^ng-general\s+·\s+Bottlerocket OS 1\.29\.0 \(aws-k8s-1\.31\)$", facts.TextContent.Trim());
        Assert.Contains("m6i.2xlarge", facts.GetAttribute("title"));
        Assert.Equal("05-cilium.conflist", row.QuerySelector(".cell-chain code")!.TextContent);
        Assert.Equal(
            ["aws-cni →", "egress-cni →", "portmap →", "cilium-cni →", "linkerd-cni"],
            row.QuerySelectorAll("[data-testid=node-chain] .chain-piece").Select(p => p.TextContent));
        Assert.Equal(SampleCluster.IncidentRule, row.QuerySelector(".cell-finding .rule-id")!.TextContent);
        Assert.Equal("4 pods stuck", row.QuerySelector("[data-testid=node-sandbox-errors] .cell-sub")!.TextContent.Trim());
    }

    [Fact]
    public void A_node_whose_agent_never_answered_is_unknown_not_ok_and_not_without_config()
    {
        Cluster.MarkNeverReached(SampleCluster.HealthyNode);

        var cut = RenderAt("nodes");
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));

        var row = Row(cut, SampleCluster.HealthyNode);
        var chip = row.QuerySelector("[data-testid=severity-chip]")!;
        Assert.Equal("unknown", chip.GetAttribute("data-severity"));
        Assert.Contains("Unknown", chip.TextContent);
        Assert.DoesNotContain("OK", chip.TextContent);
        Assert.Contains("files not read yet", row.QuerySelector(".cell-finding")!.TextContent);
        Assert.Equal(ChainText.NotRead, row.QuerySelector("[data-testid=node-chain]")!.TextContent);
        Assert.Contains("Never reached", row.QuerySelector("[data-testid=agent-status]")!.TextContent);

        // A node that was read and has no chain still says so, in the words that mean "pods get no network".
        Assert.DoesNotContain(ChainText.NoChain, row.TextContent);
    }

    [Fact]
    public void Sorting_by_node_group_sits_in_the_node_column_header()
    {
        var cut = RenderAt("nodes");
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));

        cut.Find("[data-testid=sort-group]").Click();

        Assert.EndsWith("nodes?sort=group", Navigation.Uri);
        Assert.Equal(NodeSort.NodeGroup, Queries.NodeQueries.Last(q => q.Limit > 0).Sort);
        cut.WaitForAssertion(() => Assert.StartsWith("ng-batch", Rows(cut)[0].QuerySelector(".cell-node .cell-sub")!.TextContent.Trim(), StringComparison.Ordinal));
        var header = cut.Find("[data-testid=sort-group]").Closest("th")!;
        Assert.Equal("ascending", header.GetAttribute("aria-sort"));
        Assert.NotNull(header.QuerySelector("[data-testid=sort-name]"));
    }

    [Fact]
    public void A_shared_link_with_filters_queries_with_those_filters()
    {
        var cut = RenderAt("nodes?severity=critical&group=ng-general&rule=mesh-token-pod-gone");

        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count));
        var query = Queries.NodeQueries.Last(q => q.Limit > 0);
        Assert.Equal(Severity.Critical, query.Severity);
        Assert.Equal("ng-general", query.NodeGroup);
        Assert.Equal(SampleCluster.IncidentRule, query.Rule);
        Assert.All(Rows(cut), row => Assert.Contains(row.GetAttribute("data-node"), SampleCluster.IncidentNodes));
        Assert.Equal("true", cut.Find("[data-testid=facet-critical]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Clicking_a_severity_facet_writes_it_to_the_url_and_narrows_the_grid()
    {
        var cut = RenderAt("nodes");
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));

        cut.Find("[data-testid=facet-warning]").Click();

        Assert.EndsWith("nodes?severity=warning", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));
        Assert.Equal(SampleCluster.WarningNode, Rows(cut)[0].GetAttribute("data-node"));
        Assert.Equal(Severity.Warning, Queries.NodeQueries.Last(q => q.Limit > 0).Severity);
    }

    [Fact]
    public void Facet_buttons_show_counts_under_the_other_filters()
    {
        var cut = RenderAt("nodes?group=ng-batch");

        cut.WaitForAssertion(() => Assert.Contains("(3)", cut.Find("[data-testid=facet-all]").TextContent));
        Assert.Contains("(0)", cut.Find("[data-testid=facet-critical]").TextContent);
        Assert.Contains("(1)", cut.Find("[data-testid=facet-warning]").TextContent);
        Assert.Contains("(2)", cut.Find("[data-testid=facet-ok]").TextContent);
    }

    [Fact]
    public void Choosing_a_rule_and_an_agent_status_updates_the_url()
    {
        var cut = RenderAt("nodes");
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("#filter-rule option"), o => o.GetAttribute("value") == SampleCluster.IncidentRule));

        cut.Find("#filter-rule").Change(SampleCluster.IncidentRule);
        Assert.EndsWith("nodes?rule=mesh-token-pod-gone", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count));

        cut.Find("#filter-agent").Change("stale");
        Assert.Contains("agent=stale", Navigation.Uri);
        Assert.Contains("rule=mesh-token-pod-gone", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Contains("No nodes match these filters", cut.Markup));
    }

    [Fact]
    public void Search_goes_to_the_url_and_the_query()
    {
        var cut = RenderAt("nodes");
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));

        cut.Find("input[data-testid=filter-search]").Input("ip-10-0-2");

        // The box waits for typing to pause before it filters (MudBlazor's debounce runs on the injected clock).
        Assert.DoesNotContain("q=", Navigation.Uri);
        Clock.Advance(TimeSpan.FromMilliseconds(400));
        cut.WaitForAssertion(() => Assert.EndsWith("nodes?q=ip-10-0-2", Navigation.Uri));
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count));
        Assert.Equal("ip-10-0-2", Queries.NodeQueries.Last(q => q.Limit > 0).Search);
    }

    [Fact]
    public void Sorting_by_a_column_header_is_kept_in_the_url()
    {
        var cut = RenderAt("nodes");
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));

        cut.Find("[data-testid=sort-name]").Click();

        Assert.EndsWith("nodes?sort=name", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Equal("ip-10-0-1-11.us-west-2.compute.internal", Rows(cut)[0].GetAttribute("data-node")));
        Assert.Equal("ascending", cut.Find("[data-testid=sort-name]").ParentElement!.GetAttribute("aria-sort"));
        Assert.Equal(NodeSort.Name, Queries.NodeQueries.Last(q => q.Limit > 0).Sort);
    }

    [Fact]
    public void An_empty_cluster_says_it_is_waiting_for_the_first_poll()
    {
        Queries.Cluster = SampleCluster.Empty();

        var cut = RenderAt("nodes");

        cut.WaitForAssertion(() => Assert.Contains("No nodes yet — waiting for the first poll", cut.Find("[data-testid=empty-state]").TextContent));
        Assert.Empty(Rows(cut));
    }

    [Fact]
    public void A_failed_query_shows_a_message_and_retry_recovers()
    {
        Queries.Fail(nameof(IDashboardQueries.GetNodesAsync));

        var cut = Render<Nodes>();

        cut.WaitForAssertion(() => Assert.Contains("database is locked", cut.Find("[data-testid=query-error]").TextContent));
        Queries.Recover();
        cut.Find("[data-testid=query-error] [data-testid=retry]").Click();
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));
        Assert.Empty(cut.FindAll("[data-testid=query-error]"));
    }

    [Fact]
    public void A_node_turning_critical_shows_in_the_open_grid_without_reloading_the_page()
    {
        var cut = RenderAt("nodes");
        WaitForSubscription(cut, Feed);
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));
        var page = cut.Instance;
        var facetLoads = Queries.Calls(nameof(IDashboardQueries.GetNodeFacetsAsync));
        Assert.Equal("info", Row(cut, SampleCluster.HealthyNode).GetAttribute("data-severity"));

        Cluster.MarkCritical(SampleCluster.HealthyNode);
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.NodeChanged, SampleCluster.HealthyNode));

        cut.WaitForAssertion(() => Assert.Equal("critical", Row(cut, SampleCluster.HealthyNode).GetAttribute("data-severity")));
        Assert.Same(page, cut.Instance);
        Assert.Equal(facetLoads, Queries.Calls(nameof(IDashboardQueries.GetNodeFacetsAsync)));
        cut.WaitForAssertion(() => Assert.Contains("(4)", cut.Find("[data-testid=facet-critical]").TextContent));
    }

    [Fact]
    public void Changes_that_do_not_touch_nodes_do_not_requery_the_grid()
    {
        var cut = RenderAt("nodes");
        WaitForSubscription(cut, Feed);
        cut.WaitForAssertion(() => Assert.Equal(12, Rows(cut).Count));
        var before = Queries.NodeQueries.Count;

        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.DaemonSetChanged));
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.NodeChanged, SampleCluster.HealthyNode));

        // The second batch proves the first was processed (batches are applied in order).
        cut.WaitForState(() => Queries.NodeQueries.Count > before, TimeSpan.FromSeconds(5));
        Assert.Equal(1 + 4, Queries.NodeQueries.Count - before);
    }

    [Fact]
    public async Task Leaving_the_page_cancels_its_feed_subscription()
    {
        var cut = RenderAt("nodes");
        WaitForSubscription(cut, Feed);

        await DisposeComponentsAsync();

        Assert.Equal(0, Feed.Active);
        Assert.Equal(1, Feed.Cancelled);
    }

    private static IElement Row(IRenderedComponent<Nodes> cut, string node) =>
        cut.Find($"[data-testid=node-row][data-node='{node}']");
}
