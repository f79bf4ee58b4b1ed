using CniDashboard.Client.Components.Layout;
using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Model;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Tests.Fleet;

/// <summary>The cluster switcher, the fleet overview and a cluster's page (issue 14), over a fake fleet.</summary>
public sealed class FleetUiTests : DashboardTestContext
{
    private void TwoClustersAndStaging()
    {
        Fleet.With("eks-prod-us-west-2", 3, "mesh-token-pod-gone")
            .With("prod-eu-1", 40, "mesh-token-pod-gone")
            .With("staging", 2, "duplicate-plugin", Severity.Warning);
    }

    [Fact]
    public void The_switcher_is_hidden_while_the_store_holds_one_cluster()
    {
        var cut = Render<ClusterSwitcher>();

        Assert.Empty(cut.FindAll("[data-testid=cluster-switcher]"));
    }

    [Fact]
    public void The_switcher_lists_clusters_worst_first_and_selects_the_local_one_on_the_unprefixed_pages()
    {
        TwoClustersAndStaging();
        var cut = Render<ClusterSwitcher>();

        var options = cut.FindAll("[data-testid=cluster-option]");
        Assert.Equal(["prod-eu-1", "eks-prod-us-west-2", "staging"], options.Select(o => o.GetAttribute("data-cluster")));
        Assert.Equal("prod-eu-1 · 40 critical", options[0].TextContent);
        Assert.Equal("eks-prod-us-west-2 (this dashboard) · 3 critical", options[1].TextContent);
        Assert.Equal("staging · 2 warning", options[2].TextContent);
        Assert.Equal("All clusters (3)", cut.Find("[data-testid=cluster-option-fleet]").TextContent);
        Assert.Equal("eks-prod-us-west-2", cut.Find("select").GetAttribute("value"));
    }

    [Fact]
    public void Choosing_a_cluster_opens_its_page_the_local_one_opens_the_live_overview_and_all_opens_the_fleet()
    {
        TwoClustersAndStaging();
        var cut = Render<ClusterSwitcher>();

        cut.Find("select").Change("prod-eu-1");
        Assert.Equal("http://localhost/clusters/prod-eu-1", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Equal("prod-eu-1", cut.Find("select").GetAttribute("value")));

        cut.Find("select").Change(ClusterSwitcher.FleetValue);
        Assert.Equal("http://localhost/fleet", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Equal(ClusterSwitcher.FleetValue, cut.Find("select").GetAttribute("value")));

        cut.Find("select").Change("eks-prod-us-west-2");
        Assert.Equal("http://localhost/", Navigation.Uri);
    }

    [Fact]
    public void The_fleet_overview_ranks_clusters_and_says_where_each_finding_is()
    {
        TwoClustersAndStaging();
        var cut = Render<FleetOverviewPage>();

        var rows = cut.FindAll("[data-testid=fleet-cluster]");
        Assert.Equal(["prod-eu-1", "eks-prod-us-west-2", "staging"], rows.Select(r => r.GetAttribute("data-cluster")));
        Assert.Equal("40", rows[0].QuerySelector("[data-testid=fleet-cluster-critical]")!.TextContent);
        var links = cut.FindAll("[data-testid=fleet-cluster-link]");
        Assert.Equal(["clusters/prod-eu-1", "", "clusters/staging"], links.Select(l => l.GetAttribute("href")));
        Assert.Contains("this dashboard", rows[1].TextContent, StringComparison.Ordinal);

        var findings = cut.FindAll("[data-testid=fleet-finding-text]");
        Assert.Equal(
            ["mesh-token-pod-gone on 40 nodes in prod-eu-1, 3 in eks-prod-us-west-2", "duplicate-plugin on 2 nodes in staging"],
            findings.Select(f => f.TextContent));
    }

    [Fact]
    public void The_fleet_overview_shows_a_failure_with_a_retry()
    {
        Fleet.Failure = "store unreachable";
        var cut = Render<FleetOverviewPage>();

        Assert.Contains("Could not load the fleet: store unreachable", cut.Find("[data-testid=query-error]").TextContent, StringComparison.Ordinal);
        Fleet.Failure = null;
        cut.Find("[data-testid=retry]").Click();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=fleet-cluster]")));
    }

    [Fact]
    public void A_cluster_page_lists_its_nodes_worst_first_and_says_when_the_cap_cut_the_list()
    {
        Fleet.With("prod-eu-1", 2, rule: null, severity: null, agent: AgentState.Stale).With("prod-eu-1", 3, "mesh-token-pod-gone");
        Fleet.PageCap = 4;
        var cut = Render<ClusterNodesPage>(p => p.Add(x => x.Cluster, "prod-eu-1"));

        var nodes = cut.FindAll("[data-testid=cluster-node]");
        Assert.Equal(["prod-eu-1-node-03", "prod-eu-1-node-04", "prod-eu-1-node-05", "prod-eu-1-node-01"], nodes.Select(n => n.GetAttribute("data-node")));
        Assert.Contains("mesh-token-pod-gone", nodes[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Showing the 4 worst of 5 nodes", cut.Find("[data-testid=cluster-truncated]").TextContent, StringComparison.Ordinal);
        Assert.Contains("2 stale agents", cut.Find("[data-testid=cluster-summary]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=cluster-live-link]"));
    }

    [Fact]
    public void The_local_clusters_page_links_to_its_live_view_and_an_unknown_cluster_says_so()
    {
        var local = Render<ClusterNodesPage>(p => p.Add(x => x.Cluster, "eks-prod-us-west-2"));
        Assert.Equal(Links.Nodes, local.Find("[data-testid=cluster-live-link]").GetAttribute("href"));

        var unknown = Render<ClusterNodesPage>(p => p.Add(x => x.Cluster, "nowhere"));
        Assert.Contains("The store has no node of cluster nowhere", unknown.Find("[data-testid=cluster-unknown]").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "local")]
    [InlineData("nodes?severity=critical", "local")]
    [InlineData("fleet", null)]
    [InlineData("clusters/prod-eu-1", "prod-eu-1")]
    [InlineData("clusters/prod-eu-1/nodes", "prod-eu-1")]
    public void The_selected_cluster_follows_the_url(string path, string? expected)
    {
        Assert.Equal(expected, ClusterLinks.Selected(path, "local"));
    }
}
