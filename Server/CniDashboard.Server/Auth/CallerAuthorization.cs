using CniDashboard.Server.Audit;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Auth;

/// <summary>
/// The role check inside services that change something (settings, remediation): whoever calls
/// them — a page in a circuit, an API endpoint, a test — the caller's roles must grant the policy, or
/// the attempt is recorded as denied and refused. The endpoint's or page's own policy is the first
/// check; this one holds even when a caller reaches the service another way.
/// </summary>
public static class CallerAuthorization
{
    /// <summary>Throws <see cref="AccessDeniedException"/> (after a denied audit entry) unless the caller's roles grant <paramref name="policy"/>.</summary>
    public static async Task EnsureAllowedAsync(this AuditCaller caller, IAuditLog log, string policy, string action, AuditTarget? target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(log);
        if (DashboardPolicies.Allows(policy, caller.Actor.Roles)) return;
        await log.AppendAsync(
            caller.Record(AuditActions.Denied, target, AuditOutcome.Denied, RequestAudit.Reason("role without the policy", ("policy", policy), ("attempted", action))),
            cancellationToken).ConfigureAwait(false);
        throw new AccessDeniedException(policy, action);
    }
}
