using System.Text;
using CniDashboard.E2E.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>
/// The runbook on one incident node, watched in its open detail page: remove the stale linkerd-cni
/// object (the finding's own edit), then restart the node's linkerd-cni pod. The comparison with the
/// previous snapshot is where the stale entry shows, highlighted on the incident side.
/// </summary>
[Collection(Phase.AfterTheFix)]
public sealed class AfterTheFixTests(DemoDashboard dashboard)
{
    /// <summary>Slow enough that the simulated kubelet makes no pass while the edit alone is looked at.</summary>
    private const double HeldTimeScale = 0.001;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Removing_the_stale_entry_shows_it_removed_on_the_incident_side_and_restarting_linkerd_cni_clears_the_node()
    {
        var node = dashboard.IncidentNodes[^1];
        var detail = await dashboard.GetJsonAsync<NodeDetail>($"api/v1/nodes/{node}", Ct);
        var edit = detail!.Findings.First(f => f.Rule == "mesh-token-pod-gone" && f.Severity == Severity.Critical).Edit;
        Assert.NotNull(edit);
        Assert.Equal((FileEditKind.Replace, "05-cilium.conflist"), (edit.Kind, edit.File));
        Assert.DoesNotContain("linkerd-cni\"", edit.NewContent!.Replace("ZZZ-linkerd-cni-kubeconfig", "", StringComparison.Ordinal), StringComparison.Ordinal);

        await using var browser = await dashboard.OpenAsync($"/nodes/{node}");
        var page = browser.Page;
        var header = page.GetByTestId("node-header");
        var linkerd = page.Locator("[data-testid=chain-entry][data-plugin=linkerd-cni]");
        await Expect(header).ToHaveAttributeAsync("data-severity", "critical");
        await Expect(linkerd).ToHaveAttributeAsync("data-severity", "critical");
        await page.EvaluateAsync("() => window.e2eSameDocument = true");

        // In a cluster the stuck linkerd-cni pod retries its sandbox only after a back-off of minutes,
        // so the edited file stands alone for a while; the simulated kubelet is held still to give the
        // same moment here (and the pod is restarted while it is held, as the runbook's next step).
        var runningScale = dashboard.Cluster.TimeScale;
        dashboard.Cluster.SetTimeScale(HeldTimeScale);
        try
        {
            var primary = Path.Combine(dashboard.Cluster.Node(node).CniDir, edit.File);
            await NodeFiles.WriteAtomicallyAsync(primary, Encoding.UTF8.GetBytes(edit.NewContent), Ct);

            // Live, in the open page: the chain has lost linkerd-cni, and the diff with the previous
            // snapshot (the incident, on the left) marks what went.
            await Expect(linkerd).ToHaveCountAsync(0);
            var diff = page.GetByTestId("diff-view");
            await Expect(diff.GetByTestId("diff-sides")).ToContainTextAsync($"Right: {node} @");
            var file = diff.Locator("[data-testid=diff-file][data-file='05-cilium.conflist']");
            await Expect(file).ToHaveAttributeAsync("data-status", "modified");
            var removal = file.Locator("[data-testid=chain-change][data-kind=PluginRemoved]");
            await Expect(removal).ToHaveCountAsync(1);
            await Expect(removal).ToContainTextAsync("linkerd-cni removed at position 5");
            var removed = file.GetByTestId("diff-line-removed");
            await Expect(removed.Filter(new() { HasText = "\"type\": \"linkerd-cni\"" })).ToHaveCountAsync(1);
            await Expect(removed.Filter(new() { HasText = "ZZZ-linkerd-cni-kubeconfig" })).ToHaveCountAsync(1);
            // Removed lines exist on the left (incident) side only: the right side has no line there.
            await Expect(file.GetByTestId("diff-line-added")).ToHaveCountAsync(0);
            await browser.ScreenshotAsync("node-detail-stale-entry-removed");
            await browser.ScreenshotAsync("node-detail-stale-entry-removed-diff", page.Locator("section#diff").Locator(".."));

            await dashboard.Cluster.RestartPodAsync(node, "linkerd-cni", Ct);
        }
        finally
        {
            dashboard.Cluster.SetTimeScale(runningScale);
        }

        // The replacement pod gets a sandbox (nothing in the chain to fail it), starts, and re-installs
        // its entry with a token bound to itself: the node is no longer critical.
        await Expect(header).Not.ToHaveAttributeAsync("data-severity", "critical");
        await Expect(linkerd).ToHaveAttributeAsync("data-severity", "ok");
        await Expect(page.Locator("[data-testid=finding][data-rule=mesh-token-pod-gone]")).ToHaveCountAsync(0);
        var pod = page.Locator("[data-testid=node-pod]").Filter(new() { HasText = "cr.l5d.io/linkerd/cni-plugin" });
        await Expect(pod).ToContainTextAsync("Ready");
        await Expect(pod).Not.ToContainTextAsync("Not ready");
        var podName = await pod.GetAttributeAsync("data-pod");
        await Expect(page.Locator("[data-testid=node-file][data-file=ZZZ-linkerd-cni-kubeconfig]").GetByTestId("token-pod")).ToContainTextAsync(podName!);
        Assert.True(await page.EvaluateAsync<bool>("() => window.e2eSameDocument === true"), "the page was reloaded");
        await browser.ScreenshotAsync("node-detail-after-fix");

        // And the fleet: with this node's new linkerd-cni pod Ready the stuck rollout moves on, replacing
        // one more v1.6.0 pod (whose broken cleanup leaves the next stale entry, as in the incident).
        await page.GetByTestId("nav-overview").ClickAsync();
        var rollout = page.Locator("[data-testid=daemonset-row][data-name=linkerd-cni]");
        var desired = dashboard.Cluster.Nodes.Count;
        await Expect(rollout).ToContainTextAsync($"{dashboard.IncidentNodes.Count + 1} of {desired} updated");
        await Expect(rollout.GetByRole(AriaRole.Link, new() { Name = node })).ToHaveCountAsync(0);
        await browser.ScreenshotAsync("overview-after-fix");
        browser.AssertNoScriptErrors();
    }
}
