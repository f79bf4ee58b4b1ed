using System.Diagnostics;
using System.Globalization;
using CniDashboard.E2E.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>A file changes on a node; the open Nodes page shows it without a reload.</summary>
[Collection(Phase.LiveUpdates)]
public sealed class LiveUpdateTests(DemoDashboard dashboard)
{
    /// <summary>Break-and-restore cycles: each gives two write-to-screen timings.</summary>
    private const int Cycles = 3;

    private const string RowChangedScript = """
        ([node, severity]) => document.querySelector(`tr[data-testid=node-row][data-node="${node}"]`)?.dataset.severity === severity
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_truncated_primary_turns_the_nodes_row_critical_live_and_restoring_it_turns_it_back()
    {
        var node = dashboard.HealthyNodes[0];
        var primary = Path.Combine(dashboard.Cluster.Node(node).CniDir, "05-cilium.conflist");
        var original = await File.ReadAllBytesAsync(primary, Ct);
        // What a full disk or an interrupted copy leaves: the first half of the file.
        var truncated = original[..(original.Length / 2)];

        await using var browser = await dashboard.OpenAsync("/nodes");
        var page = browser.Page;
        var row = page.Locator($"[data-testid=node-row][data-node='{node}']");
        await Expect(row).ToBeVisibleAsync();
        var before = await row.GetAttributeAsync("data-severity");
        Assert.NotNull(before);
        Assert.NotEqual("critical", before);
        // A reload would start a new document and lose this mark.
        await page.EvaluateAsync("() => window.e2eSameDocument = true");

        var timings = new List<(string Change, TimeSpan Took)>();
        try
        {
            for (var cycle = 0; cycle < Cycles; cycle++)
            {
                timings.Add(("truncated → critical", await WriteAndWaitForRowAsync(page, node, primary, truncated, "critical")));
                await Expect(row.GetByTestId("severity-chip")).ToHaveTextAsync("Critical");
                await Expect(row).ToContainTextAsync("primary does not load");
                if (cycle == 0)
                {
                    await browser.ScreenshotAsync("nodes-live-update-critical");
                }

                timings.Add(("restored → " + before, await WriteAndWaitForRowAsync(page, node, primary, original, before)));
                await Expect(row).Not.ToContainTextAsync("primary does not load");
            }
        }
        finally
        {
            // Later tests see the cluster as seeded, whatever happened here.
            await NodeFiles.WriteAtomicallyAsync(primary, original, CancellationToken.None);
        }

        Assert.True(await page.EvaluateAsync<bool>("() => window.e2eSameDocument === true"), "the page was reloaded");
        Report(node, timings);
        browser.AssertNoScriptErrors();
    }

    /// <summary>Writes the file, then waits (checking every animation frame) for the row to show <paramref name="severity"/>; returns the time from the write.</summary>
    private static async Task<TimeSpan> WriteAndWaitForRowAsync(IPage page, string node, string path, byte[] content, string severity)
    {
        var clock = Stopwatch.StartNew();
        await NodeFiles.WriteAtomicallyAsync(path, content, Ct);
        await page.WaitForFunctionAsync(RowChangedScript, new[] { node, severity }, new PageWaitForFunctionOptions { Timeout = 30_000 });
        return clock.Elapsed;
    }

    private static void Report(string node, List<(string Change, TimeSpan Took)> timings)
    {
        var ms = timings.Select(t => t.Took.TotalMilliseconds).Order().ToList();
        var c = CultureInfo.InvariantCulture;
        var lines = timings.Select(t => string.Create(c, $"{t.Change}: {t.Took.TotalMilliseconds:0} ms")).ToList();
        lines.Add(string.Create(c, $"file write → row changed in the open Nodes page ({node}, poll interval {DemoDashboard.PollInterval.TotalSeconds:0} s, {ms.Count} writes): p50 {ms[ms.Count / 2]:0} ms, max {ms[^1]:0} ms"));
        foreach (var line in lines)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }

        File.AppendAllLines(Path.Combine(Artifacts.Measurements, "live-update.txt"), [$"# {DateTimeOffset.UtcNow:u}", .. lines]);
    }
}
