using System.Globalization;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Client.Model;

/// <summary>
/// The Audit page's filters and page cursor in the URL (<c>/audit?action=settings.changed&amp;outcome=denied&amp;before=120</c>):
/// an <see cref="AuditQuery"/> under the same names <c>/api/v1/audit</c> and its export take, so a
/// view, and its export, is a link.
/// </summary>
public static class AuditFilter
{
    /// <summary>The format of the time inputs (<c>datetime-local</c>, read as UTC, to the minute).</summary>
    public const string InputTimeFormat = "yyyy-MM-ddTHH:mm";

    /// <summary>Reads the URL's values; values that do not parse are dropped, never an error page.</summary>
    public static AuditQuery FromQuery(string? actor, string? action, string? targetKind, string? target, string? outcome, string? from, string? to, string? before) => new()
    {
        Actor = Text(actor),
        Action = Text(action),
        TargetKind = Text(targetKind),
        Target = Text(target),
        Outcome = AuditOutcomes.All.Contains(outcome?.Trim()) ? outcome!.Trim() : null,
        From = ParseTime(from),
        To = ParseTime(to),
        BeforeSequence = long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0 ? b : null,
    };

    /// <summary>The Audit page showing <paramref name="query"/> (its filters and cursor).</summary>
    public static string PageUrl(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parameters = Parameters(query);
        parameters[AuditQuery.Keys.Before] = query.BeforeSequence?.ToString(CultureInfo.InvariantCulture);
        return Links.WithQuery(Links.Audit, parameters);
    }

    /// <summary>The export of what the filters select (every page), as CSV or JSON, from the REST API.</summary>
    public static string ExportUrl(AuditQuery query, string format)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parameters = new Dictionary<string, object?> { ["format"] = format };
        foreach (var (key, value) in Parameters(query)) parameters[key] = value;
        return Links.WithQuery("api/v1/audit/export", parameters);
    }

    /// <summary>A time as the time inputs show it.</summary>
    public static string? InputTime(DateTimeOffset? at) => at?.UtcDateTime.ToString(InputTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads <c>2026-12-07T10:30</c> (UTC), or any ISO 8601 time; null when it does not parse.</summary>
    public static DateTimeOffset? ParseTime(string? text) =>
        !string.IsNullOrWhiteSpace(text) && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;

    private static Dictionary<string, object?> Parameters(AuditQuery query) =>
        query.FilterParameters().ToDictionary(p => p.Key, p => (object?)p.Value);

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
