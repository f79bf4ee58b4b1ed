using CniDashboard.Client.Components.Layout;
using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Tests.Remediation;

/// <summary>The plans list, the navigation link, "Fix with a plan" on findings, and the "being fixed" chips.</summary>
public class RemediationEntryPointTests : DashboardTestContext
{
    private static readonly string Incident = SampleCluster.IncidentNodes[0];

    [Fact]
    public void The_plans_list_shows_each_plans_state_progress_and_why_it_is_paused_with_a_link()
    {
        SignIn("viewer", "oidc", [], DashboardRole.Viewer);
        var paused = Remediation.Seed(PlanState.Paused);
        var draft = Remediation.Seed(PlanState.Draft);

        var cut = Render<RemediationPlans>();
        cut.WaitForElement("[data-testid=plan-list]");

        var rows = cut.FindAll("[data-testid=plan-row]");
        Assert.Equal([draft.Id, paused.Id], rows.Select(r => r.GetAttribute("data-plan")));
        var pausedRow = rows[1];
        Assert.Equal("paused", pausedRow.QuerySelector("[data-testid=plan-state]")!.GetAttribute("data-state"));
        Assert.Contains("paused by operator", pausedRow.QuerySelector("[data-testid=plan-paused-reason]")!.TextContent);
        Assert.Contains("0 of 3 nodes done", pausedRow.QuerySelector("[data-testid=plan-progress-text]")!.TextContent);
        Assert.Equal($"remediation/{paused.Id}", pausedRow.QuerySelector("[data-testid=plan-link]")!.GetAttribute("href"));
        Assert.Equal("draft", rows[0].QuerySelector("[data-testid=plan-state]")!.GetAttribute("data-state"));
    }

    [Fact]
    public void The_plans_list_follows_plan_changes()
    {
        var cut = Render<RemediationPlans>();
        cut.WaitForElement("[data-testid=empty-state]");
        WaitForSubscription(cut, Feed);

        var plan = Remediation.Seed(PlanState.PendingApproval);
        Feed.Publish(new ClusterChange { Kind = ClusterChangeKind.PlanChanged, At = SampleCluster.Now, Plan = plan.Id });

        cut.WaitForAssertion(() => Assert.Equal("pending-approval", cut.Find("[data-testid=plan-row] [data-testid=plan-state]").GetAttribute("data-state")));
    }

    [Fact]
    public void The_navigation_links_to_the_plans()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p>page</p>"))));

        var link = cut.Find("[data-testid=nav-remediation]");
        Assert.Equal(("Remediation", "remediation"), (link.TextContent.Trim(), link.GetAttribute("href")));
    }

    [Fact]
    public void The_overviews_top_findings_offer_a_plan_per_rule_to_operators_only()
    {
        SignIn("viewer", "oidc", [], DashboardRole.Viewer);
        var viewer = Render<Overview>();
        viewer.WaitForElement("[data-testid=top-finding]");
        Assert.Empty(viewer.FindAll("[data-testid=fix-with-plan]"));

        SignIn("operator", "oidc", [], DashboardRole.Operator);
        var cut = Render<Overview>();
        cut.WaitForElement("[data-testid=top-finding]");

        var fix = cut.Find($"[data-testid=top-finding][data-rule='{SampleCluster.IncidentRule}'] [data-testid=fix-with-plan]");
        Assert.Equal("remediation/new?rule=mesh-token-pod-gone", fix.GetAttribute("href"));
    }

    [Fact]
    public void A_finding_with_a_mechanical_fix_offers_a_plan_for_that_node_and_plugin_to_operators()
    {
        var finding = Cluster.Details[Incident].Findings.First(f => f.Rule == SampleCluster.IncidentRule);
        Cluster.Details[Incident] = Cluster.Details[Incident] with
        {
            Findings = [finding with { Edit = new FileEdit { Kind = FileEditKind.Replace, File = "05-cilium.conflist", Summary = "Remove the stale linkerd-cni entry", NewContent = "{}" } },
                .. Cluster.Details[Incident].Findings.Where(f => f != finding)],
        };
        SignIn("operator", "oidc", [], DashboardRole.Operator);
        GoTo($"nodes/{Incident}");

        var cut = Render<NodeDetailPage>(p => p.Add(x => x.Name, Incident));
        cut.WaitForElement("[data-testid=finding]");

        var fixes = cut.FindAll("[data-testid=fix-with-plan]");
        // Only the finding with a mechanical fix offers one (the info finding has none).
        var fix = Assert.Single(fixes);
        Assert.Equal($"remediation/new?rule=mesh-token-pod-gone&plugin=linkerd-cni&nodes={Uri.EscapeDataString(Incident)}", fix.GetAttribute("href"));
    }

    [Fact]
    public void A_viewer_is_offered_no_fix_on_a_finding()
    {
        SignIn("viewer", "oidc", [], DashboardRole.Viewer);
        GoTo($"nodes/{SampleCluster.WarningNode}");

        var cut = Render<NodeDetailPage>(p => p.Add(x => x.Name, SampleCluster.WarningNode));
        cut.WaitForElement("[data-testid=finding]");

        Assert.Contains(cut.FindAll("[data-testid=finding]"), f => f.TextContent.Contains("Mechanical fix available", StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=fix-with-plan]"));
    }

    [Fact]
    public void The_overview_shows_which_nodes_are_being_fixed_with_a_link_to_the_plan_and_follows_plan_changes()
    {
        var cut = Render<Overview>();
        cut.WaitForElement("[data-testid=health-tiles]");
        WaitForSubscription(cut, Feed);
        Assert.Empty(cut.FindAll("[data-testid=being-fixed]"));

        var plan = Remediation.Seed(PlanState.Running);
        Feed.Publish(new ClusterChange { Kind = ClusterChangeKind.PlanChanged, At = SampleCluster.Now, Plan = plan.Id });

        var chip = cut.WaitForElement("[data-testid=node-fix-chip]");
        Assert.Equal((plan.Nodes[0].Node, plan.Id), (chip.GetAttribute("data-node"), chip.GetAttribute("data-plan")));
        Assert.Equal($"remediation/{plan.Id}", chip.GetAttribute("href"));
        Assert.Contains("being fixed", chip.TextContent);
        Assert.Single(cut.FindAll("[data-testid=node-fix-chip]"));
    }

    [Fact]
    public void The_nodes_grid_marks_the_node_being_fixed()
    {
        var plan = Remediation.Seed(PlanState.Paused);
        var canary = plan.Nodes[0].Node;

        var cut = Render<Nodes>();
        cut.WaitForAssertion(() => Assert.Equal(12, cut.FindAll("[data-testid=node-row]").Count));

        cut.WaitForAssertion(() => Assert.Equal([canary], cut.FindAll("[data-testid=node-fix-chip]").Select(c => c.GetAttribute("data-node"))));
        Assert.Contains("fix paused", cut.Find("[data-testid=node-fix-chip]").TextContent);
    }

    [Fact]
    public void The_node_page_says_which_plan_is_fixing_the_node_and_follows_plan_changes()
    {
        var plan = Remediation.Seed(PlanState.Running);
        var canary = plan.Nodes[0].Node;
        var other = plan.Nodes[1].Node;
        GoTo($"nodes/{canary}");

        var cut = Render<NodeDetailPage>(p => p.Add(x => x.Name, canary));
        cut.WaitForElement("[data-testid=node-header]");
        var chip = cut.WaitForElement("[data-testid=node-header] [data-testid=node-fix-chip]");
        Assert.Equal((canary, plan.Id, $"remediation/{plan.Id}"), (chip.GetAttribute("data-node"), chip.GetAttribute("data-plan"), chip.GetAttribute("href")));
        Assert.Contains("being fixed", chip.TextContent);

        // Paused: the chip says so; aborted (the plan no longer running or paused): the chip goes.
        WaitForSubscription(cut, Feed);
        Remediation.Change(plan.Id, p => p.Pause("operator", SampleCluster.Now));
        Feed.Publish(new ClusterChange { Kind = ClusterChangeKind.PlanChanged, At = SampleCluster.Now, Plan = plan.Id });
        cut.WaitForAssertion(() => Assert.Contains("fix paused", cut.Find("[data-testid=node-fix-chip]").TextContent));
        Remediation.Change(plan.Id, p => p.Abort("operator", "the rollout is paused upstream", SampleCluster.Now));
        Feed.Publish(new ClusterChange { Kind = ClusterChangeKind.PlanChanged, At = SampleCluster.Now, Plan = plan.Id });
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=node-fix-chip]")));

        // Another node of the plan, not in hand: no chip.
        var otherCut = Render<NodeDetailPage>(p => p.Add(x => x.Name, other));
        otherCut.WaitForElement("[data-testid=node-header]");
        Assert.Empty(otherCut.FindAll("[data-testid=node-fix-chip]"));
    }

    [Fact]
    public void On_the_nodes_of_one_rule_an_operator_ticks_nodes_and_plans_a_fix_for_them()
    {
        SignIn("operator", "oidc", [], DashboardRole.Operator);
        GoTo("nodes?rule=mesh-token-pod-gone");
        var cut = Render<Nodes>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=node-row]").Count));

        var fix = cut.Find("[data-testid=fix-selection] [data-testid=fix-with-plan]");
        Assert.Equal("remediation/new?rule=mesh-token-pod-gone", fix.GetAttribute("href"));
        Assert.Contains("Fix all with a plan", fix.TextContent);

        cut.Find($"[data-testid=node-row][data-node='{SampleCluster.IncidentNodes[2]}'] [data-testid=node-select]").Change(true);
        cut.Find($"[data-testid=node-row][data-node='{SampleCluster.IncidentNodes[0]}'] [data-testid=node-select]").Change(true);

        Assert.Contains("2 nodes ticked", cut.Find("[data-testid=fix-selection-count]").TextContent);
        Assert.Equal($"remediation/new?rule=mesh-token-pod-gone&nodes={Uri.EscapeDataString(SampleCluster.IncidentNodes[2] + "," + SampleCluster.IncidentNodes[0])}",
            cut.Find("[data-testid=fix-selection] [data-testid=fix-with-plan]").GetAttribute("href"));
    }

    [Fact]
    public void Without_a_rule_filter_or_without_the_operator_role_the_nodes_grid_offers_no_selection()
    {
        SignIn("operator", "oidc", [], DashboardRole.Operator);
        var all = Render<Nodes>();
        all.WaitForAssertion(() => Assert.Equal(12, all.FindAll("[data-testid=node-row]").Count));
        Assert.Empty(all.FindAll("[data-testid=node-select]"));
        Assert.Empty(all.FindAll("[data-testid=fix-selection]"));

        SignIn("viewer", "oidc", [], DashboardRole.Viewer);
        GoTo("nodes?rule=mesh-token-pod-gone");
        var viewer = Render<Nodes>();
        viewer.WaitForAssertion(() => Assert.Equal(3, viewer.FindAll("[data-testid=node-row]").Count));
        Assert.Empty(viewer.FindAll("[data-testid=node-select]"));
        Assert.Empty(viewer.FindAll("[data-testid=fix-selection]"));
    }
}
