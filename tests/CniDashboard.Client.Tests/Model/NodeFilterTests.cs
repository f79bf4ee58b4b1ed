using CniDashboard.Client.Model;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Tests.Model;

public class NodeFilterTests
{
    [Fact]
    public void Reads_every_filter_from_the_query_string()
    {
        var filter = NodeFilter.FromQuery(" linkerd ", "CRITICAL", "ng-general", "mesh-token-pod-gone", "stale", "name", "desc");

        Assert.Equal("linkerd", filter.Search);
        Assert.Equal(Severity.Critical, filter.Severity);
        Assert.Equal("ng-general", filter.NodeGroup);
        Assert.Equal("mesh-token-pod-gone", filter.Rule);
        Assert.True(filter.Stale);
        Assert.Equal(NodeSort.Name, filter.Sort);
        Assert.True(filter.Descending);
        Assert.True(filter.IsFiltered);
    }

    [Fact]
    public void Unknown_values_are_dropped_not_fatal()
    {
        var filter = NodeFilter.FromQuery("", "purple", " ", null, "sometimes", "colour", "sideways");

        Assert.Equal(new NodeFilter(), filter);
        Assert.False(filter.IsFiltered);
    }

    [Fact]
    public void Ok_facet_means_only_healthy_nodes()
    {
        var filter = NodeFilter.FromQuery(null, "ok", null, null, null, null, null);

        var query = filter.ToQuery(200, 50);

        Assert.True(query.OnlyHealthy);
        Assert.Null(query.Severity);
        Assert.Equal(200, query.Offset);
        Assert.Equal(50, query.Limit);
        Assert.Equal("ok", filter.SeverityToken);
    }

    [Fact]
    public void Query_parameters_round_trip_and_leave_defaults_out()
    {
        var filter = new NodeFilter { Search = "ip-10", Severity = Severity.Warning, NodeGroup = "ng-batch", Stale = false, Sort = NodeSort.Name, Descending = false };

        var parameters = filter.ToQueryParameters();
        var back = NodeFilter.FromQuery(
            (string?)parameters["q"], (string?)parameters["severity"], (string?)parameters["group"], (string?)parameters["rule"],
            (string?)parameters["agent"], (string?)parameters["sort"], (string?)parameters["dir"]);

        Assert.Equal(filter, back);
        Assert.Null(parameters["dir"]);
        Assert.Null(new NodeFilter().ToQueryParameters()["sort"]);
    }

    [Fact]
    public void Sorting_by_the_same_column_flips_direction_and_a_new_column_takes_its_natural_order()
    {
        var byName = new NodeFilter().SortedBy(NodeSort.Name);
        Assert.Equal(NodeSort.Name, byName.Sort);
        Assert.False(byName.Descending);

        Assert.True(byName.SortedBy(NodeSort.Name).Descending);
        Assert.True(byName.SortedBy(NodeSort.SandboxErrors).Descending);
    }

    [Fact]
    public void Links_carry_the_filter()
    {
        Assert.Equal("nodes?rule=mesh-token-pod-gone", Links.NodesWithRule("mesh-token-pod-gone"));
        Assert.Equal("nodes?severity=critical", Links.NodesWithSeverity("critical"));
        Assert.Equal("nodes?agent=stale", Links.NodesWithSeverity("stale"));
        Assert.Equal("nodes/ip-10-0-12-34.us-west-2.compute.internal", Links.Node("ip-10-0-12-34.us-west-2.compute.internal"));
        Assert.Equal("nodes/n1?compare=change&with=42#diff", Links.NodeChange("n1", 42));
        Assert.Equal("chain-4", Links.ChainAnchorFor("/plugins/4"));
        Assert.Equal("chain-heading", Links.ChainAnchorFor("/ipam"));
    }
}
