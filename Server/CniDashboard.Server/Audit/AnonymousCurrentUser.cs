using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Audit;

/// <summary>
/// The caller of a backend built without sign-in (the backend alone, as its tests build it): the same
/// anonymous Viewer, with the client address and request id of the HTTP request when there is one.
/// The dashboard host's sign-in replaces it with the signed-in person.
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
