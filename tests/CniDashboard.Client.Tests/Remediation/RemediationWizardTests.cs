using CniDashboard.Client.Components.Pages;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;

namespace CniDashboard.Client.Tests.Remediation;

public class RemediationWizardTests : DashboardTestContext
{
    private static readonly string Canary = SampleCluster.IncidentNodes[1];

    public RemediationWizardTests() => SignIn("operator", "oidc", [], DashboardRole.Operator);

    private IRenderedComponent<RemediationWizard> RenderWizard(string query = "?rule=mesh-token-pod-gone&plugin=linkerd-cni")
    {
        GoTo("remediation/new" + query);
        var cut = Render<RemediationWizard>();
        cut.WaitForElement("[data-testid=wizard-problem]");
        return cut;
    }

    private static void Next(IRenderedComponent<RemediationWizard> cut) => cut.Find("[data-testid=wizard-next]").Click();

    private static IReadOnlyList<string?> Order(IRenderedComponent<RemediationWizard> cut) =>
        [.. cut.FindAll("[data-testid=order-node]").Select(n => n.GetAttribute("data-node"))];

    private IRenderedComponent<RemediationWizard> RenderReview()
    {
        var cut = RenderWizard();
        Next(cut);
        Next(cut);
        Next(cut);
        cut.WaitForElement("[data-testid=wizard-review]");
        return cut;
    }

    [Fact]
    public void The_problem_step_shows_the_finding_its_rule_the_nodes_it_affects_and_those_left_out()
    {
        var cut = RenderWizard();

        Assert.Equal(AnalyzerRules.TitleOf(SampleCluster.IncidentRule), cut.Find("[data-testid=rule-title]").TextContent);
        Assert.Equal(SampleCluster.IncidentRule, cut.Find("[data-testid=rule-id]").TextContent);
        Assert.Contains("linkerd-cni/linkerd-cni", cut.Find("[data-testid=component]").TextContent);
        Assert.Equal(3, cut.FindAll("[data-testid=affected-node]").Count);
        Assert.Contains("token names a pod that no longer exists", cut.Find("[data-testid=affected-node]").TextContent);
        var excluded = cut.Find("[data-testid=excluded-node]");
        Assert.Equal(SampleCluster.HealthyNode, excluded.GetAttribute("data-node"));
        Assert.Contains("no mesh-token-pod-gone finding on the node now", excluded.TextContent);
        // The first proposal asks for what the address says: the rule, the plugin, every node that shows it.
        var first = Assert.Single(Remediation.Proposed);
        Assert.Equal(("mesh-token-pod-gone", "linkerd-cni", 0), (first.Rule, first.Plugin, first.Nodes.Count));
    }

    [Fact]
    public void Nodes_named_in_the_address_are_asked_for_and_one_without_the_finding_is_shown_with_its_reason()
    {
        var cut = RenderWizard($"?rule=mesh-token-pod-gone&nodes={SampleCluster.IncidentNodes[0]},{SampleCluster.WarningNode}");

        Assert.Equal([SampleCluster.IncidentNodes[0], SampleCluster.WarningNode], Remediation.Proposed[0].Nodes);
        Assert.Single(cut.FindAll("[data-testid=affected-node]"));
        Assert.Contains(cut.FindAll("[data-testid=excluded-node]"), e => e.GetAttribute("data-node") == SampleCluster.WarningNode);
    }

    [Fact]
    public void Without_a_rule_the_wizard_says_to_pick_a_finding()
    {
        GoTo("remediation/new");
        var cut = Render<RemediationWizard>();

        Assert.Contains("Pick a finding", cut.Find("[data-testid=no-rule]").TextContent);
        Assert.Empty(Remediation.Proposed);
    }

    [Fact]
    public void The_nodes_step_puts_the_canary_first_and_lets_nodes_be_removed_put_back_and_reordered()
    {
        var cut = RenderWizard();
        Next(cut);

        Assert.Equal(Canary, Order(cut)[0]);
        Assert.Equal(Canary, cut.Find("[data-testid=canary]").Closest("[data-testid=order-node]")!.GetAttribute("data-node"));
        Assert.True(cut.Find("[data-testid=option-canary-first]").HasAttribute("checked"));

        cut.FindAll("[data-testid=order-node]")[2].QuerySelector("[data-testid=remove-node]")!.Click();
        Assert.Equal(2, Order(cut).Count);
        var removed = cut.Find("[data-testid=restore-node]").GetAttribute("data-node");

        cut.FindAll("[data-testid=order-node]")[1].QuerySelector("[data-testid=move-up]")!.Click();
        Assert.NotEqual(Canary, Order(cut)[0]);
        // A hand-made order is kept: the canary is whoever the person put first.
        Assert.False(cut.Find("[data-testid=option-canary-first]").HasAttribute("checked"));

        cut.Find("[data-testid=restore-node]").Click();
        Assert.Equal(removed, Order(cut)[2]);
        Assert.Empty(cut.FindAll("[data-testid=restore-node]"));
    }

    [Fact]
    public void The_options_step_shows_each_problem_inline_and_holds_the_wizard_until_it_is_fixed()
    {
        var cut = RenderWizard();
        Next(cut);
        Next(cut);

        Assert.True(cut.Find("[data-testid=option-cordon]").HasAttribute("checked"));
        Assert.False(cut.Find("[data-testid=option-hold]").HasAttribute("checked"));
        Assert.Equal("60", cut.Find("[data-testid=option-window]").GetAttribute("value"));
        Assert.Empty(cut.FindAll("[data-testid=option-problem]"));

        cut.Find("[data-testid=option-window]").Input("2");
        cut.Find("[data-testid=option-in-flight]").Input("2");

        var problems = cut.FindAll("[data-testid=option-problem]").Select(p => p.TextContent).ToList();
        Assert.Contains(problems, p => p.Contains("verification window must be between 5 s and 60 min", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("nodes worked on at once cannot exceed the unhealthy limit", StringComparison.Ordinal));
        Assert.True(cut.Find("[data-testid=wizard-next]").HasAttribute("disabled"));

        cut.Find("[data-testid=option-window]").Input("90");
        cut.Find("[data-testid=option-blast-radius]").Input("2");
        Assert.Empty(cut.FindAll("[data-testid=option-problem]"));
        Assert.False(cut.Find("[data-testid=wizard-next]").HasAttribute("disabled"));
    }

    [Fact]
    public void The_review_asks_for_the_plan_as_it_stands_and_shows_every_nodes_diffs_predicted_findings_and_risks()
    {
        var cut = RenderWizard();
        Next(cut);
        cut.FindAll("[data-testid=order-node]")[2].QuerySelector("[data-testid=remove-node]")!.Click();
        Next(cut);
        cut.Find("[data-testid=option-hold]").Change(true);
        cut.Find("[data-testid=option-window]").Input("120");
        Next(cut);
        cut.WaitForElement("[data-testid=wizard-review]");

        var review = Remediation.Proposed[^1];
        Assert.Equal(2, review.Nodes.Count);
        Assert.Equal(Canary, review.Nodes[0]);
        Assert.True(review.Options.HoldAfterCanary);
        Assert.Equal(TimeSpan.FromSeconds(120), review.Options.VerificationWindow);

        var nodes = cut.FindAll("[data-testid=node-review]");
        Assert.Equal(review.Nodes, nodes.Select(n => n.GetAttribute("data-node")));
        foreach (var node in nodes)
        {
            Assert.Equal(["05-cilium.conflist", "10-aws.conflist"], node.QuerySelectorAll("[data-testid=planned-edit]").Select(e => e.GetAttribute("data-file")));
            // Side by side: the stale linkerd-cni object is on the left only.
            Assert.Equal(2, node.QuerySelectorAll("[data-testid=side-by-side-diff]").Length);
            Assert.Contains(node.QuerySelectorAll("[data-testid=diff-line-removed]"), l => l.TextContent.Contains("linkerd-cni", StringComparison.Ordinal));
            Assert.Equal("1", node.QuerySelector("[data-testid=predicted-resolved]")!.GetAttribute("data-count"));
            Assert.Equal("0", node.QuerySelector("[data-testid=predicted-introduced]")!.GetAttribute("data-count"));
            Assert.Equal("1", node.QuerySelector("[data-testid=predicted-remaining]")!.GetAttribute("data-count"));
        }

        Assert.Equal([SampleRemediation.UnmeshedRisk, SampleRemediation.InstallerRisk], cut.FindAll("[data-testid=risk-note]").Select(r => r.GetAttribute("data-risk")));
        Assert.Contains("verified for 2 min, holding after the canary", cut.Find("[data-testid=review-summary]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=submit-blocked]"));
        Assert.False(cut.Find("[data-testid=wizard-submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void Submitting_creates_the_plan_as_reviewed_submits_it_with_the_comment_and_opens_its_page()
    {
        var cut = RenderReview();

        cut.Find("[data-testid=submit-comment]").Input("stale entries after the linkerd-cni 1.6.2 rollout");
        cut.Find("[data-testid=wizard-submit]").Click();

        cut.WaitForAssertion(() => Assert.EndsWith("/remediation/plan-1", Navigation.Uri, StringComparison.Ordinal));
        var created = Assert.Single(Remediation.Created);
        Assert.Equal(Remediation.Proposed[^1].Nodes, created.Nodes);
        Assert.Equal(["create mesh-token-pod-gone", "submit plan-1 \"stale entries after the linkerd-cni 1.6.2 rollout\""], Remediation.Calls);
        Assert.Equal(PlanState.PendingApproval, Remediation.Plans["plan-1"].State);
    }

    [Fact]
    public void A_plan_whose_fix_adds_a_critical_finding_cannot_be_submitted_and_says_why_until_that_node_is_taken_out()
    {
        var bad = SampleCluster.IncidentNodes[2];
        Remediation.Proposal = Remediation.Proposal with
        {
            Nodes = [.. Remediation.Proposal.Nodes.Select(n => n.Node == bad ? SampleRemediation.Node(bad, n.SandboxErrors, addsCritical: true) : n)],
        };
        var cut = RenderReview();

        var blocked = cut.Find("[data-testid=submit-blocked]");
        Assert.Contains("cannot be submitted", blocked.TextContent);
        Assert.Contains(bad, blocked.TextContent);
        Assert.Equal("true", cut.Find($"[data-testid=prediction][data-node='{bad}']").GetAttribute("data-adds-critical"));
        Assert.Contains("No loadable CNI configuration", cut.Find($"[data-testid=prediction][data-node='{bad}'] [data-testid=predicted-introduced]").TextContent);
        Assert.True(cut.Find("[data-testid=wizard-submit]").HasAttribute("disabled"));
        cut.Find("[data-testid=wizard-submit]").Click();
        Assert.Empty(Remediation.Calls);

        cut.Find("[data-testid=wizard-back]").Click();
        cut.Find("[data-testid=wizard-back]").Click();
        cut.Find($"[data-testid=order-node][data-node='{bad}'] [data-testid=remove-node]").Click();
        Next(cut);
        Next(cut);
        cut.WaitForElement("[data-testid=wizard-review]");

        Assert.Empty(cut.FindAll("[data-testid=submit-blocked]"));
        Assert.False(cut.Find("[data-testid=wizard-submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_refused_submission_says_why_and_links_the_draft_it_left()
    {
        var cut = RenderReview();
        cut.Find("[data-testid=submit-comment]").Input("fix");
        Remediation.FailSubmitWith = new RemediationRefusal(RefusalCodes.AddsCritical, "cannot submit plan plan-1: the fix adds a critical finding on ip-10-0-14-21");

        cut.Find("[data-testid=wizard-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Could not submit the plan: cannot submit plan plan-1: the fix adds a critical finding", cut.Find("[data-testid=wizard-error]").TextContent));
        Assert.Equal("remediation/plan-1", cut.Find("[data-testid=draft-link]").GetAttribute("href"));
        Assert.EndsWith("/remediation/new?rule=mesh-token-pod-gone&plugin=linkerd-cni", Navigation.Uri, StringComparison.Ordinal);
        Assert.Equal(PlanState.Draft, Remediation.Plans["plan-1"].State);
    }
}
