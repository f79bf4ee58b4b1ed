using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>
/// The Nodes page's filters and sort as they appear in the URL (<c>/nodes?severity=critical&amp;rule=mesh-token-pod-gone</c>),
/// so any view can be shared as a link. Unknown values are dropped rather than failing the page.
/// </summary>
public sealed record NodeFilter
{
    /// <summary>Query-string names, one per filter.</summary>
    public static class Keys
    {
        /// <summary>Free-text search.</summary>
        public const string Search = "q";
        /// <summary>Severity facet: critical, warning, info, ok.</summary>
        public const string Severity = "severity";
        /// <summary>Node group.</summary>
        public const string NodeGroup = "group";
        /// <summary>Rule id.</summary>
        public const string Rule = "rule";
        /// <summary>stale / current.</summary>
        public const string Agent = "agent";
        /// <summary>Sort column.</summary>
        public const string Sort = "sort";
        /// <summary>asc / desc.</summary>
        public const string Direction = "dir";
    }

    /// <summary>Token of the facet that means "no warning or critical finding".</summary>
    public const string HealthyToken = "ok";

    /// <summary>Free-text search over name, group, primary file and chain.</summary>
    public string? Search { get; init; }

    /// <summary>Only nodes whose worst finding is this.</summary>
    public Severity? Severity { get; init; }

    /// <summary>Only nodes without warning or critical findings.</summary>
    public bool OnlyHealthy { get; init; }

    /// <summary>Only this node group.</summary>
    public string? NodeGroup { get; init; }

    /// <summary>Only nodes with an open finding of this rule.</summary>
    public string? Rule { get; init; }

    /// <summary>true: only stale agents; false: only current; null: both.</summary>
    public bool? Stale { get; init; }

    /// <summary>The sort column.</summary>
    public NodeSort Sort { get; init; } = NodeSort.Severity;

    /// <summary>Sort descending.</summary>
    public bool Descending { get; init; } = true;

    /// <summary>True when any filter (not the sort) narrows the list.</summary>
    public bool IsFiltered =>
        !string.IsNullOrWhiteSpace(Search) || Severity is not null || OnlyHealthy
        || !string.IsNullOrEmpty(NodeGroup) || !string.IsNullOrEmpty(Rule) || Stale is not null;

    /// <summary>The severity facet's token: critical, warning, info, ok, or null for all.</summary>
    public string? SeverityToken => OnlyHealthy ? HealthyToken : Severity is null ? null : SeverityText.Token(Severity);

    /// <summary>Reads the filter from query-string values.</summary>
    public static NodeFilter FromQuery(string? search, string? severity, string? nodeGroup, string? rule, string? agent, string? sort, string? direction)
    {
        var sortColumn = ParseSort(sort);
        return new NodeFilter
        {
            Search = Blank(search),
            Severity = SeverityText.Parse(severity),
            OnlyHealthy = string.Equals(severity, HealthyToken, StringComparison.OrdinalIgnoreCase),
            NodeGroup = Blank(nodeGroup),
            Rule = Blank(rule),
            Stale = agent?.ToLowerInvariant() switch
            {
                "stale" => true,
                "current" => false,
                _ => null,
            },
            Sort = sortColumn,
            Descending = direction?.ToLowerInvariant() switch
            {
                "asc" => false,
                "desc" => true,
                // Worst-first and busiest-first read best descending; names read best A→Z.
                _ => sortColumn is NodeSort.Severity or NodeSort.SandboxErrors or NodeSort.LastChange,
            },
        };
    }

    /// <summary>The filter with the severity facet set from a token (null clears it).</summary>
    public NodeFilter WithSeverityToken(string? token) => this with
    {
        Severity = SeverityText.Parse(token),
        OnlyHealthy = string.Equals(token, HealthyToken, StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>Sorting by a column: a second click on the same column flips the direction.</summary>
    public NodeFilter SortedBy(NodeSort column) => column == Sort
        ? this with { Descending = !Descending }
        : this with { Sort = column, Descending = column is NodeSort.Severity or NodeSort.SandboxErrors or NodeSort.LastChange };

    /// <summary>The page of rows the grid asks for.</summary>
    public NodeQuery ToQuery(int offset, int limit) => new()
    {
        Search = Search,
        Severity = Severity,
        OnlyHealthy = OnlyHealthy ? true : null,
        NodeGroup = NodeGroup,
        Rule = Rule,
        Stale = Stale,
        Sort = Sort,
        Descending = Descending,
        Offset = offset,
        Limit = limit,
    };

    /// <summary>Query-string values for this filter; null values remove the parameter from the URL.</summary>
    public IReadOnlyDictionary<string, object?> ToQueryParameters()
    {
        var defaults = FromQuery(null, null, null, null, null, SortToken(Sort), null);
        return new Dictionary<string, object?>
        {
            [Keys.Search] = Search,
            [Keys.Severity] = SeverityToken,
            [Keys.NodeGroup] = NodeGroup,
            [Keys.Rule] = Rule,
            [Keys.Agent] = Stale switch { true => "stale", false => "current", null => null },
            [Keys.Sort] = Sort == NodeSort.Severity ? null : SortToken(Sort),
            [Keys.Direction] = Descending == defaults.Descending ? null : Descending ? "desc" : "asc",
        };
    }

    /// <summary>The URL token of a sort column.</summary>
    public static string SortToken(NodeSort sort) => sort switch
    {
        NodeSort.Name => "name",
        NodeSort.NodeGroup => "group",
        NodeSort.SandboxErrors => "errors",
        NodeSort.LastChange => "changed",
        _ => "severity",
    };

    private static NodeSort ParseSort(string? token) => token?.ToLowerInvariant() switch
    {
        "name" => NodeSort.Name,
        "group" => NodeSort.NodeGroup,
        "errors" => NodeSort.SandboxErrors,
        "changed" => NodeSort.LastChange,
        _ => NodeSort.Severity,
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
