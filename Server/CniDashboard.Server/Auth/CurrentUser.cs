using System.Security.Claims;
using CniDashboard.Server.Audit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace CniDashboard.Server.Auth;

/// <summary>
/// The person behind the current HTTP request or Blazor circuit (scoped: one per request, one per
/// circuit). In a request it is the request's authenticated user; in a circuit, where no request is
/// running, it is the user the circuit was opened with, kept current by <see cref="CurrentUserCircuitHandler"/>.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());
    private CircuitCaller? _circuit;

    /// <summary>The caller's principal: the circuit's, the request's, or an anonymous one.</summary>
    public ClaimsPrincipal Principal => _circuit?.User ?? accessor.HttpContext?.User ?? Anonymous;

    /// <summary>True outside any request or circuit (background work): the caller is the system.</summary>
    public bool IsSystem => _circuit is null && accessor.HttpContext is null;

    /// <inheritdoc />
    public ValueTask<AuditCaller> GetAsync(CancellationToken cancellationToken)
    {
        if (_circuit is { } circuit) return ValueTask.FromResult(new AuditCaller(DashboardIdentity.ToActor(circuit.User), circuit.ClientAddress, circuit.RequestId));
        if (accessor.HttpContext is { } http)
            return ValueTask.FromResult(new AuditCaller(DashboardIdentity.ToActor(http.User), http.Connection.RemoteIpAddress?.ToString(), http.TraceIdentifier));
        return ValueTask.FromResult(new AuditCaller(AuditActor.System, null, null));
    }

    /// <summary>Sets the circuit's user (and, when known, the address and request id of the connection it came over).</summary>
    internal void SetCircuitUser(ClaimsPrincipal user, string? clientAddress, string? requestId) =>
        _circuit = new CircuitCaller(user, clientAddress ?? _circuit?.ClientAddress, requestId ?? _circuit?.RequestId);

    private sealed record CircuitCaller(ClaimsPrincipal User, string? ClientAddress, string? RequestId);
}

/// <summary>
/// Gives each circuit's <see cref="CurrentUser"/> the user of the circuit's authentication state
/// when the circuit (re)connects, and whenever that state changes (e.g. the session is revalidated away).
/// </summary>
public sealed class CurrentUserCircuitHandler(AuthenticationStateProvider authentication, CurrentUser user, IHttpContextAccessor accessor)
    : CircuitHandler, IDisposable
{
    /// <inheritdoc />
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        authentication.AuthenticationStateChanged += OnChanged;
        return base.OnCircuitOpenedAsync(circuit, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await authentication.GetAuthenticationStateAsync().ConfigureAwait(false);
        // Here the hub's connection request is the current HttpContext: where the circuit came from.
        var http = accessor.HttpContext;
        user.SetCircuitUser(state.User, http?.Connection.RemoteIpAddress?.ToString(), http?.TraceIdentifier);
    }

    /// <inheritdoc />
    public void Dispose() => authentication.AuthenticationStateChanged -= OnChanged;

    private void OnChanged(Task<AuthenticationState> task) => _ = UpdateAsync(task);

    private async Task UpdateAsync(Task<AuthenticationState> task)
    {
        var state = await task.ConfigureAwait(false);
        user.SetCircuitUser(state.User, null, null);
    }
}
