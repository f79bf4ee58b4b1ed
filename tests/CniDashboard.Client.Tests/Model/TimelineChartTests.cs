using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Tests.Model;

public class TimelineChartTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static TimelineBucket Bucket(int minute, params (string Key, int Count)[] counts) =>
        new(T0.AddMinutes(minute), counts.ToDictionary(c => c.Key, c => c.Count));

    [Fact]
    public void Series_are_ordered_by_total_and_stacked_bottom_up_in_that_order()
    {
        var chart = TimelineChart.Build([Bucket(0, ("cilium-cni", 2), ("linkerd-cni", 5)), Bucket(5, ("linkerd-cni", 7))]);

        Assert.Equal(["linkerd-cni", "cilium-cni"], chart.Series.Select(s => s.Key));
        Assert.Equal(14, chart.Total);
        var first = chart.Bars[0];
        Assert.Equal(7, first.Total);
        Assert.Equal(new TimelineSegment("linkerd-cni", 5, 0, 0), first.Segments[0]);
        Assert.Equal(new TimelineSegment("cilium-cni", 2, 5, 1), first.Segments[1]);
        Assert.Equal(10, chart.AxisMax);
    }

    [Fact]
    public void Series_past_the_cap_fold_into_other()
    {
        var chart = TimelineChart.Build([Bucket(0, ("a", 9), ("b", 8), ("c", 3), ("d", 2))], maxSeries: 3);

        Assert.Equal(["a", "b", TimelineChart.OtherKey], chart.Series.Select(s => s.Key));
        Assert.Equal(5, chart.Series[2].Total);
        Assert.Equal(22, chart.Bars[0].Total);
    }

    [Fact]
    public void No_failures_is_an_empty_chart()
    {
        var chart = TimelineChart.Build([Bucket(0), Bucket(5, ("x", 0))]);

        Assert.True(chart.IsEmpty);
        Assert.Empty(chart.Series);
        Assert.Equal(1, chart.AxisMax);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(10, 10)]
    [InlineData(11, 20)]
    [InlineData(27, 50)]
    [InlineData(501, 1000)]
    public void Axis_top_is_a_round_number(int value, int expected) =>
        Assert.Equal(expected, TimelineChart.NiceCeiling(value));
}
