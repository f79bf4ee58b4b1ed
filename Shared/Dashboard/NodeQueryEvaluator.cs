using CniDashboard.Shared.Analysis;

namespace CniDashboard.Shared.Dashboard;

/// <summary>
/// What a <see cref="NodeQuery"/> means — its filters, sort and paging — as one pure function, so the
/// server's query and every in-memory stand-in (the UI tests' fake) answer a query the same way.
/// </summary>
public static class NodeQueryEvaluator
{
    /// <summary>
    /// One page of <paramref name="rows"/>: filtered by every set field of <paramref name="query"/>, sorted
    /// by its column (node name breaks ties, always A→Z, so paging is stable in both directions), then
    /// skipped and taken. The search is trimmed and case-insensitive; an empty node group or rule filters
    /// nothing; the offset is at least 0 and the limit is held to 0…<paramref name="maxPageSize"/>
    /// (0 asks for the count alone).
    /// </summary>
    /// <typeparam name="TRow">The caller's row, which knows more than the summary (its open findings).</typeparam>
    /// <param name="rows">Every node.</param>
    /// <param name="summaryOf">The row's Nodes-page summary.</param>
    /// <param name="hasRule">True when a finding of the rule is open on the row's node.</param>
    /// <param name="query">The query.</param>
    /// <param name="maxPageSize">The most rows one page may hold.</param>
    public static NodePage Evaluate<TRow>(
        IEnumerable<TRow> rows,
        Func<TRow, NodeSummary> summaryOf,
        Func<TRow, string, bool> hasRule,
        NodeQuery query,
        int maxPageSize)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(summaryOf);
        ArgumentNullException.ThrowIfNull(hasRule);
        ArgumentNullException.ThrowIfNull(query);

        var search = string.IsNullOrWhiteSpace(query.Search) ? null : query.Search.Trim();
        var group = string.IsNullOrEmpty(query.NodeGroup) ? null : query.NodeGroup;
        var rule = string.IsNullOrEmpty(query.Rule) ? null : query.Rule;
        var matching = new List<NodeSummary>();
        foreach (var row in rows)
        {
            var s = summaryOf(row);
            if (search is not null && !Matches(s, search)) continue;
            if (query.Severity is { } severity && s.WorstSeverity != severity) continue;
            if (query.OnlyHealthy == true && s.WorstSeverity is not (null or Severity.Info)) continue;
            if (group is not null && s.NodeGroup != group) continue;
            if (rule is not null && !hasRule(row, rule)) continue;
            // "Stale" is every agent that is not current: stale ones and ones never reached.
            if (query.Stale is { } stale && (s.Agent.State != AgentState.Current) != stale) continue;
            matching.Add(s);
        }

        matching.Sort((a, b) =>
        {
            var c = Compare(a, b, query.Sort);
            if (query.Descending) c = -c;
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });
        var offset = Math.Max(0, query.Offset);
        var limit = Math.Clamp(query.Limit, 0, Math.Max(0, maxPageSize));
        return new NodePage(matching.Skip(offset).Take(limit).ToArray(), matching.Count);
    }

    private static bool Matches(NodeSummary s, string search)
    {
        if (Contains(s.Name, search) || Contains(s.NodeGroup, search) || Contains(s.PrimaryFile, search)) return true;
        foreach (var plugin in s.Chain)
        {
            if (Contains(plugin, search)) return true;
        }

        return false;
    }

    private static bool Contains(string? value, string search) => value?.Contains(search, StringComparison.OrdinalIgnoreCase) == true;

    private static int Compare(NodeSummary a, NodeSummary b, NodeSort sort) => sort switch
    {
        NodeSort.Name => string.CompareOrdinal(a.Name, b.Name),
        NodeSort.NodeGroup => string.CompareOrdinal(a.NodeGroup, b.NodeGroup),
        NodeSort.SandboxErrors => a.SandboxErrorsLastHour.CompareTo(b.SandboxErrorsLastHour),
        NodeSort.LastChange => Nullable.Compare(a.LastChangeAt, b.LastChangeAt),
        _ => Rank(a).CompareTo(Rank(b)) is var c && c != 0 ? c : a.SandboxErrorsLastHour.CompareTo(b.SandboxErrorsLastHour),
    };

    /// <summary>No finding ranks below info.</summary>
    private static int Rank(NodeSummary s) => s.WorstSeverity is { } v ? (int)v : -1;
}
