using System.Globalization;
using CniDashboard.Client.Model;
using CniDashboard.Shared.Audit;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Pages;

/// <summary>The audit log, newest first: filters and page cursor in the URL, each entry's details on demand, exports.</summary>
public partial class AuditLogPage : IDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Loadable<AuditPage> _page = new();
    private readonly Loadable<AuditFacets> _facets = new();
    private readonly HashSet<long> _expanded = [];
    private AuditQuery _filter = new();
    private AuditQuery? _filterLoaded;

    /// <summary>The audit log.</summary>
    [Inject]
    public required IAuditQueries Audit { get; init; }

    /// <summary>Navigation, for writing filters to the URL.</summary>
    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>The clock.</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <summary>Actor subject or name (<c>?actor=</c>).</summary>
    [SupplyParameterFromQuery(Name = AuditQuery.Keys.Actor)]
    public string? Actor { get; set; }

    /// <summary>Action (<c>?action=</c>).</summary>
    [SupplyParameterFromQuery(Name = AuditQuery.Keys.Action)]
    public string? Action { get; set; }

    /// <summary>Target kind (<c>?targetKind=</c>).</summary>
    [SupplyParameterFromQuery(Name = AuditQuery.Keys.TargetKind)]
    public string? TargetKind { get; set; }

    /// <summary>Target name (<c>?target=</c>).</summary>
    [SupplyParameterFromQuery(Name = AuditQuery.Keys.Target)]
    public string? Target { get; set; }

    /// <summary>Outcome (<c>?outcome=ok|denied|failed</c>).</summary>
    [SupplyParameterFromQuery(Name = AuditQuery.Keys.Outcome)]
    public string? Outcome { get; set; }

    /// <summary>From, UTC (<c>?from=2026-12-07T10:00</c>).</summary>
    [SupplyParameterFromQuery(Name = AuditQuery.Keys.From)]
    public string? From { get; set; }

    /// <summary>To, UTC (<c>?to=</c>).</summary>
    [SupplyParameterFromQuery(Name = AuditQuery.Keys.To)]
    public string? To { get; set; }

    /// <summary>Page cursor: entries before this sequence number (<c>?before=</c>).</summary>
    [SupplyParameterFromQuery(Name = AuditQuery.Keys.Before)]
    public string? Before { get; set; }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() =>
        await _facets.LoadAsync(Audit.GetFacetsAsync, "the audit log's actions", _lifetime.Token);

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        _filter = AuditFilter.FromQuery(Actor, Action, TargetKind, Target, Outcome, From, To, Before);
        if (_filter != _filterLoaded)
        {
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        var filter = _filter;
        _filterLoaded = filter;
        _expanded.Clear();
        await _page.LoadAsync(ct => Audit.GetPageAsync(filter, ct), "the audit log", _lifetime.Token);
    }

    private void Toggle(long sequence)
    {
        if (!_expanded.Remove(sequence))
        {
            _expanded.Add(sequence);
        }
    }

    private void Navigate(AuditQuery filter) => Navigation.NavigateTo(Link(filter));

    private static string Link(AuditQuery filter) => AuditFilter.PageUrl(filter);

    private static string? Text(object? value) => value is string s && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    /// <summary>The picker's choices, keeping a value from the URL that the log no longer lists.</summary>
    private static IEnumerable<string> Options(IReadOnlyList<string>? present, string? current) =>
        current is null || (present?.Contains(current) ?? false) ? present ?? [] : [.. present ?? [], current];

    private string Summary(AuditPage page)
    {
        if (page.Entries.Count == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{page.HeadSequence:N0} {(page.HeadSequence == 1 ? "entry" : "entries")} in the log");
        }

        var newest = page.Entries[0].Sequence;
        var oldest = page.Entries[^1].Sequence;
        var range = newest == oldest
            ? string.Create(CultureInfo.InvariantCulture, $"#{newest:N0}")
            : string.Create(CultureInfo.InvariantCulture, $"#{oldest:N0}–#{newest:N0} (newest first)");
        return string.Create(CultureInfo.InvariantCulture,
            $"Showing {page.Entries.Count:N0} {(_filter.IsFiltered ? "matching " : "")}{(page.Entries.Count == 1 ? "entry" : "entries")}, {range}, of {page.HeadSequence:N0} in the log");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancelled, not disposed: a query still unwinding may read its token.
        _lifetime.Cancel();
        GC.SuppressFinalize(this);
    }
}
