namespace CniDashboard.Shared.Security;

/// <summary>
/// Which groups hold which dashboard role (Argo CD's <c>g, group, role</c> lines, as configuration):
/// a person holds every role one of their groups is mapped to, and none when no group is mapped.
/// Group names compare exactly (ordinal): <c>Admins</c> and <c>admins</c> are two groups.
/// </summary>
public sealed class RoleMap
{
    private readonly Dictionary<string, DashboardRole[]> _rolesByGroup;

    /// <summary>Builds the map from each role's groups.</summary>
    public RoleMap(IReadOnlyDictionary<DashboardRole, IReadOnlyCollection<string>> groupsByRole)
    {
        ArgumentNullException.ThrowIfNull(groupsByRole);
        _rolesByGroup = groupsByRole
            .SelectMany(pair => pair.Value.Where(g => !string.IsNullOrWhiteSpace(g)).Select(group => (Group: group.Trim(), Role: pair.Key)))
            .GroupBy(x => x.Group, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Role).Distinct().Order().ToArray(), StringComparer.Ordinal);
    }

    /// <summary>True when no group is mapped to any role (nobody could use the dashboard).</summary>
    public bool IsEmpty => _rolesByGroup.Count == 0;

    /// <summary>The roles <paramref name="groups"/> hold, each once, in <see cref="DashboardRole"/> order.</summary>
    public IReadOnlyList<DashboardRole> RolesOf(IEnumerable<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var roles = new SortedSet<DashboardRole>();
        foreach (var group in groups)
        {
            if (group is not null && _rolesByGroup.TryGetValue(group, out var mapped)) roles.UnionWith(mapped);
        }

        return [.. roles];
    }

    /// <summary>The groups mapped to <paramref name="role"/>, sorted.</summary>
    public IReadOnlyList<string> GroupsFor(DashboardRole role) =>
        [.. _rolesByGroup.Where(pair => pair.Value.Contains(role)).Select(pair => pair.Key).Order(StringComparer.Ordinal)];
}
