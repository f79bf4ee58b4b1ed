using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Audit;

/// <summary>
/// Placeholder until sign-in exists: every caller is the same anonymous Viewer (signed in by
/// <c>none</c>), with the client address and request id of the HTTP request when there is one.
/// Registered with TryAdd, so the real <see cref="ICurrentUser"/> (sign-in's) replaces it by being
/// registered first.
/// </summary>
public sealed class AnonymousCurrentUser(IHttpContextAccessor http) : ICurrentUser
{
    /// <summary>The anonymous actor.</summary>
    public static AuditActor Anonymous { get; } = new("anonymous", "anonymous", [DashboardRole.Viewer], "none");

    /// <inheritdoc />
    public ValueTask<AuditCaller> GetAsync(CancellationToken cancellationToken)
    {
        var context = http.HttpContext;
        return ValueTask.FromResult(new AuditCaller(Anonymous, context?.Connection.RemoteIpAddress?.ToString(), context?.TraceIdentifier));
    }
}
