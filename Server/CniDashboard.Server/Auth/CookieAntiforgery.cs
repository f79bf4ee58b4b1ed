using CniDashboard.Server.Audit;
using Microsoft.AspNetCore.Antiforgery;

namespace CniDashboard.Server.Auth;

/// <summary>
/// Antiforgery on every state-changing request (POST, PUT, PATCH, DELETE) that a browser could be
/// tricked into sending: all of them except those authenticated by a bearer token in the
/// <c>Authorization</c> header, which another site cannot make a browser send. Without a valid token
/// (form field or <c>X-CSRF-TOKEN</c> header) the request is refused with 400 and recorded as denied.
/// Not checked: SignalR's own POSTs (<c>/_blazor</c>, <c>/hubs</c> negotiate and disconnect), which
/// change nothing and whose circuits are bound to the page that started them, and the sign-in callback.
/// </summary>
internal sealed class CookieAntiforgery(RequestDelegate next, IAntiforgery antiforgery, string callbackPath)
{
    /// <summary>The header an API caller with a cookie puts the token in.</summary>
    public const string HeaderName = "X-CSRF-TOKEN";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!NeedsToken(context))
        {
            await next(context);
            return;
        }

        if (await antiforgery.IsRequestValidAsync(context))
        {
            await next(context);
            return;
        }

        await RequestAudit.AppendAsync(context, context.User, AuditActions.Denied, AuditOutcome.Denied, RequestAudit.Target(context), RequestAudit.Reason("missing or invalid antiforgery token"));
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsJsonAsync(
            new { title = "Missing or invalid antiforgery token", status = 400, detail = $"State-changing requests made with a browser session need the antiforgery token (form field or {HeaderName} header)." },
            context.RequestAborted);
    }

    private bool NeedsToken(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method)) return false;
        if (request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase) || request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)) return false;
        if (request.Path.Equals(callbackPath, StringComparison.OrdinalIgnoreCase)) return false;
        var method = context.User.FindFirst(Shared.Security.DashboardClaimTypes.Method)?.Value;
        return !(method is DashboardIdentity.Methods.Bearer or DashboardIdentity.Methods.ServiceAccount && BearerToken.From(request) is not null);
    }
}
