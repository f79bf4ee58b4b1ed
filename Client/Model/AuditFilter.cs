using System.Globalization;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Client.Model;

/// <summary>
/// The Audit page's filters and page cursor as they appear in the URL
/// (<c>/audit?action=settings.changed&amp;outcome=denied&amp;before=120</c>), the same names
/// <c>/api/v1/audit</c> and its export take, so a view, and its export, is a link.
/// </summary>
public sealed record AuditFilter
{
    /// <summary>The format of times in the URL and the time inputs (UTC, to the minute).</summary>
    public const string TimeFormat = "yyyy-MM-ddTHH:mm";

    /// <summary>Actor subject or display name.</summary>
    public string? Actor { get; init; }

    /// <summary>Action.</summary>
    public string? Action { get; init; }

    /// <summary>Target kind.</summary>
    public string? TargetKind { get; init; }

    /// <summary>Target name.</summary>
    public string? Target { get; init; }

    /// <summary>Outcome word.</summary>
    public string? Outcome { get; init; }

    /// <summary>At or after (UTC).</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Before (UTC).</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>The page cursor: entries before this sequence number; null for the newest page.</summary>
    public long? Before { get; init; }

    /// <summary>True when any filter (not the cursor) narrows the log.</summary>
    public bool IsFiltered => ToQuery().IsFiltered;

    /// <summary>Reads the URL's values; values that do not parse are dropped, never an error page.</summary>
    public static AuditFilter FromQuery(string? actor, string? action, string? targetKind, string? target, string? outcome, string? from, string? to, string? before) => new()
    {
        Actor = Text(actor),
        Action = Text(action),
        TargetKind = Text(targetKind),
        Target = Text(target),
        Outcome = AuditOutcomes.All.Contains(outcome?.Trim()) ? outcome!.Trim() : null,
        From = ParseTime(from),
        To = ParseTime(to),
        Before = long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0 ? b : null,
    };

    /// <summary>The query for the backend.</summary>
    public AuditQuery ToQuery(int limit = AuditQuery.DefaultLimit) => new()
    {
        Actor = Actor,
        Action = Action,
        TargetKind = TargetKind,
        Target = Target,
        Outcome = Outcome,
        From = From,
        To = To,
        BeforeSequence = Before,
        Limit = limit,
    };

    /// <summary>Query-string values for the page's URL (the cursor included; empty ones left out).</summary>
    public IReadOnlyDictionary<string, object?> ToQueryParameters()
    {
        var parameters = FilterParameters();
        parameters[AuditQuery.Keys.Before] = Before?.ToString(CultureInfo.InvariantCulture);
        return parameters;
    }

    /// <summary>The export of what the filters select (every page), as CSV or JSON, from the REST API.</summary>
    public string ExportUrl(string format)
    {
        var parameters = new Dictionary<string, object?> { ["format"] = format };
        foreach (var (key, value) in FilterParameters()) parameters[key] = value;
        return Links.WithQuery("api/v1/audit/export", parameters);
    }

    /// <summary>A time as the URL and the inputs write it.</summary>
    public static string? FormatTime(DateTimeOffset? at) => at?.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads <c>2026-12-07T10:30</c> (UTC), or any ISO 8601 time; null when it does not parse.</summary>
    public static DateTimeOffset? ParseTime(string? text) =>
        !string.IsNullOrWhiteSpace(text) && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;

    private Dictionary<string, object?> FilterParameters() => new()
    {
        [AuditQuery.Keys.Actor] = Actor,
        [AuditQuery.Keys.Action] = Action,
        [AuditQuery.Keys.TargetKind] = TargetKind,
        [AuditQuery.Keys.Target] = Target,
        [AuditQuery.Keys.Outcome] = Outcome,
        [AuditQuery.Keys.From] = FormatTime(From),
        [AuditQuery.Keys.To] = FormatTime(To),
    };

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
