using CniDashboard.Server.Audit;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Authorization;

namespace CniDashboard.Server.Auth;

/// <summary>
/// The server-side check behind every Blazor action (and any service a page calls): the current
/// person must satisfy the named policy, or the action is refused, recorded as denied, and
/// <see cref="AccessDeniedException"/> is thrown. Hiding a button is never the check; this is.
/// </summary>
public sealed class PolicyGuard(CurrentUser user, IAuthorizationService authorization, IAuditLog audit)
{
    /// <summary>Throws unless the current person satisfies <paramref name="policy"/> for <paramref name="action"/> on <paramref name="target"/>.</summary>
    public async Task EnsureAsync(string policy, string action, AuditTarget? target, CancellationToken cancellationToken)
    {
        if (!DashboardPolicies.All.Contains(policy)) throw new ArgumentException($"'{policy}' is not a dashboard policy", nameof(policy));
        var principal = user.Principal;
        var result = await authorization.AuthorizeAsync(principal, policy).ConfigureAwait(false);
        if (result.Succeeded) return;
        var caller = await user.GetAsync(cancellationToken).ConfigureAwait(false);
        await audit.AppendAsync(
            new AuditRecord(caller.Actor, AuditActions.Denied, target, AuditOutcome.Denied, RequestAudit.Reason("role without the policy", ("policy", policy), ("attempted", action)), caller.ClientAddress, caller.RequestId),
            cancellationToken).ConfigureAwait(false);
        throw new AccessDeniedException(policy, action);
    }
}

/// <summary>An action refused because the person's roles do not satisfy its policy.</summary>
public sealed class AccessDeniedException(string policy, string action)
    : UnauthorizedAccessException($"'{action}' needs the '{policy}' policy, which your roles do not grant.")
{
    /// <summary>The policy that was not satisfied.</summary>
    public string Policy { get; } = policy;
}

/// <summary>Records the UI's own refusals (a page the person's roles do not allow, inside a circuit).</summary>
public sealed class AccessDenialRecorder(ICurrentUser user, IAuditLog audit) : IAccessDenials
{
    /// <inheritdoc />
    public async Task RecordAsync(string resource, CancellationToken cancellationToken)
    {
        var caller = await user.GetAsync(cancellationToken).ConfigureAwait(false);
        await audit.AppendAsync(
            new AuditRecord(caller.Actor, AuditActions.Denied, new AuditTarget("page", resource), AuditOutcome.Denied, RequestAudit.Reason("role without the policy"), caller.ClientAddress, caller.RequestId),
            cancellationToken).ConfigureAwait(false);
    }
}
