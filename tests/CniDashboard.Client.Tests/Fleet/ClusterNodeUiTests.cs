using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Model;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;

namespace CniDashboard.Client.Tests.Fleet;

/// <summary>
/// Another cluster's node and plans from the fleet dashboard (issue 14): the node page at
/// <c>/clusters/{id}/nodes/{name}</c> reads that cluster's read model, never the local one; plans are listed to read.
/// </summary>
public sealed class ClusterNodeUiTests : DashboardTestContext
{
    private const string Eu = "prod-eu-1";
    private static readonly string Incident = SampleCluster.IncidentNodes[0];
    private readonly FakeDashboardQueries _eu;

    public ClusterNodeUiTests()
    {
        // prod-eu-1 has the incident node but not the healthy one; the local cluster has both.
        var eu = SampleCluster.Create();
        eu.Details.Remove(SampleCluster.HealthyNode);
        eu.Nodes.Remove(SampleCluster.HealthyNode);
        _eu = new FakeDashboardQueries(eu, Clock);
        // The incident's finding has a mechanical fix in both clusters, so a node page of either would offer a plan if it may.
        WithMechanicalFix(eu);
        WithMechanicalFix(Cluster);
        Fleet.With(Eu, 2, "mesh-token-pod-gone").WithQueries(Eu, _eu);
    }

    private static void WithMechanicalFix(SampleCluster cluster)
    {
        var detail = cluster.Details[Incident];
        cluster.Details[Incident] = detail with
        {
            Findings = [.. detail.Findings.Select(f => f.Rule == SampleCluster.IncidentRule
                ? f with { Edit = new FileEdit { Kind = FileEditKind.Replace, File = "05-cilium.conflist", Summary = "Remove the stale linkerd-cni entry", NewContent = "{}" } }
                : f)],
        };
    }

    private IRenderedComponent<NodeDetailPage> RenderClusterNode(string cluster, string node)
    {
        GoTo(ClusterLinks.Node(cluster, node));
        return Render<NodeDetailPage>(p => p.Add(x => x.Cluster, cluster).Add(x => x.Name, node));
    }

    [Fact]
    public void Another_clusters_node_is_read_from_that_cluster_with_its_files_history_and_findings_and_no_fix_button()
    {
        SignIn("olivia", "oidc", [], DashboardRole.Operator);
        var cut = RenderClusterNode(Eu, Incident);
        cut.WaitForElement("[data-testid=node-header]");

        Assert.Equal(1, _eu.Calls(nameof(IDashboardQueries.GetNodeAsync)));
        Assert.Equal(0, Queries.Calls(nameof(IDashboardQueries.GetNodeAsync)));
        Assert.NotEmpty(cut.FindAll("[data-testid=node-file]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=history-entry]"));
        Assert.NotEmpty(cut.FindAll($"[data-testid=finding][data-rule={SampleCluster.IncidentRule}]"));
        Assert.Contains("A node of cluster prod-eu-1", cut.Find("[data-testid=remote-cluster-note]").TextContent, StringComparison.Ordinal);
        // Plans for prod-eu-1 are made where its agents are reachable: no button that cannot work.
        Assert.Empty(cut.FindAll("[data-testid=fix-with-plan]"));
        Assert.Equal("clusters/prod-eu-1/nodes", cut.Find("[data-testid=breadcrumb-cluster]").GetAttribute("href"));
        // Links within the page stay in the cluster.
        Assert.StartsWith($"clusters/prod-eu-1/nodes/{Incident}?", cut.Find("[data-testid=history-change-link]").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal($"clusters/prod-eu-1/nodes/{Incident}#chain-4", cut.FindAll("[data-testid=error-chain-link]")[0].GetAttribute("href"));
    }

    [Fact]
    public void A_node_the_cluster_does_not_have_is_not_found_there_even_when_the_local_cluster_has_it()
    {
        var cut = RenderClusterNode(Eu, SampleCluster.HealthyNode);

        cut.WaitForElement("[data-testid=node-not-found]");
        Assert.Equal($"Cluster prod-eu-1 has no node named {SampleCluster.HealthyNode}.", cut.Find("[data-testid=node-not-found]").TextContent);
        Assert.Equal(0, Queries.Calls(nameof(IDashboardQueries.GetNodeAsync)));
    }

    [Fact]
    public void The_local_cluster_under_its_cluster_address_is_the_live_page_with_plans()
    {
        SignIn("olivia", "oidc", [], DashboardRole.Operator);
        var cut = RenderClusterNode(Fleet.LocalCluster, Incident);
        cut.WaitForElement("[data-testid=node-header]");

        Assert.Equal(1, Queries.Calls(nameof(IDashboardQueries.GetNodeAsync)));
        Assert.Empty(cut.FindAll("[data-testid=remote-cluster-note]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=fix-with-plan]"));
    }

    [Fact]
    public void Only_changes_of_its_own_cluster_reload_another_clusters_node()
    {
        var cut = RenderClusterNode(Eu, Incident);
        cut.WaitForElement("[data-testid=node-header]");
        WaitForSubscription(cut, Feed);

        // The same node name changing in the dashboard's own cluster or in a third one is another node,
        // and another node of prod-eu-1 is not this one; the change to this one, published last, is applied after them.
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.NodeChanged, Incident));
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.NodeChanged, Incident) with { Cluster = "staging" });
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.NodeChanged, SampleCluster.WarningNode) with { Cluster = Eu });
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.FindingOpened, Incident) with { Cluster = Eu });
        // Once nothing is pending, every batch but this last one (which reloads no node, but renders) was applied.
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.PlanChanged) with { Cluster = Eu });

        cut.WaitForState(() => Feed.Pending == 0, TimeSpan.FromSeconds(5));
        Assert.Equal(2, _eu.Calls(nameof(IDashboardQueries.GetNodeAsync)));
        Assert.Equal(0, Queries.Calls(nameof(IDashboardQueries.GetNodeAsync)));
    }

    [Fact]
    public void A_clusters_node_rows_link_to_the_node_in_that_cluster()
    {
        var cut = Render<ClusterNodesPage>(p => p.Add(x => x.Cluster, Eu));

        var link = cut.Find("[data-testid=cluster-node][data-node=prod-eu-1-node-01] a");
        Assert.Equal("clusters/prod-eu-1/nodes/prod-eu-1-node-01", link.GetAttribute("href"));
        Assert.Equal("clusters/prod-eu-1/remediation", cut.Find("[data-testid=cluster-plans-link]").GetAttribute("href"));
    }

    private static PlanSummary Plan(string id, PlanState state) => new()
    {
        Id = id,
        Rule = SampleCluster.IncidentRule,
        State = state,
        Author = "olivia",
        CreatedAt = SampleCluster.Now.AddMinutes(-30),
        UpdatedAt = SampleCluster.Now.AddMinutes(-5),
        Nodes = 4,
        NodesDone = 1,
    };

    [Fact]
    public void Another_clusters_plans_are_listed_to_read_and_say_why_they_are_not_run_from_here()
    {
        Fleet.WithPlans(Eu, Plan("rp-eu-1", PlanState.Running));
        SignIn("olivia", "oidc", [], DashboardRole.Admin);

        var cut = Render<ClusterPlansPage>(p => p.Add(x => x.Cluster, Eu));

        var row = cut.Find("[data-testid=plan-row]");
        Assert.Equal("rp-eu-1", row.GetAttribute("data-plan"));
        Assert.Equal("rp-eu-1", row.QuerySelector("[data-testid=plan-id]")!.TextContent);
        // No link to a plan page this dashboard cannot serve, no control that cannot work; the reason instead.
        Assert.Empty(cut.FindAll("[data-testid=plan-link]"));
        Assert.Empty(cut.FindAll("button"));
        Assert.Contains("runs in its own cluster's collector", cut.Find("[data-testid=cluster-plans-readonly]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_local_clusters_plans_link_to_their_pages()
    {
        Fleet.WithPlans(Fleet.LocalCluster, Plan("rp-local", PlanState.Paused));

        var cut = Render<ClusterPlansPage>(p => p.Add(x => x.Cluster, Fleet.LocalCluster));

        Assert.Equal("remediation/rp-local", cut.Find("[data-testid=plan-link]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=cluster-plans-readonly]"));
        Assert.Empty(Render<ClusterPlansPage>(p => p.Add(x => x.Cluster, "staging")).FindAll("[data-testid=plan-row]"));
    }

    [Fact]
    public async Task Disposing_a_fleet_page_cancels_its_query()
    {
        Fleet.Hold = new TaskCompletionSource();
        Render<FleetOverviewPage>();
        Render<ClusterNodesPage>(p => p.Add(x => x.Cluster, Eu));
        var token = Fleet.LastToken;
        Assert.False(token.IsCancellationRequested);

        await DisposeComponentsAsync();

        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public void A_cluster_page_loads_again_when_its_cluster_changes()
    {
        Fleet.With("staging", 1);
        var cut = Render<ClusterNodesPage>(p => p.Add(x => x.Cluster, Eu));
        Assert.Equal(1, Fleet.Calls);
        cut.Render(p => p.Add(x => x.Cluster, Eu));
        Assert.Equal(1, Fleet.Calls);

        cut.Render(p => p.Add(x => x.Cluster, "staging"));

        cut.WaitForAssertion(() => Assert.Equal("staging-node-01", cut.Find("[data-testid=cluster-node]").GetAttribute("data-node")));
        Assert.Equal(2, Fleet.Calls);
    }
}
