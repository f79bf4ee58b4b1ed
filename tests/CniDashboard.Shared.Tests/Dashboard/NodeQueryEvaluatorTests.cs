using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Shared.Tests.Dashboard;

/// <summary>
/// The one meaning of a Nodes-page query, which the server and the UI tests' fake both run: the places
/// where a re-implementation had drifted (descending ties, search trimming, the limit clamp) are pinned here.
/// </summary>
public class NodeQueryEvaluatorTests
{
    private static readonly AgentStatus Current = new() { State = AgentState.Current };

    private static NodeSummary Node(string name, Severity? worst = null, int errors = 0, string group = "ng-a", AgentState agent = AgentState.Current, params string[] chain) => new()
    {
        Name = name,
        NodeGroup = group,
        WorstSeverity = worst,
        SandboxErrorsLastHour = errors,
        PrimaryFile = "05-cilium.conflist",
        Chain = chain,
        Agent = agent == AgentState.Current ? Current : new AgentStatus { State = agent },
    };

    private static readonly NodeSummary[] Fleet =
    [
        Node("node-d", Severity.Critical, 5, chain: ["aws-cni", "linkerd-cni"]),
        Node("node-b", Severity.Critical, 5, chain: ["aws-cni", "linkerd-cni"]),
        Node("node-c", Severity.Warning, 0, group: "ng-b", chain: ["aws-cni"]),
        Node("node-a", null, 0, chain: ["aws-cni", "cilium-cni"]),
        Node("node-e", Severity.Info, 0, agent: AgentState.Stale),
        Node("node-f", null, 0, group: "ng-b", agent: AgentState.Unknown),
    ];

    private static readonly Dictionary<string, string[]> Rules = new(StringComparer.Ordinal)
    {
        ["node-d"] = ["mesh-token-pod-gone"],
        ["node-b"] = ["mesh-token-pod-gone", "duplicate-plugin"],
        ["node-c"] = ["cilium-bak-leftover"],
    };

    private static NodePage Run(NodeQuery query, int maxPageSize = 500) =>
        NodeQueryEvaluator.Evaluate(Fleet, n => n, (n, rule) => Rules.GetValueOrDefault(n.Name, []).Contains(rule), query, maxPageSize);

    private static string[] Names(NodePage page) => [.. page.Items.Select(n => n.Name)];

    [Fact]
    public void The_default_sort_is_worst_first_and_equal_rows_stay_in_name_order_when_descending()
    {
        var page = Run(new NodeQuery());

        // node-b and node-d tie on severity and errors: A→Z even though the sort is descending.
        Assert.Equal(["node-b", "node-d", "node-c", "node-e", "node-a", "node-f"], Names(page));
        Assert.Equal(6, page.Total);
    }

    [Theory]
    [InlineData(NodeSort.Name, false, "node-a,node-b,node-c,node-d,node-e,node-f")]
    [InlineData(NodeSort.Name, true, "node-f,node-e,node-d,node-c,node-b,node-a")]
    [InlineData(NodeSort.NodeGroup, false, "node-a,node-b,node-d,node-e,node-c,node-f")]
    [InlineData(NodeSort.NodeGroup, true, "node-c,node-f,node-a,node-b,node-d,node-e")]
    [InlineData(NodeSort.SandboxErrors, true, "node-b,node-d,node-a,node-c,node-e,node-f")]
    [InlineData(NodeSort.Severity, false, "node-a,node-f,node-e,node-c,node-b,node-d")]
    public void Every_column_sorts_both_ways_with_the_name_breaking_ties_a_to_z(NodeSort sort, bool descending, string expected)
    {
        Assert.Equal(expected.Split(','), Names(Run(new NodeQuery { Sort = sort, Descending = descending })));
    }

    [Theory]
    [InlineData("  LINKERD ", "node-b,node-d")]
    [InlineData("ng-b", "node-c,node-f")]
    [InlineData("cilium-cni", "node-a")]
    [InlineData("node-e", "node-e")]
    [InlineData("   ", "node-a,node-b,node-c,node-d,node-e,node-f")]
    public void Search_is_trimmed_case_insensitive_and_looks_at_name_group_primary_and_chain(string search, string expected)
    {
        Assert.Equal(expected.Split(','), Names(Run(new NodeQuery { Search = search, Sort = NodeSort.Name, Descending = false })));
    }

    [Fact]
    public void Each_filter_narrows_and_empty_text_filters_nothing()
    {
        NodeQuery ByName(NodeQuery q) => q with { Sort = NodeSort.Name, Descending = false };

        Assert.Equal(["node-b", "node-d"], Names(Run(ByName(new NodeQuery { Severity = Severity.Critical }))));
        Assert.Equal(["node-c"], Names(Run(ByName(new NodeQuery { Severity = Severity.Warning }))));
        Assert.Equal(["node-e"], Names(Run(ByName(new NodeQuery { Severity = Severity.Info }))));
        Assert.Equal(["node-a", "node-e", "node-f"], Names(Run(ByName(new NodeQuery { OnlyHealthy = true }))));
        Assert.Equal(["node-c", "node-f"], Names(Run(ByName(new NodeQuery { NodeGroup = "ng-b" }))));
        Assert.Equal(["node-b"], Names(Run(ByName(new NodeQuery { Rule = "duplicate-plugin" }))));
        // Stale means not current: stale and never reached.
        Assert.Equal(["node-e", "node-f"], Names(Run(ByName(new NodeQuery { Stale = true }))));
        Assert.Equal(["node-a", "node-b", "node-c", "node-d"], Names(Run(ByName(new NodeQuery { Stale = false }))));
        Assert.Equal(6, Run(new NodeQuery { NodeGroup = "", Rule = "" }).Total);
        Assert.Equal(["node-b", "node-d"], Names(Run(ByName(new NodeQuery { Rule = "mesh-token-pod-gone", NodeGroup = "ng-a", Severity = Severity.Critical }))));
    }

    [Fact]
    public void Paging_counts_every_match_and_holds_offset_and_limit_in_range()
    {
        var byName = new NodeQuery { Sort = NodeSort.Name, Descending = false };

        var page = Run(byName with { Offset = 2, Limit = 2 });
        Assert.Equal(["node-c", "node-d"], Names(page));
        Assert.Equal(6, page.Total);
        Assert.Equal(["node-a", "node-b"], Names(Run(byName with { Offset = -5, Limit = 2 })));
        Assert.Equal(["node-a", "node-b", "node-c"], Names(Run(byName with { Limit = 10_000 }, maxPageSize: 3)));
        // A limit of 0 (or below) asks only for the count.
        var countOnly = Run(byName with { Limit = 0 });
        Assert.Equal((0, 6), (countOnly.Items.Count, countOnly.Total));
        Assert.Empty(Run(byName with { Limit = -1 }).Items);
        var pastTheEnd = Run(byName with { Offset = 6 });
        Assert.Equal((0, 6), (pastTheEnd.Items.Count, pastTheEnd.Total));
    }
}
