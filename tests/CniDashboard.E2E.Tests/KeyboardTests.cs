using System.Text.Json;
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

        // The navigation's links come in their reading order: the Tab before Nodes is on Overview, and
        // nothing on the way is outside the app bar, the navigation and the page's content (the body is
        // where focus wraps from the end of the page back to its top).
        var path = await TabUntilAsync(page, "nav a", "Nodes");
        Assert.Equal(("A", "Overview", true), (path[^1].Tag, path[^1].Text, path[^1].InNav));
        Assert.All(path, stop => Assert.True(stop.InNav || stop.InMain || stop.InHeader || stop.Tag == "BODY", $"focus left the page's regions: {stop.Tag} {stop.Text}"));
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

    /// <summary>Where one Tab press put the focus.</summary>
    /// <param name="Tag">The focused element's tag.</param>
    /// <param name="Text">Its text, trimmed.</param>
    /// <param name="InNav">True inside the main navigation.</param>
    /// <param name="InMain">True inside the page's content (<c>main</c>).</param>
    /// <param name="InHeader">True inside the app bar (<c>header</c>).</param>
    private sealed record FocusStop(string Tag, string Text, bool InNav, bool InMain, bool InHeader);

    /// <summary>
    /// Presses Tab until the focused element matches <paramref name="selector"/> (and has the text
    /// <paramref name="text"/>, when given); returns where each press before it put the focus.
    /// </summary>
    private static async Task<IReadOnlyList<FocusStop>> TabUntilAsync(IPage page, string selector, string? text)
    {
        var path = new List<FocusStop>();
        for (var presses = 1; presses <= MaxTabs; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var reached = await page.EvaluateAsync<bool>(
                "([selector, text]) => { const e = document.activeElement; return !!e && e.matches(selector) && (text === null || e.textContent.trim() === text); }",
                new object?[] { selector, text });
            if (reached)
            {
                return path;
            }

            var stop = await page.EvaluateAsync<JsonElement>(
                "() => { const e = document.activeElement; return { tag: e?.tagName ?? '', text: (e?.textContent ?? '').trim(), inNav: !!e?.closest('nav'), inMain: !!e?.closest('main'), inHeader: !!e?.closest('header') }; }");
            path.Add(new FocusStop(stop.GetProperty("tag").GetString() ?? "", stop.GetProperty("text").GetString() ?? "", stop.GetProperty("inNav").GetBoolean(), stop.GetProperty("inMain").GetBoolean(), stop.GetProperty("inHeader").GetBoolean()));
        }

        throw new Xunit.Sdk.XunitException($"{selector} '{text}' was not reached with {MaxTabs} Tab presses.");
    }
}
