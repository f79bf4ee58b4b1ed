namespace CniDashboard.Shared.Analysis;

/// <summary>
/// What most nodes of a node group run: the primary file and chain more than half of its nodes share.
/// Pure, so the dashboard computes it over its fleet and a test or CI pipeline over any list of nodes.
/// </summary>
public static class NodeGroupMajority
{
    /// <summary>Fewest nodes with known files for a group to have a majority worth holding others to.</summary>
    public const int MinimumNodes = 3;

    /// <summary>
    /// The majority of <paramref name="members"/> (each node's primary file and chain), or null when the
    /// group has fewer than <see cref="MinimumNodes"/> nodes or no primary-and-chain is shared by more than half.
    /// </summary>
    public static ContextNodeGroup? Of(string group, IEnumerable<(string? Primary, IReadOnlyList<string> Chain)> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var counts = new Dictionary<string, (string? Primary, IReadOnlyList<string> Chain, int Count)>(StringComparer.Ordinal);
        var total = 0;
        foreach (var (primary, chain) in members)
        {
            total++;
            var key = Key(primary, chain);
            counts[key] = counts.TryGetValue(key, out var seen) ? seen with { Count = seen.Count + 1 } : (primary, chain, 1);
        }

        if (total < MinimumNodes) return null;
        foreach (var (primary, chain, count) in counts.Values)
        {
            if (count * 2 > total) return new ContextNodeGroup { Name = group, Primary = primary, Chain = chain, Majority = count, Nodes = total };
        }

        return null;
    }

    /// <summary>True when a node runs exactly the majority's primary file and chain.</summary>
    public static bool Matches(ContextNodeGroup majority, string? primary, IReadOnlyList<string> chain) =>
        string.Equals(majority.Primary, primary, StringComparison.Ordinal) && majority.Chain.SequenceEqual(chain, StringComparer.Ordinal);

    // File names cannot hold '/', plugin types are JSON strings: '\n' and '/' keep the parts apart.
    private static string Key(string? primary, IReadOnlyList<string> chain) => (primary ?? "\n") + "/" + string.Join('\n', chain);
}
