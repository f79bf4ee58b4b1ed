namespace CniDashboard.Shared.Security;

/// <summary>
/// The named authorization policies every check uses — Blazor pages and actions, each
/// <c>/api/v1</c> endpoint, the hub — and which roles satisfy each. The server registers one
/// policy per name from <see cref="Allows"/>; the UI hides by the same names but never relies on hiding.
/// </summary>
public static class DashboardPolicies
{
    /// <summary>Read anything: any role.</summary>
    public const string View = "view";

    /// <summary>Create plans, run approved plans: Operator or Admin.</summary>
    public const string Operate = "operate";

    /// <summary>Approve or reject plans: Approver or Admin.</summary>
    public const string Approve = "approve";

    /// <summary>Settings and audit verification: Admin.</summary>
    public const string Administer = "administer";

    /// <summary>Every policy name.</summary>
    public static IReadOnlyList<string> All { get; } = [View, Operate, Approve, Administer];

    /// <summary>Whether a person holding <paramref name="roles"/> satisfies <paramref name="policy"/>.</summary>
    /// <exception cref="ArgumentException">The policy is not one of <see cref="All"/>.</exception>
    public static bool Allows(string policy, IEnumerable<DashboardRole> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var held = roles as IReadOnlyCollection<DashboardRole> ?? [.. roles];
        return policy switch
        {
            View => held.Count > 0,
            Operate => held.Contains(DashboardRole.Operator) || held.Contains(DashboardRole.Admin),
            Approve => held.Contains(DashboardRole.Approver) || held.Contains(DashboardRole.Admin),
            Administer => held.Contains(DashboardRole.Admin),
            _ => throw new ArgumentException($"'{policy}' is not a dashboard policy", nameof(policy)),
        };
    }
}
