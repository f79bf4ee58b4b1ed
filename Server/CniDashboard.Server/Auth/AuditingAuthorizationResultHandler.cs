using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace CniDashboard.Server.Auth;

/// <summary>
/// Every request the authorization middleware refuses to a signed-in caller (a role without the
/// endpoint's policy: API, hub, pages) is recorded as denied before the usual 403 or redirect.
/// Requests with no credentials at all are not recorded (a browser's first visit is one); refused
/// credentials are recorded where they are refused (bearer, ServiceAccount, proxy headers).
/// </summary>
public sealed class AuditingAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    /// <inheritdoc />
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var policies = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToArray() ?? [];
            var details = RequestAudit.Reason("role without the policy", ("policy", string.Join(", ", policies)));
            details["roles"] = new JsonArray([.. DashboardIdentity.RolesOf(context.User).Select(r => (JsonNode?)JsonValue.Create(r.ToString()))]);
            await RequestAudit.AppendAsync(context, context.User, AuditActions.Denied, AuditOutcome.Denied, RequestAudit.Target(context), details);
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
