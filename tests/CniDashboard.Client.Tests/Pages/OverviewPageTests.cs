using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Tests.Pages;

public class OverviewPageTests : DashboardTestContext
{
    private IRenderedComponent<Overview> RenderLoaded()
    {
        var cut = Render<Overview>();
        cut.WaitForElement("[data-testid=health-tiles]");
        return cut;
    }

    private static string TileCount(IRenderedComponent<Overview> cut, string token) =>
        cut.Find($"[data-testid=health-tile-{token}] [data-testid=health-tile-count]").TextContent.Trim();

    [Fact]
    public void Health_tiles_count_nodes_by_state_and_link_to_the_filtered_nodes()
    {
        var cut = RenderLoaded();

        Assert.Equal("3", TileCount(cut, "critical"));
        Assert.Equal("1", TileCount(cut, "warning"));
        Assert.Equal("8", TileCount(cut, "ok"));
        Assert.Equal("1", TileCount(cut, "stale"));
        Assert.Equal("12", TileCount(cut, "total"));
        Assert.Equal("nodes?severity=critical", cut.Find("[data-testid=health-tile-critical]").GetAttribute("href"));
        Assert.Contains("Critical", cut.Find("[data-testid=health-tile-critical]").TextContent);
    }

    [Fact]
    public void Nodes_whose_agent_never_answered_are_counted_as_down_and_called_out()
    {
        Cluster.MarkNeverReached(SampleCluster.HealthyNode);
        Cluster.MarkNeverReached("ip-10-0-1-12.us-west-2.compute.internal");

        var cut = RenderLoaded();

        // The tile counts what its link shows: the stale node and the two never reached.
        cut.WaitForAssertion(() => Assert.Equal("3", TileCount(cut, "stale")));
        Assert.Equal("nodes?agent=stale", cut.Find("[data-testid=health-tile-stale]").GetAttribute("href"));
        var banner = cut.Find("[data-testid=never-read-banner]");
        Assert.Contains("2 nodes have never answered", banner.TextContent);
        Assert.Equal("nodes?agent=stale", banner.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void No_banner_when_every_agent_has_answered_at_least_once()
    {
        var cut = RenderLoaded();

        // The count of agents down has been asked for (and answered: the fake answers at once) before looking.
        cut.WaitForState(() => Queries.NodeQueries.Any(q => q is { Stale: true, Limit: 0 }), TimeSpan.FromSeconds(5));
        cut.WaitForAssertion(() => Assert.Equal("1", TileCount(cut, "stale")));
        Assert.Empty(cut.FindAll("[data-testid=never-read-banner]"));
    }

    [Fact]
    public void Top_finding_shows_affected_nodes_linking_to_the_nodes_page_filtered_by_rule()
    {
        var cut = RenderLoaded();

        var top = cut.FindAll("[data-testid=top-finding]")[0];
        Assert.Equal(SampleCluster.IncidentRule, top.GetAttribute("data-rule"));
        var link = top.QuerySelector("[data-testid=affected-nodes-link]")!;
        Assert.Equal("3 nodes", link.TextContent.Trim());
        Assert.Equal("nodes?rule=mesh-token-pod-gone", link.GetAttribute("href"));
        Assert.Equal("critical", top.QuerySelector("[data-testid=severity-chip]")!.GetAttribute("data-severity"));
    }

    [Fact]
    public void A_finding_on_several_nodes_leads_with_what_is_true_of_all_and_names_the_node_of_its_example()
    {
        var cut = RenderLoaded();

        var top = cut.FindAll("[data-testid=top-finding]")[0];
        Assert.Equal(CniDashboard.Shared.Analysis.AnalyzerRules.TitleOf(SampleCluster.IncidentRule), top.QuerySelector("[data-testid=top-finding-title]")!.TextContent.Trim());
        var example = top.QuerySelector("[data-testid=top-finding-example]")!;
        Assert.StartsWith("e.g. on ip-", example.TextContent.Trim(), StringComparison.Ordinal);
        Assert.EndsWith(".compute.internal", example.QuerySelector("span")!.GetAttribute("title"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_without_a_known_title_shows_its_message_alone_even_on_several_nodes()
    {
        Cluster.MarkCritical(SampleCluster.HealthyNode, rule: "rule-from-a-newer-analyzer");
        Cluster.MarkCritical(SampleCluster.WarningNode, rule: "rule-from-a-newer-analyzer");

        var cut = RenderLoaded();

        var row = cut.Find("[data-testid=top-finding][data-rule=rule-from-a-newer-analyzer]");
        Assert.Empty(row.QuerySelectorAll("[data-testid=top-finding-title]"));
        Assert.Empty(row.QuerySelectorAll("[data-testid=top-finding-example]"));
        Assert.Contains("2 nodes", row.TextContent);
    }

    [Fact]
    public void A_finding_on_several_nodes_whose_example_node_is_unknown_shows_its_message_alone()
    {
        // A known rule on several nodes, but no node to say "e.g. on …" about: the title-and-example form
        // would name nobody, so the message stands alone.
        Queries.OverviewAs = o => o with { TopFindings = [.. o.TopFindings.Select(f => f.Rule == SampleCluster.IncidentRule ? f with { MessageNode = null } : f)] };

        var cut = RenderLoaded();

        var row = cut.Find($"[data-testid=top-finding][data-rule={SampleCluster.IncidentRule}]");
        Assert.NotNull(CniDashboard.Shared.Analysis.AnalyzerRules.TitleOf(SampleCluster.IncidentRule));
        Assert.Empty(row.QuerySelectorAll("[data-testid=top-finding-title]"));
        Assert.Empty(row.QuerySelectorAll("[data-testid=top-finding-example]"));
        var incident = Cluster.Details[SampleCluster.IncidentNodes[0]].Findings.First(f => f.Rule == SampleCluster.IncidentRule);
        Assert.Contains(incident.Message, row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("e.g. on", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("3 nodes", row.TextContent);
    }

    [Fact]
    public void A_stuck_rollout_is_marked_stuck_in_words()
    {
        var cut = RenderLoaded();

        var linkerd = cut.Find("[data-testid=daemonset-row][data-name=linkerd-cni]");
        Assert.Equal("stuck", linkerd.GetAttribute("data-state"));
        Assert.Contains("Rollout stuck", linkerd.TextContent);
        Assert.Contains("cr.l5d.io/linkerd/cni-plugin:v1.6.2", linkerd.TextContent);
        Assert.Contains("12 of 12 updated, 9 of 12 ready", linkerd.TextContent);
        Assert.Contains(SampleCluster.IncidentNodes[0], linkerd.TextContent);
        Assert.Equal("uptodate", cut.Find("[data-testid=daemonset-row][data-name=cilium]").GetAttribute("data-state"));
    }

    [Fact]
    public void Recent_changes_link_to_the_diff_of_that_change()
    {
        var cut = RenderLoaded();

        var change = cut.FindAll("[data-testid=recent-change]")[0];
        var node = change.GetAttribute("data-node")!;
        var snapshot = Cluster.Snapshots[node][0].Id;
        Assert.Equal($"nodes/{node}?compare=change&with={snapshot}#diff", change.QuerySelector("[data-testid=change-diff-link]")!.GetAttribute("href"));
    }

    [Fact]
    public void A_nodes_first_snapshot_is_first_seen_with_its_files_not_a_change_with_a_diff()
    {
        // The stale node has only its first snapshot: nothing before it to have changed from.
        Cluster.Snapshots[SampleCluster.StaleNode].RemoveAt(1);

        var cut = RenderLoaded();

        var first = cut.Find($"[data-testid=recent-change][data-node='{SampleCluster.StaleNode}']");
        Assert.Equal("first-seen", first.GetAttribute("data-kind"));
        Assert.Equal("First seen", first.QuerySelector("[data-testid=first-seen]")!.TextContent.Trim());
        Assert.DoesNotContain("changed", first.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(first.QuerySelectorAll("[data-testid=change-diff-link]"));
        Assert.Equal($"nodes/{SampleCluster.StaleNode}#files-heading", first.QuerySelector("[data-testid=change-files-link]")!.GetAttribute("href"));

        var changed = cut.Find($"[data-testid=recent-change][data-node='{SampleCluster.HealthyNode}']");
        Assert.Equal("changed", changed.GetAttribute("data-kind"));
        Assert.Empty(changed.QuerySelectorAll("[data-testid=first-seen]"));
        Assert.NotNull(changed.QuerySelector("[data-testid=change-diff-link]"));
    }

    [Fact]
    public void Sandbox_timeline_is_stacked_by_plugin_and_switches_window_and_stacking()
    {
        var cut = RenderLoaded();

        cut.WaitForAssertion(() => Assert.Equal("linkerd-cni", cut.Find("[data-testid=timeline-series]").GetAttribute("data-key")));
        Assert.Equal(TimeSpan.FromHours(1), Queries.SandboxQueries[^1].Window);

        cut.Find("[data-testid=window-7d]").Click();
        cut.WaitForAssertion(() => Assert.Equal(TimeSpan.FromDays(7), Queries.SandboxQueries[^1].Window));
        // Over 7 days the old cilium-cni failure shows too.
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("[data-testid=timeline-series]"), s => s.GetAttribute("data-key") == "cilium-cni"));

        cut.Find("[data-testid=stack-class]").Click();
        cut.WaitForAssertion(() => Assert.Equal(SandboxGrouping.ErrorClass, Queries.SandboxQueries[^1].StackBy));
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("[data-testid=timeline-series]"), s => s.GetAttribute("data-key") == "Unauthorized"));
    }

    [Fact]
    public void An_empty_cluster_says_it_is_waiting_for_the_first_poll()
    {
        Queries.Cluster = SampleCluster.Empty();

        var cut = RenderLoaded();

        Assert.Contains("No nodes yet — waiting for the first poll", cut.Markup);
        Assert.Contains("No sandbox errors in this window", cut.Markup);
        Assert.Equal("0", TileCount(cut, "total"));
    }

    [Fact]
    public void A_failed_overview_query_shows_the_error_and_retry_loads_it()
    {
        Queries.Fail(nameof(IDashboardQueries.GetOverviewAsync), "store unavailable");

        var cut = Render<Overview>();

        cut.WaitForAssertion(() => Assert.Contains("Could not load the cluster overview: store unavailable", cut.Find("[data-testid=query-error]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=health-tiles]"));
        Queries.Recover();
        cut.Find("[data-testid=retry]").Click();
        cut.WaitForElement("[data-testid=health-tiles]");
        Assert.Empty(cut.FindAll("[data-testid=query-error]"));
    }

    [Fact]
    public void A_live_batch_updates_the_tiles_in_place()
    {
        var cut = RenderLoaded();
        WaitForSubscription(cut, Feed);
        var timelineLoads = Queries.Calls(nameof(IDashboardQueries.GetSandboxErrorsAsync));

        Cluster.MarkCritical(SampleCluster.HealthyNode);
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.FindingOpened, SampleCluster.HealthyNode));

        cut.WaitForAssertion(() => Assert.Equal("4", TileCount(cut, "critical")));
        // No sandbox error in the batch: the chart is not re-read.
        Assert.Equal(timelineLoads, Queries.Calls(nameof(IDashboardQueries.GetSandboxErrorsAsync)));
    }

    [Fact]
    public async Task Disposing_the_page_cancels_its_subscription()
    {
        var cut = RenderLoaded();
        WaitForSubscription(cut, Feed);

        await DisposeComponentsAsync();

        Assert.Equal(0, Feed.Active);
        Assert.Equal(1, Feed.Cancelled);
    }

    [Fact]
    public void A_failing_feed_says_live_updates_stopped()
    {
        Feed.FailWith = new InvalidOperationException("feed closed");

        var cut = RenderLoaded();

        cut.WaitForAssertion(() => Assert.Contains("Live updates stopped: feed closed", cut.Find("[data-testid=live-error]").TextContent));
    }
}
