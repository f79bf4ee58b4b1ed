using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>
/// One incident node in depth. What the files say and what they do not: the stale linkerd-cni entry
/// is byte-for-byte the one a healthy node has; only the token it uses, bound to a pod that is gone,
/// differs — so the chain, the finding and the kubeconfig facts carry the diagnosis, and the diff
/// against a healthy node shows the token fingerprint as the one changed value.
/// </summary>
[Collection(Phase.AsFound)]
public sealed partial class NodeDetailTests(DemoDashboard dashboard)
{
    [Fact]
    public async Task The_chain_marks_linkerd_cni_failing_and_the_kubeconfig_names_a_pod_that_no_longer_runs_there()
    {
        var node = dashboard.IncidentNodes[0];
        await using var browser = await dashboard.OpenAsync($"/nodes/{node}");
        var page = browser.Page;

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = node, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("node-header")).ToHaveAttributeAsync("data-severity", "critical");

        // The chain in ADD order, the failing plugin marked by word and colour, with its errors.
        var chain = page.GetByTestId("chain-entry");
        var types = await chain.EvaluateAllAsync<string[]>("entries => entries.map(e => e.dataset.plugin)");
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], types);
        var linkerd = page.Locator("[data-testid=chain-entry][data-plugin=linkerd-cni]");
        await Expect(linkerd).ToHaveAttributeAsync("data-severity", "critical");
        await Expect(linkerd.GetByTestId("severity-chip")).ToHaveTextAsync("Critical");
        await Expect(linkerd.GetByTestId("chain-entry-errors")).ToContainTextAsync("sandbox errors in the last hour");
        foreach (var other in await page.Locator("[data-testid=chain-entry]:not([data-plugin=linkerd-cni])").AllAsync())
        {
            await Expect(other).ToHaveAttributeAsync("data-severity", "ok");
        }

        // Why: the token in the kubeconfig is bound to a linkerd-cni pod that is not the one on this node.
        var finding = page.Locator("[data-testid=finding][data-rule=mesh-token-pod-gone]").First;
        await Expect(finding).ToContainTextAsync("which no longer runs on this node");
        var kubeconfig = page.Locator("[data-testid=node-file][data-file=ZZZ-linkerd-cni-kubeconfig]");
        var tokenPod = (await kubeconfig.GetByTestId("token-pod").Locator("code").InnerTextAsync()).Trim();
        Assert.Matches(LinkerdPod(), tokenPod);
        await Expect(finding).ToContainTextAsync($"bound to pod {tokenPod}");
        var runningPod = page.Locator("[data-testid=node-pod]").Filter(new() { HasText = "cr.l5d.io/linkerd/cni-plugin" });
        await Expect(runningPod).ToHaveCountAsync(1);
        await Expect(runningPod).Not.ToHaveAttributeAsync("data-pod", tokenPod);
        await Expect(runningPod).ToContainTextAsync("Not ready");

        // Tokens are never shown: only the redaction marker and a fingerprint.
        Assert.DoesNotContain("eyJ", await page.ContentAsync(), StringComparison.Ordinal);
        await kubeconfig.Locator("summary").ClickAsync();
        await Expect(kubeconfig.GetByTestId("file-content")).ToContainTextAsync("<redacted sha256:");

        await Expect(page.Locator("[data-testid=node-file][data-file='05-cilium.conflist']")).ToHaveAttributeAsync("data-standing", "primary");
        await browser.ScreenshotAsync("node-detail");
        await browser.ScreenshotAsync("node-detail-window", fullPage: false);
        browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Compared_with_a_healthy_node_or_the_group_baseline_the_conflists_are_identical_and_only_the_token_is_highlighted()
    {
        var node = dashboard.IncidentNodes[0];
        var healthy = dashboard.HealthyNodes[0];
        await using var browser = await dashboard.OpenAsync($"/nodes/{node}");
        var page = browser.Page;

        // Pick the other node as a person does: choose the mode, type the name, leave the field.
        await page.GetByLabel("Compare this node with").SelectOptionAsync("node");
        await Expect(page.GetByTestId("diff-reason")).ToContainTextAsync("Choose a node");
        var other = page.GetByLabel("Other node");
        await other.FillAsync(healthy);
        await other.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(new Regex($"compare=node&with={Regex.Escape(healthy)}"));
        var diff = page.GetByTestId("diff-view");
        await Expect(diff.GetByTestId("diff-sides")).ToContainTextAsync($"Left: {healthy}");
        await Expect(diff.GetByTestId("diff-sides")).ToContainTextAsync($"Right: {node}");

        // The stale linkerd-cni entry is byte-for-byte the healthy node's: the primary does not differ at all,
        // and no file's plugin chain differs.
        await Expect(diff.GetByTestId("diff-unchanged-files")).ToContainTextAsync("05-cilium.conflist");
        await Expect(diff.Locator("[data-testid=diff-file][data-file='05-cilium.conflist']")).ToHaveCountAsync(0);
        await Expect(diff.GetByTestId("chain-change")).ToHaveCountAsync(0);

        // What differs is the token the entry uses: the same line, a different fingerprint, highlighted on both sides.
        var kubeconfig = diff.Locator("[data-testid=diff-file][data-file=ZZZ-linkerd-cni-kubeconfig]");
        await Expect(kubeconfig).ToHaveAttributeAsync("data-status", "modified");
        var modified = kubeconfig.GetByTestId("diff-line-modified");
        await Expect(modified).ToHaveCountAsync(2);
        await Expect(modified.First).ToContainTextAsync("token: <redacted sha256:");
        await Expect(modified.Last).ToContainTextAsync("token: <redacted sha256:");
        var highlights = await kubeconfig.GetByTestId("diff-highlight").AllInnerTextsAsync();
        Assert.Equal(2, highlights.Count);
        Assert.All(highlights, h => Assert.Matches(Fingerprint(), h));
        Assert.NotEqual(highlights[0], highlights[1]);
        Assert.DoesNotContain("eyJ", await diff.InnerTextAsync(), StringComparison.Ordinal);

        await browser.ScreenshotAsync("node-detail-diff-vs-healthy-node");

        // The node group's baseline (per file, the content most of its nodes have) has the same primary:
        // the stale entry is what the group has. (Every kubeconfig holds its own token, so no token is
        // the baseline's and that file's side is just one node's: it shows nothing about staleness.)
        await page.GetByLabel("Compare this node with").SelectOptionAsync("baseline");
        await Expect(page).ToHaveURLAsync(new Regex("compare=baseline"));
        await Expect(diff.GetByTestId("diff-sides")).ToContainTextAsync("Left: baseline of ");
        await Expect(diff.GetByTestId("diff-unchanged-files")).ToContainTextAsync("05-cilium.conflist");
        await Expect(diff.GetByTestId("chain-change")).ToHaveCountAsync(0);
        browser.AssertNoScriptErrors();
    }

    [GeneratedRegex("^linkerd-cni-[a-z0-9]{5}$")]
    private static partial Regex LinkerdPod();

    [GeneratedRegex("[0-9a-f]{12}")]
    private static partial Regex Fingerprint();
}
