using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>The first thing a platform engineer sees during the incident.</summary>
[Collection(Phase.AsFound)]
public sealed partial class OverviewTests(DemoDashboard dashboard)
{
    [Fact]
    public async Task The_incident_nodes_are_critical_and_the_top_finding_leads_to_exactly_them()
    {
        await using var browser = await dashboard.OpenAsync("/");
        var page = browser.Page;

        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = "Cluster CNI health", Level = 1 })).ToBeVisibleAsync();
        var critical = page.GetByTestId("health-tile-critical");
        await Expect(critical.GetByTestId("health-tile-count")).ToHaveTextAsync(dashboard.IncidentNodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(critical).ToContainTextAsync("Critical");
        await Expect(page.GetByTestId("health-tile-total").GetByTestId("health-tile-count")).ToHaveTextAsync(dashboard.Cluster.Nodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // The worst finding comes first, with the number of nodes it affects.
        var top = page.GetByTestId("top-finding").First;
        await Expect(top).ToHaveAttributeAsync("data-rule", "mesh-token-pod-gone");
        await Expect(top.GetByTestId("severity-chip")).ToHaveAttributeAsync("data-severity", "critical");
        await Expect(top).ToContainTextAsync("linkerd-cni in 05-cilium.conflist uses a token bound to pod");
        var affected = top.GetByTestId("affected-nodes-link");
        await Expect(affected).ToHaveTextAsync($"{dashboard.IncidentNodes.Count} nodes");
        await Expect(page.GetByTestId("daemonset-row").And(page.Locator("[data-name=linkerd-cni]"))).ToContainTextAsync("cr.l5d.io/linkerd/cni-plugin:v1.6.2");
        await browser.ScreenshotAsync("overview");

        await affected.ClickAsync();

        await Expect(page).ToHaveURLAsync(RuleFilter());
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = "Nodes", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("filter-rule")).ToHaveValueAsync("mesh-token-pod-gone");
        var rows = page.GetByTestId("node-row");
        await Expect(rows).ToHaveCountAsync(dashboard.IncidentNodes.Count);
        var shown = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.node)");
        Assert.Equal(dashboard.IncidentNodes, shown.Order(StringComparer.Ordinal));
        foreach (var row in await rows.AllAsync())
        {
            await Expect(row).ToHaveAttributeAsync("data-severity", "critical");
            await Expect(row).ToContainTextAsync("mesh-token-pod-gone");
            await Expect(row.GetByTestId("node-chain")).ToHaveTextAsync("aws-cni → egress-cni → portmap → cilium-cni → linkerd-cni");
        }

        await Expect(page.GetByTestId("node-count")).ToHaveTextAsync($"{dashboard.IncidentNodes.Count} nodes match these filters");
        await browser.ScreenshotAsync("nodes-filtered-by-rule");
        browser.AssertNoScriptErrors();
    }

    [GeneratedRegex(@"/nodes\?(.*&)?rule=mesh-token-pod-gone(&|$)")]
    private static partial Regex RuleFilter();
}
