using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>Someone who does not use a mouse gets to the same places.</summary>
[Collection(Phase.AsFound)]
public sealed class KeyboardTests(DemoDashboard dashboard)
{
    /// <summary>More Tab presses than any page here has focusable elements before the ones sought.</summary>
    private const int MaxTabs = 80;

    [Fact]
    public async Task The_main_navigation_and_a_node_link_are_reached_with_Tab_and_followed_with_Enter()
    {
        await using var browser = await dashboard.OpenAsync("/");
        var page = browser.Page;

        var toNav = await TabUntilAsync(page, "nav a", "Nodes");
        Assert.True(toNav > 0);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("/nodes$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nodes", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("node-row")).ToHaveCountAsync(dashboard.Cluster.Nodes.Count);

        // The grid sorts the worst first: the first node link reached is an incident node's. (Rows
        // are live and reused, so the node the focused link shows when Enter lands is read from the URL.)
        var first = await page.GetByTestId("node-row").First.GetAttributeAsync("data-node");
        Assert.Contains(first, dashboard.IncidentNodes);
        await TabUntilAsync(page, "tr[data-testid=node-row] a.node-link", null);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("/nodes/[^/?#]+$"));
        var opened = Uri.UnescapeDataString(new Uri(page.Url).AbsolutePath["/nodes/".Length..]);
        Assert.Contains(opened, dashboard.IncidentNodes);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = opened, Level = 1 })).ToBeVisibleAsync();
        browser.AssertNoScriptErrors();
    }

    /// <summary>
    /// Presses Tab until the focused element matches <paramref name="selector"/> (and has the text
    /// <paramref name="text"/>, when given); returns how many presses it took.
    /// </summary>
    private static async Task<int> TabUntilAsync(IPage page, string selector, string? text)
    {
        for (var presses = 1; presses <= MaxTabs; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var reached = await page.EvaluateAsync<bool>(
                "([selector, text]) => { const e = document.activeElement; return !!e && e.matches(selector) && (text === null || e.textContent.trim() === text); }",
                new object?[] { selector, text });
            if (reached)
            {
                return presses;
            }
        }

        throw new Xunit.Sdk.XunitException($"{selector} '{text}' was not reached with {MaxTabs} Tab presses.");
    }
}
