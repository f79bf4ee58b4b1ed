using CniDashboard.Server.Audit;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace CniDashboard.Server.Tests.Auth;

/// <summary>Who is acting, in a request and in a Blazor circuit, and the server-side check behind Blazor actions.</summary>
public sealed class CurrentUserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task In_a_request_it_is_the_requests_user_with_its_address_and_request_id()
    {
        var http = new DefaultHttpContext { User = Person("olga", DashboardRole.Operator), TraceIdentifier = "req-1" };
        http.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("10.1.2.3");
        var user = new CurrentUser(new HttpContextAccessor { HttpContext = http });

        var caller = await user.GetAsync(Ct);

        Assert.Equal(("olga", "proxy", "10.1.2.3", "req-1"), (caller.Actor.Subject, caller.Actor.Method, caller.ClientAddress, caller.RequestId));
        Assert.Equal([DashboardRole.Operator], caller.Actor.Roles);
    }

    [Fact]
    public async Task Outside_any_request_or_circuit_it_is_the_system()
    {
        var user = new CurrentUser(new HttpContextAccessor());

        var caller = await user.GetAsync(Ct);

        Assert.Same(AuditActor.System, caller.Actor);
        Assert.True(user.IsSystem);
    }

    [Fact]
    public async Task In_a_circuit_it_is_the_circuits_user_and_follows_its_authentication_state()
    {
        var accessor = new HttpContextAccessor();
        var user = new CurrentUser(accessor);
        var state = new SettableAuthenticationState(Person("ann", DashboardRole.Approver));
        using var handler = new CurrentUserCircuitHandler(state, user, accessor);
        await handler.OnCircuitOpenedAsync(null!, Ct);

        await handler.OnConnectionUpAsync(null!, Ct);
        var first = await user.GetAsync(Ct);
        // The session was revalidated away (signed out elsewhere): the circuit's user becomes nobody.
        state.Set(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity()));
        var after = await user.GetAsync(Ct);

        Assert.Equal("ann", first.Actor.Subject);
        Assert.Equal("anonymous", after.Actor.Subject);
    }

    [Fact]
    public async Task A_blazor_action_the_role_does_not_allow_is_refused_recorded_and_thrown()
    {
        var audit = new CapturingAuditLog();
        var guard = Guard(Person("vic", DashboardRole.Viewer), audit);

        var error = await Assert.ThrowsAsync<AccessDeniedException>(() => guard.EnsureAsync(DashboardPolicies.Operate, "plan.create", new AuditTarget("node", "ip-10-0-1-5"), Ct));

        Assert.Equal(DashboardPolicies.Operate, error.Policy);
        var denied = Assert.Single(audit.Records);
        Assert.Equal((AuditActions.Denied, "vic", "ip-10-0-1-5", "plan.create"), (denied.Action, denied.Actor.Subject, denied.Target!.Name, denied.Details!["attempted"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_blazor_action_the_role_allows_goes_on_unrecorded()
    {
        var audit = new CapturingAuditLog();

        await Guard(Person("olga", DashboardRole.Operator), audit).EnsureAsync(DashboardPolicies.Operate, "plan.create", null, Ct);
        await Guard(Person("ada", DashboardRole.Admin), audit).EnsureAsync(DashboardPolicies.Approve, "plan.approve", null, Ct);

        Assert.Empty(audit.Records);
    }

    private static PolicyGuard Guard(System.Security.Claims.ClaimsPrincipal person, CapturingAuditLog audit)
    {
        var services = new ServiceCollection().AddLogging();
        var policies = services.AddAuthorizationBuilder();
        foreach (var name in DashboardPolicies.All) policies.AddPolicy(name, DashboardAuthentication.Policy(name));
        var provider = services.BuildServiceProvider();
        var user = new CurrentUser(new HttpContextAccessor { HttpContext = new DefaultHttpContext { User = person } });
        return new PolicyGuard(user, provider.GetRequiredService<IAuthorizationService>(), audit);
    }

    private static System.Security.Claims.ClaimsPrincipal Person(string subject, DashboardRole role) =>
        DashboardIdentity.Create(subject, subject, null, [], [role], DashboardIdentity.Methods.Proxy);

    private sealed class SettableAuthenticationState(System.Security.Claims.ClaimsPrincipal user) : AuthenticationStateProvider
    {
        private System.Security.Claims.ClaimsPrincipal _user = user;

        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(_user));

        public void Set(System.Security.Claims.ClaimsPrincipal user)
        {
            _user = user;
            NotifyAuthenticationStateChanged(GetAuthenticationStateAsync());
        }
    }
}
