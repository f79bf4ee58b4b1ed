using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using CniDashboard.Shared.Audit;
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

        // The simulator's folders no longer hold the stale entry: the linkerd-cni entry there now is the one
        // the restarted pod installed, its token bound to a pod that exists (the stale one named a deleted pod).
        foreach (var node in broken) AssertNoStaleEntry(node);

        // The rollout goes on: each node it reaches breaks the same way (the old pod's cleanup leaves its entry),
        // joins the plan under the standing approval and is fixed in turn, until every node is healthy and
        // linkerd-cni is rolled out everywhere.
        var rolledOut = Stopwatch.StartNew();
        try
        {
        await Eventually.WaitAsync(async () =>
            (await dashboard.GetJsonAsync<IReadOnlyList<DaemonSetStatus>>("api/v1/daemonsets", Ct))!.Single(d => d.Name == "linkerd-cni") is { RollingOut: false, Desired: 12 }
            && (await dashboard.GetJsonAsync<NodePage>($"api/v1/nodes?rule={Rule}&limit=100", Ct))!.Items.Count == 0
            && (await dashboard.GetJsonAsync<RemediationPlan>($"api/v1/remediation/plans/{planId}", Ct))!.Nodes.All(n => n.Status == NodeStatus.Fixed),
            "linkerd-cni rolled out on all 12 nodes, no node with the finding, every node of the plan fixed", TimeSpan.FromMinutes(4), Ct);
        }
        catch (TimeoutException e)
        {
            // Say where the plan stood (e.g. paused: a joined node's file changed after its admission).
            var stuck = (await dashboard.GetJsonAsync<RemediationPlan>($"api/v1/remediation/plans/{planId}", Ct))!;
            throw new TimeoutException($"{e.Message} The plan is {stuck.State}{(stuck.PauseDetail is null ? "" : $" ({stuck.PauseDetail})")}; nodes: "
                + string.Join(", ", stuck.Nodes.Select(n => $"{n.Node} {n.Status} {n.Step}")), e);
        }
        var overview = (await dashboard.GetJsonAsync<ClusterOverview>("api/v1/overview", Ct))!;
        // Healthy: no node critical or unread (a warning the demo seeds elsewhere is not this incident's).
        Assert.Equal((12, 0, 0), (overview.Health.Total, overview.Health.Critical, overview.Health.Stale));
        var extended = (await dashboard.GetJsonAsync<RemediationPlan>($"api/v1/remediation/plans/{planId}", Ct))!;
        var joined = extended.Nodes.Where(n => n.Admission.ByStandingApproval).ToArray();
        Assert.NotEmpty(joined);
        Assert.All(extended.Nodes, n => Assert.Equal(NodeStatus.Fixed, n.Status));
        foreach (var node in joined) AssertNoStaleEntry(node.Node);
        TestContext.Current.SendDiagnosticMessage($"{joined.Length} nodes joined under the standing approval and were fixed; the rollout finished {rolledOut.Elapsed.TotalSeconds:0} s after the planned nodes");
        await Expect(page.GetByTestId("joined-by-standing")).ToHaveCountAsync(joined.Length);

        // Nothing is left to join: end the standing approval (unless its K nodes have all joined, which ends
        // it by itself), and the plan completes.
        if (extended.AdmittedByStanding < extended.Standing!.MaxAdditionalNodes)
        {
            await page.GetByTestId("control-revoke-standing").ClickAsync();
            await page.GetByTestId("confirm-yes").ClickAsync();
            await Expect(page.GetByTestId("standing-revoked")).ToBeVisibleAsync();
        }
        await Expect(page.Locator("[data-testid=plan-header] [data-testid=plan-state]")).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("log-entry").Filter(new() { HasText = "remediation.step." }).First).ToBeVisibleAsync();
        operatorBrowser.AssertNoScriptErrors();

        // The audit page lists every step, each apply with its diff.
        await page.GotoAsync($"/audit?targetKind=plan&target={planId}");
        await Expect(page.GetByTestId("audit-entry").Filter(new() { HasText = "remediation.step.done" }).First).ToBeVisibleAsync();
        await page.GotoAsync($"/audit?action=remediation.node.finished&targetKind=plan&target={planId}");
        await Expect(page.GetByTestId("audit-entry")).ToHaveCountAsync(extended.Nodes.Count);
        var apply = (await dashboard.GetJsonAsync<AuditPage>($"api/v1/audit?action=remediation.step.done&targetKind=plan&target={planId}&limit=500", Ct))!.Entries
            .First(e => e.Details?.Contains("\"05-cilium.conflist\"", StringComparison.Ordinal) == true);
        await page.GotoAsync($"/audit?action=remediation.step.done&targetKind=plan&target={planId}&before={apply.Sequence + 1}");
        await operatorBrowser.WaitForInteractiveAsync(); // a click on the prerendered row would do nothing
        await page.Locator($"[data-testid=audit-entry][data-sequence='{apply.Sequence}']").GetByTestId("toggle-details").ClickAsync();
        await Expect(page.GetByTestId("audit-details-json")).ToContainTextAsync("\"diff\"");
        await Expect(page.GetByTestId("audit-details-json")).ToContainTextAsync("\"sha256Before\"");
        await page.GotoAsync($"/audit?action=remediation.plan.approved&targetKind=plan&target={planId}");
        await Expect(page.GetByTestId("audit-entry")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("audit-entry")).ToContainTextAsync("Ann Approver");

        // Exported as CSV and JSON (downloaded, parsed): the plan's entries, each node's steps, the diffs.
        await page.GotoAsync($"/audit?targetKind=plan&target={planId}");
        await Expect(page.GetByTestId("audit-entry").First).ToBeVisibleAsync();
        var csvDownload = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        var csv = (await File.ReadAllTextAsync((await csvDownload.PathAsync())!, Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var jsonDownload = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-json").ClickAsync());
        using var export = JsonDocument.Parse(await File.ReadAllTextAsync((await jsonDownload.PathAsync())!, Ct));
        var entries = export.RootElement.GetProperty("entries").EnumerateArray().ToArray();
        Assert.All(entries, e => Assert.Equal((planId, "plan"), (e.GetProperty("targetName").GetString(), e.GetProperty("targetKind").GetString())));
        var actions = entries.Select(e => e.GetProperty("action").GetString()!).ToArray();
        foreach (var action in new[] { "remediation.plan.created", "remediation.plan.submitted", "remediation.plan.approved", "remediation.plan.started", "remediation.plan.extended", "remediation.plan.completed" })
            Assert.Contains(action, actions);
        Assert.Equal(extended.Nodes.Count, actions.Count(a => a == "remediation.node.finished"));
        var applies = entries.Where(e => e.GetProperty("action").GetString() == "remediation.step.done" && e.GetProperty("details").ToString().Contains("\"files\"", StringComparison.Ordinal)).ToArray();
        Assert.Equal(extended.Nodes.Sum(n => n.Applied.Count), applies.Length);
        Assert.All(applies, e => Assert.Contains("linkerd-cni", e.GetProperty("details").ToString(), StringComparison.Ordinal));
        var rows = csv.Where(l => l.Contains($",plan,{planId},", StringComparison.Ordinal)).ToArray();
        Assert.Equal(entries.Length, rows.Length);
        Assert.Equal(extended.Nodes.Count, rows.Count(l => l.Contains(",remediation.node.finished,", StringComparison.Ordinal)));
        Assert.Equal(applies.Length, rows.Count(l => l.Contains(",remediation.step.done,", StringComparison.Ordinal) && l.Contains("sha256Before", StringComparison.Ordinal)));
        operatorBrowser.AssertNoScriptErrors();
    }

    [GeneratedRegex(@"token:\s*""?([A-Za-z0-9._-]+)")]
    private static partial Regex TokenLine();

    /// <summary>The node's folder holds linkerd-cni's entry at most once per conflist, and its kubeconfig's token is bound to a pod that exists.</summary>
    private void AssertNoStaleEntry(string node)
    {
        var dir = dashboard.Cluster.Node(node).CniDir;
        foreach (var file in Directory.EnumerateFiles(dir, "*.conflist"))
        {
            var plugins = JsonNode.Parse(File.ReadAllText(file))?["plugins"]?.AsArray() ?? [];
            Assert.True(plugins.Count(p => (string?)p?["type"] == "linkerd-cni") <= 1, $"{node}: {Path.GetFileName(file)} holds linkerd-cni twice");
        }
        var kubeconfig = Path.Combine(dir, "ZZZ-linkerd-cni-kubeconfig");
        Assert.True(File.Exists(kubeconfig), $"{node}: linkerd-cni's kubeconfig is missing");
        var token = TokenLine().Match(File.ReadAllText(kubeconfig)).Groups[1].Value;
        Assert.True(dashboard.Cluster.Emulator.Authenticate(token).Authenticated, $"{node}: linkerd-cni's token is not bound to a pod that exists (the stale entry)");
    }
}
