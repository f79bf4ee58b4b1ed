using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>One stack key of the timeline (a plugin, error class or node) and its total.</summary>
/// <param name="Key">The key as the backend grouped it; <see cref="TimelineChart.OtherKey"/> for the folded rest.</param>
/// <param name="Total">Failures over the whole window.</param>
/// <param name="ColorIndex">Index into the chart's palette (stable per key order).</param>
public sealed record TimelineSeries(string Key, int Total, int ColorIndex);

/// <summary>One part of a bar.</summary>
/// <param name="Key">The series.</param>
/// <param name="Count">Failures of this series in the bucket.</param>
/// <param name="Below">Failures stacked below it in the same bar.</param>
/// <param name="ColorIndex">The series' palette index.</param>
public sealed record TimelineSegment(string Key, int Count, int Below, int ColorIndex);

/// <summary>One bucket drawn as a stacked bar.</summary>
/// <param name="Start">Bucket start.</param>
/// <param name="Total">All failures in the bucket.</param>
/// <param name="Segments">Bottom to top, in series order.</param>
public sealed record TimelineBar(DateTimeOffset Start, int Total, IReadOnlyList<TimelineSegment> Segments);

/// <summary>
/// A stacked bar chart of sandbox failures over time, laid out without rendering: which series,
/// which order, how tall. The SVG component only scales these numbers.
/// </summary>
public sealed record TimelineChart
{
    /// <summary>The key that collects the series beyond <c>maxSeries</c>.</summary>
    public const string OtherKey = "other";

    /// <summary>The series, largest first (legend order, stacking order bottom-up).</summary>
    public required IReadOnlyList<TimelineSeries> Series { get; init; }

    /// <summary>The bars, oldest first.</summary>
    public required IReadOnlyList<TimelineBar> Bars { get; init; }

    /// <summary>The y axis' top: the tallest bar rounded up to 1, 2 or 5 × 10ⁿ.</summary>
    public required int AxisMax { get; init; }

    /// <summary>Failures in the window.</summary>
    public int Total => Series.Sum(s => s.Total);

    /// <summary>True when there is nothing to draw.</summary>
    public bool IsEmpty => Total == 0;

    /// <summary>Lays out buckets; series past <paramref name="maxSeries"/> fold into <see cref="OtherKey"/>.</summary>
    public static TimelineChart Build(IReadOnlyList<TimelineBucket> buckets, int maxSeries = 6)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var bucket in buckets)
        {
            foreach (var (key, count) in bucket.Counts)
            {
                if (count > 0)
                {
                    totals[key] = totals.GetValueOrDefault(key) + count;
                }
            }
        }

        var ordered = totals.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).ToList();
        var kept = ordered.Take(ordered.Count > maxSeries ? maxSeries - 1 : maxSeries).Select(t => t.Key).ToList();
        var series = kept.Select((key, i) => new TimelineSeries(key, totals[key], i)).ToList();
        var folded = ordered.Skip(kept.Count).Sum(t => t.Value);
        if (folded > 0)
        {
            series.Add(new TimelineSeries(OtherKey, folded, series.Count));
        }

        var bars = new List<TimelineBar>(buckets.Count);
        foreach (var bucket in buckets)
        {
            var segments = new List<TimelineSegment>(series.Count);
            var below = 0;
            foreach (var s in series)
            {
                var count = s.Key == OtherKey
                    ? bucket.Counts.Where(c => !kept.Contains(c.Key)).Sum(c => Math.Max(0, c.Value))
                    : Math.Max(0, bucket.Counts.GetValueOrDefault(s.Key));
                if (count > 0)
                {
                    segments.Add(new TimelineSegment(s.Key, count, below, s.ColorIndex));
                    below += count;
                }
            }

            bars.Add(new TimelineBar(bucket.Start, below, segments));
        }

        return new TimelineChart
        {
            Series = series,
            Bars = bars,
            AxisMax = NiceCeiling(bars.Count == 0 ? 0 : bars.Max(b => b.Total)),
        };
    }

    /// <summary>The smallest of 1, 2, 5 × 10ⁿ at or above <paramref name="value"/> (1 for nothing).</summary>
    public static int NiceCeiling(int value)
    {
        if (value <= 1)
        {
            return 1;
        }

        var power = 1;
        while (power * 10L <= value)
        {
            power *= 10;
        }

        foreach (var step in new[] { 1, 2, 5, 10 })
        {
            if ((long)step * power >= value)
            {
                return step * power;
            }
        }

        return 10 * power;
    }
}
