using System.Net;
using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>
/// The incident fixed from the browser: an operator plans the fix from the critical finding, reviews
/// each node's diffs and predicted findings and submits; the operator cannot approve; an approver
/// approves with a standing approval; the operator starts it and watches the nodes go healthy one at a
/// time; the audit log lists every step.
/// </summary>
[Collection(Phase.Remediation)]
public sealed partial class RemediationTests(DemoDashboard dashboard)
{
    private const string Rule = "mesh-token-pod-gone";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_operator_plans_the_fix_an_approver_approves_it_and_the_nodes_go_healthy_one_at_a_time()
    {
        // The nodes that show the critical finding now: the incident's (an earlier phase may have fixed one by
        // hand), and any the linkerd-cni rollout has broken since.
        var shown = (await dashboard.GetJsonAsync<NodePage>($"api/v1/nodes?rule={Rule}&limit=100", Ct))!.Items.Select(n => n.Name).ToArray();
        Assert.NotEmpty(shown);

        // Operator: from the Overview's critical finding into the wizard.
        await using var operatorBrowser = await dashboard.OpenAsync("/", "operator");
        var page = operatorBrowser.Page;
        await page.Locator($"[data-testid=top-finding][data-rule={Rule}] [data-testid=fix-with-plan]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"remediation/new\\?rule={Rule}$"));
        await Expect(page.GetByTestId("affected-node").First).ToBeVisibleAsync();
        // Every node the dashboard showed with the finding is planned (the rollout may have broken one more since).
        var broken = await page.GetByTestId("affected-node").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.node)");
        Assert.Subset(broken.ToHashSet(StringComparer.Ordinal), shown.ToHashSet(StringComparer.Ordinal));

        await page.GetByTestId("wizard-next").ClickAsync();
        await Expect(page.GetByTestId("order-node")).ToHaveCountAsync(broken.Length);
        await Expect(page.GetByTestId("canary")).ToHaveCountAsync(1);
        await page.GetByTestId("wizard-next").ClickAsync();
        // The shortest window the plan accepts keeps the run short; a person would keep the default minute.
        await page.GetByTestId("option-window").FillAsync("5");
        await Expect(page.GetByTestId("option-problems")).ToHaveCountAsync(0);
        await page.GetByTestId("wizard-next").ClickAsync();

        // Review: every node's diffs side by side and its predicted findings; the risks.
        var reviews = page.GetByTestId("node-review");
        await Expect(reviews).ToHaveCountAsync(broken.Length);
        for (var i = 0; i < broken.Length; i++)
        {
            var review = reviews.Nth(i);
            await Expect(review.Locator("[data-testid=planned-edit][data-file='05-cilium.conflist']")).ToHaveCountAsync(1);
            await Expect(review.Locator("[data-testid=diff-line-removed]").First).ToBeVisibleAsync();
            await Expect(review.Locator("[data-testid=predicted-resolved] [data-testid=predicted-finding]").First).ToHaveAttributeAsync("data-rule", Rule);
            await Expect(review.GetByTestId("prediction")).ToHaveAttributeAsync("data-adds-critical", "false");
        }

        await Expect(page.GetByTestId("risk-note").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("submit-blocked")).ToHaveCountAsync(0);
        await page.GetByTestId("submit-comment").FillAsync("Stale linkerd-cni entries left by the v1.6.0 installer's cleanup.");
        await operatorBrowser.ScreenshotAsync("remediation-wizard", fullPage: false);
        await page.GetByTestId("wizard-submit").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("remediation/[a-z0-9-]+$"));
        var planId = page.Url.Split('/')[^1];
        await Expect(page.Locator("[data-testid=plan-header] [data-testid=plan-state]")).ToHaveAttributeAsync("data-state", "pending-approval");

        // The operator may not approve: the page says why, and the API refuses a forged call.
        await Expect(page.GetByTestId("approve-not-allowed")).ToContainTextAsync("needs the Approver role");
        await Expect(page.GetByTestId("approve")).ToHaveCountAsync(0);
        var plan = (await dashboard.GetJsonAsync<RemediationPlan>($"api/v1/remediation/plans/{planId}", Ct))!;
        using (var asOperator = await dashboard.ApiAsAsync("operator", Ct))
        using (var forged = await asOperator.PostAsJsonAsync($"api/v1/remediation/plans/{planId}/approve",
            new { planSha256 = plan.Sha256(), comment = "mine", acknowledgedRisks = plan.Risks.Select(r => r.Id).ToArray() }, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }

        // Approver: every risk acknowledged, a standing approval for the rest of the rollout.
        await using (var approverBrowser = await dashboard.OpenAsync($"/remediation/{planId}", "approver"))
        {
            var approverPage = approverBrowser.Page;
            var acks = approverPage.GetByTestId("risk-ack");
            await Expect(acks.First).ToBeVisibleAsync();
            await Expect(approverPage.GetByTestId("approve")).ToBeDisabledAsync();
            for (var i = 0; i < await acks.CountAsync(); i++)
            {
                await acks.Nth(i).CheckAsync();
            }

            await approverPage.GetByTestId("standing-toggle").CheckAsync();
            await approverPage.GetByTestId("standing-nodes").FillAsync("9");
            await approverPage.GetByTestId("approval-comment").FillAsync("Diffs reviewed: only the stale linkerd-cni object goes.");
            await approverPage.GetByTestId("approve").ClickAsync();
            await Expect(approverPage.Locator("[data-testid=plan-header] [data-testid=plan-state]")).ToHaveAttributeAsync("data-state", "approved");
            await Expect(approverPage.GetByTestId("standing")).ToContainTextAsync("up to 9 more nodes");
            approverBrowser.AssertNoScriptErrors();
        }

        // The operator's open page follows (live), and the operator starts the plan.
        await Expect(page.Locator("[data-testid=plan-header] [data-testid=plan-state]")).ToHaveAttributeAsync("data-state", "approved");
        await page.GetByTestId("control-start").ClickAsync();
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Expect(page.Locator("[data-testid=plan-header] [data-testid=plan-state]")).ToHaveAttributeAsync("data-state", "running");

        // Nodes go healthy one at a time, shown live on the open page.
        await Expect(page.Locator("[data-testid=plan-node][data-status=fixed]").First).ToBeVisibleAsync(new() { Timeout = 90_000 });
        await operatorBrowser.ScreenshotAsync("remediation-plan", fullPage: false);
        foreach (var node in broken)
        {
            await Expect(page.Locator($"[data-testid=plan-node][data-node='{node}']")).ToHaveAttributeAsync("data-status", "fixed", new() { Timeout = 180_000 });
        }

        var fixedNodes = (await dashboard.GetJsonAsync<RemediationPlan>($"api/v1/remediation/plans/{planId}", Ct))!.Nodes
            .Where(n => broken.Contains(n.Node)).OrderBy(n => n.StartedAt).ToArray();
        for (var i = 1; i < fixedNodes.Length; i++)
        {
            Assert.True(fixedNodes[i].StartedAt >= fixedNodes[i - 1].FinishedAt,
                $"{fixedNodes[i].Node} started at {fixedNodes[i].StartedAt:O}, before {fixedNodes[i - 1].Node} was done at {fixedNodes[i - 1].FinishedAt:O}");
        }

        // Healthy: the dashboard no longer finds the stale entry on them.
        await Eventually.WaitAsync(async () =>
            !(await dashboard.GetJsonAsync<NodePage>($"api/v1/nodes?rule={Rule}&limit=100", Ct))!.Items.Any(n => broken.Contains(n.Name)),
            "the planned nodes without the finding", TimeSpan.FromSeconds(30), Ct);

        // The standing approval keeps the plan open for the nodes the rollout breaks next (they join and are
        // fixed in turn); end it, and the plan completes once the nodes it holds are done.
        await page.GetByTestId("control-revoke-standing").ClickAsync();
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Expect(page.GetByTestId("standing-revoked")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=plan-header] [data-testid=plan-state]")).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = 240_000 });
        await Expect(page.GetByTestId("log-entry").Filter(new() { HasText = "remediation.step." }).First).ToBeVisibleAsync();
        operatorBrowser.AssertNoScriptErrors();

        // The audit page lists the steps, linked from the step log.
        await page.GotoAsync($"/audit?targetKind=plan&target={planId}");
        await Expect(page.GetByTestId("audit-entry").Filter(new() { HasText = "remediation.step.done" }).First).ToBeVisibleAsync();
        await page.GotoAsync($"/audit?action=remediation.plan.approved&targetKind=plan&target={planId}");
        await Expect(page.GetByTestId("audit-entry")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("audit-entry")).ToContainTextAsync("Ann Approver");
    }
}
