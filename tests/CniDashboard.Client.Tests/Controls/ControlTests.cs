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
    public void Changed_indentation_is_shaded_without_the_underline_that_marks_changed_words()
    {
        var diff = TextDiff.SideBySide("{\n  \"type\": \"portmap\"\n}", "{\n      \"type\": \"bandwidth\"\n}");

        var cut = Render<SideBySideDiffView>(p => p.Add(x => x.Diff, diff));

        var highlights = cut.FindAll("[data-testid=diff-highlight]");
        Assert.Contains(highlights, h => h.TextContent.Contains("bandwidth", StringComparison.Ordinal) && !h.ClassList.Contains("diff-changed-space"));
        var indentation = highlights.Where(h => string.IsNullOrWhiteSpace(h.TextContent)).ToList();
        Assert.NotEmpty(indentation);
        Assert.All(indentation, h => Assert.Contains("diff-changed-space", h.ClassList));
    }

    [Fact]
    public void Folder_diff_says_why_there_is_nothing_to_compare()
    {
        var cut = Render<FolderDiffView>(p => p.Add(x => x.Diff, new FolderDiff { LeftLabel = "l", RightLabel = "r", Unavailable = "No earlier snapshot." }));

        Assert.Equal("No earlier snapshot.", cut.Find("[data-testid=diff-unavailable]").TextContent.Trim());
    }

    [Fact]
    public void A_file_the_baseline_cannot_compare_says_so_with_its_note_and_is_not_listed_as_unchanged()
    {
        var diff = new FolderDiff
        {
            LeftLabel = "ip-10-0-1-1",
            RightLabel = "group baseline",
            Files =
            [
                new FileDiff { File = "05-cilium.conflist", Status = FileDiffStatus.Unchanged, Text = TextDiff.SideBySide("a", "a") },
                new FileDiff
                {
                    File = "ZZZ-linkerd-cni-kubeconfig",
                    Status = FileDiffStatus.NotCompared,
                    Text = TextDiff.SideBySide("", ""),
                    Note = "Each node holds its own content of this file; no baseline.",
                },
            ],
        };

        var cut = Render<FolderDiffView>(p => p.Add(x => x.Diff, diff));

        var file = cut.Find("[data-testid=diff-file][data-file=ZZZ-linkerd-cni-kubeconfig]");
        Assert.Contains("not compared", file.TextContent);
        Assert.Contains("no baseline", file.TextContent);
        Assert.DoesNotContain("ZZZ-linkerd-cni-kubeconfig", cut.Find("[data-testid=diff-unchanged-files]").TextContent);
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

        // The SVG stretches to the card's width, so its axis labels are HTML beside and under it, never SVG text
        // (which would be stretched with it).
        Assert.Empty(cut.FindAll("svg.timeline-svg text"));
        Assert.Equal(["0", "2", "5"], cut.FindAll(".timeline-tick").Select(t => t.TextContent));
        Assert.Equal(["2026-11-20 09:00:00Z", "2026-11-20 09:05:00Z"], cut.FindAll(".timeline-xaxis span").Select(t => t.TextContent));
    }

    [Fact]
    public void A_node_link_leads_with_the_host_and_keeps_the_whole_name_in_its_text_and_tooltip()
    {
        const string Name = "ip-10-0-48-46.us-west-2.compute.internal";

        var cut = Render<NodeNameLink>(p => p.Add(x => x.Name, Name));

        var link = cut.Find("a.node-link");
        Assert.Equal(Name, link.TextContent);
        Assert.Equal(Name, link.GetAttribute("title"));
        Assert.Equal("nodes/ip-10-0-48-46.us-west-2.compute.internal", link.GetAttribute("href"));
        Assert.Equal("ip-10-0-48-46", link.QuerySelector(".node-host")!.TextContent);
        Assert.Equal(".us-west-2.compute.internal", link.QuerySelector(".node-domain")!.TextContent);
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
