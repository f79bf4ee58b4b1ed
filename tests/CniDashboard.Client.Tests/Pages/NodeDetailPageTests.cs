using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Client.Tests.Pages;

public class NodeDetailPageTests : DashboardTestContext
{
    private static readonly string Incident = SampleCluster.IncidentNodes[0];

    private IRenderedComponent<NodeDetailPage> RenderNode(string node, string query = "")
    {
        GoTo($"nodes/{node}{query}");
        var cut = Render<NodeDetailPage>(p => p.Add(x => x.Name, node));
        cut.WaitForElement("[data-testid=node-header]");
        return cut;
    }

    [Fact]
    public void The_chain_is_drawn_in_order_with_the_failing_plugin_marked()
    {
        var cut = RenderNode(Incident);

        var entries = cut.FindAll("[data-testid=chain-entry]");
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], entries.Select(e => e.GetAttribute("data-plugin")));
        var linkerd = entries[4];
        Assert.Equal("critical", linkerd.GetAttribute("data-severity"));
        Assert.Equal("chain-4", linkerd.Id);
        Assert.Contains("Critical", linkerd.TextContent);
        Assert.Contains("27 sandbox errors in the last hour", linkerd.TextContent);
        Assert.All(entries.Take(4), e => Assert.Equal("ok", e.GetAttribute("data-severity")));
    }

    [Fact]
    public void A_node_whose_files_were_never_read_says_so_instead_of_claiming_no_config()
    {
        Cluster.MarkNeverReached(SampleCluster.HealthyNode, "dial tcp 10.0.1.11:9443: i/o timeout");

        var cut = RenderNode(SampleCluster.HealthyNode);

        Assert.Equal("unknown", cut.Find("[data-testid=node-header] [data-testid=severity-chip]").GetAttribute("data-severity"));
        Assert.Contains("dial tcp 10.0.1.11:9443: i/o timeout", cut.Find("[data-testid=never-read-warning]").TextContent);
        Assert.Contains("Not known yet", cut.Find("[data-testid=chain-unknown]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=chain-empty]"));
        Assert.DoesNotContain("No open findings", cut.Find("[data-testid=findings]").TextContent);
    }

    [Fact]
    public void Findings_show_explanation_remediation_and_evidence()
    {
        var cut = RenderNode(Incident);

        var finding = cut.Find($"[data-testid=finding][data-rule={SampleCluster.IncidentRule}]");
        Assert.Equal("finding-mesh-token-pod-gone", finding.Id);
        Assert.Contains("revoked", finding.QuerySelector("[data-testid=finding-explanation]")!.TextContent);
        Assert.Contains("restart the linkerd-cni pod", finding.QuerySelector("[data-testid=finding-remediation]")!.TextContent);
        Assert.Equal(3, finding.QuerySelectorAll("[data-testid=finding-evidence] li").Length);
    }

    [Fact]
    public void Sandbox_errors_link_to_the_chain_entry_and_the_finding_behind_them()
    {
        var cut = RenderNode(Incident);

        var error = cut.FindAll("[data-testid=node-sandbox-error]")[0];
        Assert.Equal("Unauthorized", error.GetAttribute("data-class"));
        Assert.Equal($"nodes/{Incident}#chain-4", error.QuerySelector("[data-testid=error-chain-link]")!.GetAttribute("href"));
        Assert.Equal($"nodes/{Incident}#finding-mesh-token-pod-gone", error.QuerySelector("[data-testid=error-finding-link]")!.GetAttribute("href"));
    }

    [Fact]
    public void Files_mark_the_primary_and_explain_the_ignored_ones_with_tokens_redacted()
    {
        var cut = RenderNode(Incident);

        Assert.Equal("primary", cut.Find("[data-testid=node-file][data-file='05-cilium.conflist']").GetAttribute("data-standing"));
        Assert.Equal("shadowed", cut.Find("[data-testid=node-file][data-file='10-aws.conflist']").GetAttribute("data-standing"));
        var kubeconfig = cut.Find("[data-testid=node-file][data-file='ZZZ-linkerd-cni-kubeconfig']");
        Assert.Equal("ignored", kubeconfig.GetAttribute("data-standing"));
        Assert.NotEmpty(kubeconfig.QuerySelector("[data-testid=file-explanation]")!.TextContent.Trim());
        Assert.Contains("linkerd-cni-5hxw8", kubeconfig.QuerySelector("[data-testid=token-pod]")!.TextContent);
        Assert.Contains(TokenRedactor.Marker, kubeconfig.QuerySelector("[data-testid=file-content]")!.TextContent);
        // The reference token's header never reaches the page.
        Assert.DoesNotContain("eyJhbGciOiJSUzI1NiIs", cut.Markup);
        Assert.True(TokenRedactor.ContainsNoJwt(cut.Markup));
    }

    [Fact]
    public void The_default_diff_is_against_the_previous_snapshot_with_chain_changes_above_highlighted_lines()
    {
        var cut = RenderNode(Incident);

        var request = Queries.DiffRequests[^1];
        Assert.Equal(DiffSideKind.Previous, request.Left.Kind);
        Assert.Equal(DiffSideKind.NodeLatest, request.Right.Kind);
        var file = cut.Find("[data-testid=diff-view] [data-testid=diff-file][data-file='05-cilium.conflist']");
        Assert.Contains(file.QuerySelectorAll("[data-testid=chain-change]"), c => c.TextContent.Contains("linkerd-cni", StringComparison.Ordinal) && c.GetAttribute("data-kind") == "PluginAdded");
        Assert.NotEmpty(file.QuerySelectorAll("[data-testid=diff-line-added]"));
    }

    [Fact]
    public void Comparing_with_another_node_from_the_url_asks_for_that_node()
    {
        var cut = RenderNode(Incident, $"?compare=node&with={SampleCluster.HealthyNode}");

        var request = Queries.DiffRequests[^1];
        Assert.Equal(DiffSide.Latest(SampleCluster.HealthyNode), request.Left);
        Assert.Equal(DiffSide.Latest(Incident), request.Right);
        Assert.Equal("node", cut.Find("[data-testid=diff-mode]").GetAttribute("value"));
        Assert.Contains("ZZZ-linkerd-cni-kubeconfig", cut.Find("[data-testid=diff-view]").TextContent);
    }

    [Fact]
    public void Picking_the_group_baseline_writes_the_choice_to_the_url_and_compares_with_it()
    {
        var cut = RenderNode(Incident);

        cut.Find("[data-testid=diff-mode]").Change("baseline");

        Assert.EndsWith("?compare=baseline", Navigation.Uri);
        cut.WaitForAssertion(() => Assert.Equal(DiffSide.Baseline("ng-general"), Queries.DiffRequests[^1].Left));
        cut.WaitForAssertion(() => Assert.Contains("baseline of ng-general", cut.Find("[data-testid=diff-sides]").TextContent));
    }

    [Fact]
    public void A_history_change_link_compares_that_snapshot_with_the_one_before()
    {
        var snapshots = Cluster.Snapshots[Incident];
        var cut = RenderNode(Incident, $"?compare=change&with={snapshots[0].Id}");

        var request = Queries.DiffRequests[^1];
        Assert.Equal(DiffSide.At(Incident, snapshots[1].Id), request.Left);
        Assert.Equal(DiffSide.At(Incident, snapshots[0].Id), request.Right);
        Assert.Equal(2, cut.FindAll("[data-testid=history-entry]").Count);
    }

    [Fact]
    public void The_oldest_snapshot_has_nothing_before_it_to_compare()
    {
        var oldest = Cluster.Snapshots[Incident][^1].Id;

        var cut = RenderNode(Incident, $"?compare=change&with={oldest}");

        Assert.Contains("oldest one kept", cut.Find("[data-testid=diff-reason]").TextContent);
    }

    [Fact]
    public void An_unknown_node_says_so()
    {
        GoTo("nodes/ip-10-9-9-9");
        var cut = Render<NodeDetailPage>(p => p.Add(x => x.Name, "ip-10-9-9-9"));

        cut.WaitForAssertion(() => Assert.Contains("never seen a node named", cut.Find("[data-testid=node-not-found]").TextContent));
    }

    [Fact]
    public void A_failed_query_shows_an_error_with_retry()
    {
        Queries.Fail(nameof(IDashboardQueries.GetNodeAsync));
        GoTo($"nodes/{Incident}");
        var cut = Render<NodeDetailPage>(p => p.Add(x => x.Name, Incident));

        cut.WaitForAssertion(() => Assert.Contains("database is locked", cut.Find("[data-testid=query-error]").TextContent));
        Queries.Recover();
        cut.Find("[data-testid=retry]").Click();
        cut.WaitForElement("[data-testid=node-header]");
    }

    [Fact]
    public void A_stale_agent_is_explained()
    {
        var cut = RenderNode(SampleCluster.StaleNode);

        Assert.Contains("timeout after 5 s", cut.Find("[data-testid=stale-warning]").TextContent);
        Assert.Equal("stale", cut.Find("[data-testid=node-header] [data-testid=agent-status]").GetAttribute("data-state"));
    }

    [Fact]
    public void A_node_whose_agent_answers_but_does_not_announce_is_stale_with_the_reason_not_called_silent()
    {
        Cluster.MarkStale(Incident, "agent pod cni-dashboard-agent-x7k2q is not Ready, so its announcements cannot be relied on", answers: true);

        var cut = RenderNode(Incident);

        var warning = cut.Find("[data-testid=stale-warning]").TextContent;
        Assert.Contains("answers, but changes to its files may reach the dashboard late (since 12 min ago)", warning, StringComparison.Ordinal);
        Assert.Contains("agent pod cni-dashboard-agent-x7k2q is not Ready", warning, StringComparison.Ordinal);
        Assert.Contains("What you see was read 2 min ago", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped answering", warning, StringComparison.Ordinal);
        Assert.Equal("stale", cut.Find("[data-testid=node-header] [data-testid=agent-status]").GetAttribute("data-state"));
    }

    [Fact]
    public void Only_changes_to_this_node_reload_it()
    {
        var cut = RenderNode(SampleCluster.HealthyNode);
        WaitForSubscription(cut, Feed);
        var loads = Queries.Calls(nameof(IDashboardQueries.GetNodeAsync));

        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.NodeChanged, SampleCluster.WarningNode));
        Cluster.MarkCritical(SampleCluster.HealthyNode);
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.FindingOpened, SampleCluster.HealthyNode));

        cut.WaitForAssertion(() => Assert.Equal("critical", cut.Find("[data-testid=node-header]").GetAttribute("data-severity")));
        Assert.Equal(loads + 1, Queries.Calls(nameof(IDashboardQueries.GetNodeAsync)));
    }

    [Fact]
    public async Task Disposing_the_page_cancels_its_subscription()
    {
        var cut = RenderNode(Incident);
        WaitForSubscription(cut, Feed);

        await DisposeComponentsAsync();

        Assert.Equal(1, Feed.Cancelled);
        Assert.Equal(0, Feed.Active);
    }
}
