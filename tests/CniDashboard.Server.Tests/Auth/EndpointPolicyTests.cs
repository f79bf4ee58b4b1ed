using System.Net;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing.Patterns;

namespace CniDashboard.Server.Tests.Auth;

/// <summary>
/// Every endpoint the app maps — API, hub, Blazor pages and Blazor's own hub, static assets, health —
/// read from its endpoint data source, asked by every kind of caller. An endpoint added without a
/// policy, or made public without a reason listed here, fails this test.
/// </summary>
public sealed class EndpointPolicyTests(ProxySignInTests.ProxyDashboard fixture) : IClassFixture<ProxySignInTests.ProxyDashboard>
{
    /// <summary>The only endpoints anyone may call without a role, and why.</summary>
    private static readonly Dictionary<string, string> Public = new(StringComparer.Ordinal)
    {
        ["/healthz"] = "the kubelet's liveness probe carries no identity; says only 'ok'",
        ["/readyz"] = "the kubelet's readiness probe carries no identity; names watches, never a node or a person",
        ["/metrics"] = "Prometheus scrapes carry no identity; counts only, no node or person named",
        ["/auth/sign-in"] = "starts sign-in: must work before anyone is signed in",
        ["/auth/sign-out"] = "ends a session (POST, antiforgery-checked); must work when the session already ended",
        ["/auth/no-access"] = "explains a refusal to whoever was refused",
        ["/auth/signed-out"] = "says the session has ended",
        ["/auth/sign-in-failed"] = "says sign-in did not complete",
    };

    /// <summary>
    /// Endpoints that declare no policy and so fall under the fallback policy (View), and why they
    /// declare none: only the static files' fallback that ASP.NET Core maps for files served from
    /// build output (not from the app's static asset manifest), which a role is asked for anyway.
    /// </summary>
    private static readonly Dictionary<string, string> UnderFallbackPolicy = new(StringComparer.Ordinal)
    {
        ["Fallback {**path:file}"] = "mapped by MapStaticAssets for files outside its manifest; takes no conventions, so the fallback policy (View) guards it",
    };

    private const string StaticAssetReason = "scripts, styles and icons: the same for every caller, and the sign-in pages need them";

    /// <summary>Callers: the proxy's identity headers for each (none for anonymous).</summary>
    private static readonly (string Name, DashboardRole[] Roles, string? Groups)[] Callers =
    [
        ("anonymous", [], null),
        ("no role", [], "contractors"),
        ("viewer", [DashboardRole.Viewer], "viewers"),
        ("operator", [DashboardRole.Operator], "operators"),
        ("approver", [DashboardRole.Approver], "approvers"),
        ("admin", [DashboardRole.Admin], "admins"),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_mapped_endpoint_answers_each_role_as_its_policy_says()
    {
        var dashboard = fixture.Dashboard;
        var endpoints = dashboard.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToArray();
        var patterns = endpoints.Select(e => "/" + e.RoutePattern.RawText?.TrimStart('/')).ToHashSet(StringComparer.Ordinal);
        // Not vacuous: the API, the hub, the pages, Blazor's hub and the health endpoints are all here.
        foreach (var expected in new[] { "/api/v1/status", "/api/v1/nodes/{name}/snapshots/{id:long}/files/{file}", "/hubs/cluster", "/hubs/cluster/negotiate", "/_blazor", "/_blazor/negotiate", "/", "/nodes/{Name}", "/admin/access", "/openapi/{documentName}.json", "/healthz", "/auth/no-access",
            // The fleet (issue 14): its API and pages are under the same check.
            "/api/v1/fleet", "/api/v1/clusters/{cluster}/nodes", "/api/v1/clusters/{cluster}/nodes/{name}", "/api/v1/clusters/{cluster}/nodes/{name}/snapshots",
            "/api/v1/clusters/{cluster}/nodes/{name}/diff", "/api/v1/clusters/{cluster}/remediation/plans", "/fleet", "/clusters/{Cluster}/nodes", "/clusters/{Cluster}/nodes/{Name}", "/clusters/{Cluster}/remediation" })
            Assert.Contains(expected, patterns);

        using var client = dashboard.Client(AuthDashboard.ProxyAddress);
        var problems = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = Fill(endpoint.RoutePattern);
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.OrderBy(m => m == "GET" ? 0 : 1).First() ?? "GET";
            var name = $"{method} {path} ({endpoint.DisplayName})";
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToArray();
            var isStatic = endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor");

            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                if (!isStatic && !Public.ContainsKey(path)) problems.Add($"{name} allows anonymous callers, with no reason listed in {nameof(Public)}");
                if (isStatic && method != "GET" && method != "HEAD") problems.Add($"{name}: a public static asset that is not a GET");
                if (method == "GET")
                {
                    using var anonymous = await Send(client, method, path, null);
                    if (anonymous.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) problems.Add($"{name}: public ({(isStatic ? StaticAssetReason : Public[path])}) but answered anonymous {(int)anonymous.StatusCode}");
                }

                continue;
            }

            if (policies.Length == 0)
            {
                if (!UnderFallbackPolicy.ContainsKey(endpoint.DisplayName ?? ""))
                {
                    problems.Add($"{name} has no authorization policy");
                    continue;
                }

                policies = [DashboardPolicies.View];
            }

            if (policies.Except(DashboardPolicies.All).Any()) problems.Add($"{name}: unknown policy in {string.Join(", ", policies)}");
            foreach (var caller in Callers)
            {
                var deniedBefore = dashboard.Audit.With(AuditActions.Denied).Count;
                using var response = await Send(client, method, path, caller.Groups is null ? null : caller);
                var status = (int)response.StatusCode;
                var toNoAccess = response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.StartsWith("/auth/no-access", StringComparison.Ordinal) == true;
                var refused = status is 401 or 403 || toNoAccess;
                if (caller.Groups is null)
                {
                    if (status != 401) problems.Add($"{name}: anonymous got {status}, not 401");
                    continue;
                }

                var allowed = policies.All(p => DashboardPolicies.Allows(p, caller.Roles));
                if (allowed && refused) problems.Add($"{name}: {caller.Name} may ({string.Join(", ", policies)}) but got {status}");
                if (!allowed && !refused) problems.Add($"{name}: {caller.Name} may not ({string.Join(", ", policies)}) but got {status}");
                if (!allowed && dashboard.Audit.With(AuditActions.Denied).Count != deniedBefore + 1) problems.Add($"{name}: {caller.Name}'s refusal was not recorded exactly once");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string method, string path, (string Name, DashboardRole[] Roles, string? Groups)? caller)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (caller is { } who)
        {
            request.Headers.Add("X-Forwarded-User", who.Name.Replace(' ', '-'));
            request.Headers.Add("X-Forwarded-Groups", who.Groups);
        }

        // JSON, as the API's bodies are: another content type would match no endpoint (415) before any policy.
        if (method != "GET" && method != "HEAD") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        return await client.SendAsync(request, Ct);
    }

    /// <summary>The pattern with a plausible value in each parameter.</summary>
    private static string Fill(RoutePattern pattern)
    {
        var text = "/" + (pattern.RawText ?? "").TrimStart('/');
        foreach (var parameter in pattern.Parameters)
        {
            var value = parameter.Name switch
            {
                "id" => "1",
                "file" => "05-cilium.conflist",
                "documentName" => "v1",
                _ => "node-a",
            };
            var start = text.IndexOf("{" + (parameter.IsCatchAll ? "*" : ""), StringComparison.Ordinal);
            var token = text[start..(text.IndexOf('}', start) + 1)];
            text = text.Replace(token, value, StringComparison.Ordinal);
        }

        return text;
    }
}
