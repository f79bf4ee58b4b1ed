using System.Globalization;
using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>The pods that cannot start, traced to the node, the plugin entry and the finding behind them.</summary>
[Collection(Phase.AsFound)]
public sealed class SandboxErrorsTests(DemoDashboard dashboard)
{
    [Fact]
    public async Task Unauthorized_errors_of_linkerd_cni_are_linked_to_the_incident_nodes_their_chain_entry_and_the_finding()
    {
        await using var browser = await dashboard.OpenAsync("/sandbox-errors");
        var page = browser.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sandbox errors", Level = 1 })).ToBeVisibleAsync();

        // Grouped by error class: every failure in the incident is Unauthorized, on exactly the incident nodes.
        var unauthorized = page.Locator("[data-testid=sandbox-group][data-key=Unauthorized]");
        await Expect(unauthorized).ToHaveCountAsync(1);
        await Expect(unauthorized.Locator("td").Nth(2)).ToHaveTextAsync(dashboard.IncidentNodes.Count.ToString(CultureInfo.InvariantCulture));
        var rule = unauthorized.GetByTestId("group-rule-link");
        await Expect(rule).ToHaveTextAsync("mesh-token-pod-gone");
        await Expect(rule).ToHaveAttributeAsync("href", "nodes?rule=mesh-token-pod-gone");
        await browser.ScreenshotAsync("sandbox-errors");

        // Narrow to the class, then group by plugin and by node.
        await unauthorized.Locator("td").First.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("class=Unauthorized"));
        await Expect(page.GetByTestId("active-filters")).ToContainTextAsync("class Unauthorized");
        await page.GetByLabel("Group by").SelectOptionAsync("plugin");
        await Expect(page.GetByTestId("sandbox-group")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("sandbox-group")).ToHaveAttributeAsync("data-key", "linkerd-cni");
        await page.GetByLabel("Group by").SelectOptionAsync("node");
        var byNode = page.GetByTestId("sandbox-group");
        await Expect(byNode).ToHaveCountAsync(dashboard.IncidentNodes.Count);
        var keys = await byNode.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)");
        Assert.Equal(dashboard.IncidentNodes, keys.Order(StringComparer.Ordinal));
        foreach (var node in dashboard.IncidentNodes)
        {
            await Expect(page.Locator($"[data-testid=sandbox-group][data-key='{node}'] a.node-link")).ToHaveAttributeAsync("href", $"nodes/{node}");
        }

        // Each recent event names linkerd-cni, points at its entry in the primary file and at the finding.
        // (Read in one pass in the page: the list is live and Blazor reuses its rows for newer events.)
        var events = page.GetByTestId("sandbox-event");
        await Expect(events.First).ToBeVisibleAsync();
        var shownEvents = await events.EvaluateAllAsync<string[][]>("""
            rows => rows.map(r => [
              r.dataset.node,
              r.textContent,
              r.querySelector('[data-testid=event-entry-link]')?.textContent.trim() ?? '',
              r.querySelector('[data-testid=event-entry-link]')?.getAttribute('href') ?? '',
              r.querySelector('[data-testid=event-finding-link]')?.textContent.trim() ?? ''])
            """);
        Assert.NotEmpty(shownEvents);
        foreach (var (node, text, entryText, entryHref, findingText) in shownEvents.Select(e => (e[0], e[1], e[2], e[3], e[4])))
        {
            Assert.Contains(node, dashboard.IncidentNodes);
            Assert.Contains("linkerd-cni: Unauthorized", text, StringComparison.Ordinal);
            Assert.Equal("linkerd-cni /plugins/4 in 05-cilium.conflist", entryText);
            Assert.Equal($"nodes/{node}#chain-4", entryHref);
            Assert.Equal("mesh-token-pod-gone", findingText);
        }

        await browser.ScreenshotAsync("sandbox-errors-unauthorized-by-node");

        // Following an event's entry link lands on that node with the entry: linkerd-cni, critical.
        // (The list is live: Blazor reuses its rows for newer events, so which node a given row shows
        // can change between finding the link and the click landing; the URL says where it went.)
        await events.First.GetByTestId("event-entry-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/nodes/[^/#]+#chain-4$"));
        var landed = Uri.UnescapeDataString(new Uri(page.Url).AbsolutePath["/nodes/".Length..]);
        Assert.Contains(landed, dashboard.IncidentNodes);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = landed, Level = 1 })).ToBeVisibleAsync();
        var entry = page.Locator("#chain-4");
        await Expect(entry).ToHaveAttributeAsync("data-plugin", "linkerd-cni");
        await Expect(entry).ToHaveAttributeAsync("data-severity", "critical");
        browser.AssertNoScriptErrors();
    }
}
