namespace CniDashboard.Shared.Audit;

/// <summary>
/// The audit log as the UI and the REST API read it. The server implements it over the store and
/// the cluster's checkpoint; UI tests implement it with fakes.
/// </summary>
public interface IAuditQueries
{
    /// <summary>One page of entries, newest first, filtered; keyset-paged on the sequence number.</summary>
    Task<AuditPage> GetPageAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>One entry, or null.</summary>
    Task<AuditEntry?> GetEntryAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>The actions and target kinds present, for filter pickers.</summary>
    Task<AuditFacets> GetFacetsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Walks the whole chain, compares it with the signed checkpoint in the cluster, and records that
    /// it did (an <c>audit.verified</c> entry by the current user).
    /// </summary>
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken);
}

/// <summary>Filters and the page cursor of the audit log; every field narrows, null means any.</summary>
public sealed record AuditQuery
{
    /// <summary>Query-string names, shared by the Audit page's URL and <c>/api/v1/audit</c>.</summary>
    public static class Keys
    {
        /// <summary>Actor subject or display name.</summary>
        public const string Actor = "actor";
        /// <summary>Action.</summary>
        public const string Action = "action";
        /// <summary>Target kind.</summary>
        public const string TargetKind = "targetKind";
        /// <summary>Target name.</summary>
        public const string Target = "target";
        /// <summary>Outcome.</summary>
        public const string Outcome = "outcome";
        /// <summary>From (ISO 8601, inclusive).</summary>
        public const string From = "from";
        /// <summary>To (ISO 8601, exclusive).</summary>
        public const string To = "to";
        /// <summary>Page cursor: entries before this sequence number.</summary>
        public const string Before = "before";
        /// <summary>Page size.</summary>
        public const string Limit = "limit";
    }

    /// <summary>The default page size.</summary>
    public const int DefaultLimit = 50;

    /// <summary>Only entries by this actor (subject or display name, exact).</summary>
    public string? Actor { get; init; }

    /// <summary>Only this action (e.g. <c>settings.changed</c>).</summary>
    public string? Action { get; init; }

    /// <summary>Only targets of this kind.</summary>
    public string? TargetKind { get; init; }

    /// <summary>Only this target name.</summary>
    public string? Target { get; init; }

    /// <summary>Only this outcome (<see cref="AuditOutcomes"/>).</summary>
    public string? Outcome { get; init; }

    /// <summary>Only entries at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only entries before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only entries with a smaller sequence number (the next page's cursor).</summary>
    public long? BeforeSequence { get; init; }

    /// <summary>Most entries returned.</summary>
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>True when any filter (not the cursor) narrows the log.</summary>
    public bool IsFiltered => Actor is not null || Action is not null || TargetKind is not null || Target is not null || Outcome is not null || From is not null || To is not null;

    /// <summary>The filters as query-string values (cursor and limit left out); nulls are absent.</summary>
    public IReadOnlyDictionary<string, string?> FilterParameters() => new Dictionary<string, string?>
    {
        [Keys.Actor] = Actor,
        [Keys.Action] = Action,
        [Keys.TargetKind] = TargetKind,
        [Keys.Target] = Target,
        [Keys.Outcome] = Outcome,
        [Keys.From] = From?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        [Keys.To] = To?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>One page of the audit log.</summary>
/// <param name="Entries">Newest first.</param>
/// <param name="NextBefore">The cursor of the next (older) page, or null on the last page.</param>
/// <param name="HeadSequence">The newest entry's sequence number in the whole log (0 when empty).</param>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? NextBefore, long HeadSequence);

/// <summary>Values present in the log, for filter pickers.</summary>
/// <param name="Actions">Actions, sorted.</param>
/// <param name="TargetKinds">Target kinds, sorted.</param>
public sealed record AuditFacets(IReadOnlyList<string> Actions, IReadOnlyList<string> TargetKinds);
