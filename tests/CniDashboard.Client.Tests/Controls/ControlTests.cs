using CniDashboard.Client.Components.Controls;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Diff;

namespace CniDashboard.Client.Tests.Controls;

public class ControlTests : DashboardTestContext
{
    [Fact]
    public void Side_by_side_diff_marks_changed_words_inside_modified_lines_and_folds_long_unchanged_runs()
    {
        var left = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\n\"iptables-mode\": \"legacy\",";
        var right = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\n\"iptables-mode\": \"nft\",\n\"ipv6\": false";
        var diff = TextDiff.SideBySide(left, right);

        var cut = Render<SideBySideDiffView>(p => p.Add(x => x.Diff, diff));

        var highlights = cut.FindAll("[data-testid=diff-highlight]");
        Assert.Contains(highlights, h => h.TextContent.Contains("nft", StringComparison.Ordinal));
        Assert.Contains(highlights, h => h.TextContent.Contains("legacy", StringComparison.Ordinal));
        Assert.NotEmpty(cut.FindAll("[data-testid=diff-line-added]"));
        var fold = cut.Find(".diff-fold-button");
        Assert.Contains("unchanged lines", fold.TextContent);

        fold.Click();

        Assert.Empty(cut.FindAll(".diff-fold-button"));
        Assert.Contains("line 1", cut.Markup);
    }

    [Fact]
    public void Folder_diff_says_why_there_is_nothing_to_compare()
    {
        var cut = Render<FolderDiffView>(p => p.Add(x => x.Diff, new FolderDiff { LeftLabel = "l", RightLabel = "r", Unavailable = "No earlier snapshot." }));

        Assert.Equal("No earlier snapshot.", cut.Find("[data-testid=diff-unavailable]").TextContent.Trim());
    }

    [Fact]
    public void An_empty_chain_means_no_working_config()
    {
        var cut = Render<PluginChain>(p => p.Add(x => x.Entries, []));

        Assert.Contains("No working configuration", cut.Find("[data-testid=chain-empty]").TextContent);
    }

    [Fact]
    public void The_timeline_draws_one_bar_per_bucket_with_a_text_alternative()
    {
        var start = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
        var chart = Client.Model.TimelineChart.Build(
        [
            new TimelineBucket(start, new Dictionary<string, int> { ["linkerd-cni"] = 4 }),
            new TimelineBucket(start.AddMinutes(5), new Dictionary<string, int> { ["linkerd-cni"] = 2, ["cilium-cni"] = 1 }),
        ]);

        var cut = Render<SandboxTimeline>(p => p.Add(x => x.Chart, chart).Add(x => x.Description, "Sandbox errors by plugin"));

        Assert.Equal(["4", "3"], cut.FindAll("[data-testid=timeline-bar]").Select(b => b.GetAttribute("data-total")));
        Assert.Equal("Sandbox errors by plugin: 7 failures; linkerd-cni 6, cilium-cni 1", cut.Find("svg").GetAttribute("aria-label"));
        Assert.Contains("linkerd-cni: 6", cut.Find("[data-testid=timeline-series]").TextContent);
    }

    [Fact]
    public void Severity_chip_carries_icon_word_and_token()
    {
        var cut = Render<SeverityChip>(p => p.Add(x => x.Severity, CniDashboard.Shared.Analysis.Severity.Critical));

        var chip = cut.Find("[data-testid=severity-chip]");
        Assert.Equal("critical", chip.GetAttribute("data-severity"));
        Assert.Contains("Critical", chip.TextContent);
        Assert.NotNull(chip.QuerySelector("svg"));
    }
}
