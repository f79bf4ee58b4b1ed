using System.Globalization;

namespace CniDashboard.Client.Model;

/// <summary>Times as an engineer reads them during an outage: how long ago, with the exact UTC time beside it.</summary>
public static class TimeText
{
    /// <summary>"just now", "45 s ago", "12 min ago", "3 h ago", "2 d ago"; a future time reads "in …".</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var delta = now - at;
        if (delta < TimeSpan.Zero)
        {
            return "in " + Span(-delta);
        }

        return delta < TimeSpan.FromSeconds(5) ? "just now" : Span(delta) + " ago";
    }

    /// <summary>Like <see cref="Ago(DateTimeOffset, DateTimeOffset)"/>, "never" for a missing time.</summary>
    public static string Ago(DateTimeOffset? at, DateTimeOffset now) => at is { } value ? Ago(value, now) : "never";

    /// <summary>A duration in its largest sensible unit.</summary>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return $"{(int)span.TotalSeconds} s";
        }

        if (span < TimeSpan.FromHours(1))
        {
            return $"{(int)span.TotalMinutes} min";
        }

        return span < TimeSpan.FromDays(2) ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalDays} d";
    }

    /// <summary>The exact time in UTC, e.g. <c>2026-11-20 09:16:16Z</c> (tooltips, tables).</summary>
    public static string Utc(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The exact time in UTC, or a dash.</summary>
    public static string Utc(DateTimeOffset? at) => at is { } value ? Utc(value) : "—";
}
