using System.Security.Claims;
using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;

namespace CniDashboard.Server.Auth;

/// <summary>Audit entries about an HTTP request: the caller's address and the request id come from the request.</summary>
internal static class RequestAudit
{
    /// <summary>Appends an entry for <paramref name="context"/> (fail closed: throws when it cannot be written).</summary>
    public static Task<long> AppendAsync(HttpContext context, ClaimsPrincipal? actor, string action, AuditOutcome outcome, AuditTarget? target = null, JsonObject? details = null) =>
        context.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(
            new AuditRecord(DashboardIdentity.ToActor(actor), action, target, outcome, details, context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier),
            context.RequestAborted);

    /// <summary>The request as a target: method and path (never the query string, which could carry a secret).</summary>
    public static AuditTarget Target(HttpContext context) => new("request", $"{context.Request.Method} {context.Request.Path}");

    /// <summary>Details naming why a request was refused.</summary>
    public static JsonObject Reason(string reason, params (string Key, string? Value)[] more)
    {
        var details = new JsonObject { ["reason"] = reason };
        foreach (var (key, value) in more) details[key] = value;
        return details;
    }
}
