using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Tests.Model;

public class DiffSelectionTests
{
    private static readonly SnapshotSummary[] History =
    [
        new() { Id = 30, TakenAt = DateTimeOffset.UnixEpoch.AddDays(3), ManifestHash = "c" },
        new() { Id = 20, TakenAt = DateTimeOffset.UnixEpoch.AddDays(2), ManifestHash = "b" },
        new() { Id = 10, TakenAt = DateTimeOffset.UnixEpoch.AddDays(1), ManifestHash = "a" },
    ];

    [Fact]
    public void Default_compares_the_latest_with_the_previous_snapshot()
    {
        var (request, reason) = DiffSelection.FromQuery(null, null, null).ToRequest("n1", "ng", History);

        Assert.Null(reason);
        Assert.Equal(new DiffRequest(DiffSide.PreviousOf("n1"), DiffSide.Latest("n1")), request);
    }

    [Fact]
    public void Baseline_uses_the_node_group_and_explains_a_node_without_one()
    {
        var selection = DiffSelection.FromQuery("baseline", "ignored", "05-cilium.conflist");

        Assert.Equal(new DiffRequest(DiffSide.Baseline("ng"), DiffSide.Latest("n1"), "05-cilium.conflist"), selection.ToRequest("n1", "ng", History).Request);
        var (none, reason) = selection.ToRequest("n1", null, History);
        Assert.Null(none);
        Assert.Contains("no node group", reason);
    }

    [Fact]
    public void Another_node_is_the_left_side()
    {
        var (request, _) = DiffSelection.FromQuery("node", "n2", null).ToRequest("n1", "ng", History);

        Assert.Equal(new DiffRequest(DiffSide.Latest("n2"), DiffSide.Latest("n1")), request);
        Assert.Contains("Choose a node", DiffSelection.FromQuery("node", null, null).ToRequest("n1", "ng", History).Reason);
    }

    [Fact]
    public void A_history_point_is_compared_with_now()
    {
        var (request, _) = DiffSelection.FromQuery("snapshot", "20", null).ToRequest("n1", "ng", History);

        Assert.Equal(new DiffRequest(DiffSide.At("n1", 20), DiffSide.Latest("n1")), request);
        Assert.NotNull(DiffSelection.FromQuery("snapshot", "twenty", null).ToRequest("n1", "ng", History).Reason);
    }

    [Fact]
    public void A_change_is_that_snapshot_against_the_one_before_it()
    {
        var (request, _) = DiffSelection.FromQuery("change", "20", null).ToRequest("n1", "ng", History);

        Assert.Equal(new DiffRequest(DiffSide.At("n1", 10), DiffSide.At("n1", 20)), request);
    }

    [Theory]
    [InlineData("10", "oldest one kept")]
    [InlineData("99", "not in this node's loaded history")]
    public void A_change_with_nothing_to_compare_says_why(string with, string expected)
    {
        var (request, reason) = DiffSelection.FromQuery("change", with, null).ToRequest("n1", "ng", History);

        Assert.Null(request);
        Assert.Contains(expected, reason);
    }

    [Fact]
    public void Query_parameters_round_trip()
    {
        var selection = new DiffSelection { Mode = DiffMode.OtherNode, With = "n2", File = "10-aws.conflist" };

        var p = selection.ToQueryParameters();

        Assert.Equal(selection, DiffSelection.FromQuery((string?)p["compare"], (string?)p["with"], (string?)p["file"]));
        Assert.Null(new DiffSelection().ToQueryParameters()["compare"]);
    }
}
