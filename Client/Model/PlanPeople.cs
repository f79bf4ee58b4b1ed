using System.Security.Claims;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;

namespace CniDashboard.Client.Model;

/// <summary>Who a signed-in person is to a plan: its author, or an approver who already approved it.</summary>
public static class PlanPeople
{
    /// <summary>The names a person may be recorded under: their subject, their name, the identity's name.</summary>
    public static IReadOnlyList<string> NamesOf(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true
            ? [.. new[] { user.FindFirst(DashboardClaimTypes.Subject)?.Value, user.FindFirst(DashboardClaimTypes.Name)?.Value, user.Identity.Name }
                .OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal)]
            : [];

    /// <summary>True when <paramref name="user"/> wrote the plan.</summary>
    public static bool IsAuthor(RemediationPlan plan, ClaimsPrincipal? user) =>
        NamesOf(user).Contains(plan.Author, StringComparer.Ordinal);

    /// <summary>The approval <paramref name="user"/> gave that still counts, or null.</summary>
    public static Approval? ApprovalBy(RemediationPlan plan, ClaimsPrincipal? user, DateTimeOffset now)
    {
        var names = NamesOf(user);
        return plan.ValidApprovals(now).FirstOrDefault(a => names.Contains(a.Approver, StringComparer.Ordinal));
    }
}
