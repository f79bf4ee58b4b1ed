using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using CniDashboard.Demo;
using CniDashboard.Demo.SignIn;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Dashboard;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CniDashboard.Server.Tests.Auth;

/// <summary>
/// After a demo session in which every role signs in (in a browser's way and with a bearer token),
/// reads every page and every API endpoint, and signs out: no JWT-shaped string, no cookie value,
/// no client secret and no Authorization header is in the database, in any log line of the
/// dashboard (every category, at Trace), in the HTML or in any API response.
/// </summary>
public sealed partial class SecretsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_demo_session_leaves_no_token_cookie_or_secret_anywhere()
    {
        using var dir = new Support.TempDir();
        var logs = new CapturingLoggerProvider();
        await using var demo = await DemoMode.StartAsync(["--port", "0", "--demo-nodes", "4", "--data-dir", dir.Path, "--demo-time-scale", "10"], TextWriter.Null, Ct);
        var builder = DashboardWebApplication.CreateBuilder(demo.DashboardArgs, b =>
        {
            demo.Configure(b);
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dashboard:Poller:Interval"] = "00:00:01",
                ["Dashboard:Poller:RequestTimeout"] = "00:00:01",
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                ["Logging:LogLevel:System"] = "Trace",
            });
            b.Logging.ClearProviders();
            b.Logging.AddProvider(logs);
        });
        await using var app = DashboardWebApplication.Build(builder);
        await app.StartAsync(Ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var dashboard = new Uri(address.EndsWith('/') ? address : address + "/");

        var seen = new StringBuilder();
        var secrets = new List<string> { demo.IdentityProvider.ClientSecret };
        string? node = null;
        foreach (var user in demo.IdentityProvider.Users)
        {
            var cookies = new CookieContainer();
            using var client = await HeadlessSignIn.SignInAsync(dashboard, user.Id, Ct, cookies);
            node ??= await FirstPolledNodeAsync(client);
            var token = await HeadlessSignIn.GetAccessTokenAsync(demo.IdentityProvider, dashboard, user.Id, Ct);
            secrets.Add(token);

            foreach (var path in Paths(app, node))
            {
                await Read(client, path, seen);
                using var bearer = new HttpRequestMessage(HttpMethod.Get, path);
                bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                using var response = await client.SendAsync(bearer, Ct);
                await Record(response, seen);
            }

            var html = await client.GetStringAsync("/", Ct);
            var antiforgery = Support.AntiforgeryForm.TokenIn(html);
            secrets.AddRange(cookies.GetAllCookies().Select(c => c.Value).Where(v => v.Length >= 16));
            using var signOut = await client.PostAsync("auth/sign-out", Support.AntiforgeryForm.With(antiforgery), Ct);
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
            await Record(signOut, seen);
        }

        await app.StopAsync(Ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var database = Directory.GetFiles(Path.Combine(dir.Path, "dashboard"), SqliteConnectionFactory.FileName + "*")
            .Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f)));
        var places = new Dictionary<string, string>
        {
            ["the database"] = string.Join('\n', database),
            ["the dashboard's log"] = string.Join('\n', logs.Lines),
            ["the HTML and the API responses"] = seen.ToString(),
        };

        // Not vacuous: the session happened, and each place has content.
        Assert.Equal(demo.IdentityProvider.Users.Count, secrets.Count(s => Jwt().IsMatch(s)));
        Assert.All(places, p => Assert.True(p.Value.Length > 10_000, $"{p.Key} is nearly empty"));
        Assert.Contains(node!, places["the database"], StringComparison.Ordinal);
        foreach (var (place, text) in places)
        {
            Assert.False(Jwt().IsMatch(text), $"a JWT-shaped string in {place}: …{Around(text, Jwt().Match(text).Index)}…");
            Assert.False(AuthorizationHeader().IsMatch(text), $"an Authorization header in {place}");
            foreach (var secret in secrets) Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a token, cookie value or the client secret in {place}");
        }
    }

    /// <summary>Every page, and every GET the app maps under /api/v1 and for operations, with real parameters.</summary>
    private static IEnumerable<string> Paths(WebApplication app, string node)
    {
        string[] pages = ["/", "/nodes", $"/nodes/{node}", "/sandbox-errors", "/admin/access", "/auth/no-access", "/openapi/v1.json", "/metrics", "/readyz"];
        var api = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/v1", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')
                .Replace("{name}", node, StringComparison.Ordinal)
                .Replace("{id:long}", "1", StringComparison.Ordinal)
                .Replace("{file}", "05-cilium.conflist", StringComparison.Ordinal));
        return [.. pages, .. api, $"/api/v1/diff?left=previous:{node}&right=latest:{node}", $"/api/v1/nodes/{node}/snapshots/1/files/ZZZ-linkerd-cni-kubeconfig?raw=true"];
    }

    private static async Task<string> FirstPolledNodeAsync(HttpClient client)
    {
        var page = await Support.Eventually.WaitAsync(async () =>
        {
            var nodes = await client.GetFromJsonAsync<NodePage>("api/v1/nodes", Support.SimulatedDashboard.Json, Ct);
            return nodes is { Total: > 0 } && nodes.Items.All(n => n.PrimaryFile is not null) ? nodes : null;
        }, "the demo's nodes polled", TimeSpan.FromSeconds(60));
        return page.Items[0].Name;
    }

    private static async Task Read(HttpClient client, string path, StringBuilder seen)
    {
        using var response = await client.GetAsync(path, Ct);
        await Record(response, seen);
    }

    private static async Task Record(HttpResponseMessage response, StringBuilder seen)
    {
        // Set-Cookie is how a session is handed to its browser; every other header and the body are scanned.
        foreach (var header in response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Set-Cookie"))
            seen.Append(header.Key).Append(": ").AppendJoin(", ", header.Value).Append('\n');
        seen.Append(await response.Content.ReadAsStringAsync(Ct)).Append('\n');
    }

    private static string Around(string text, int index) => text.Substring(Math.Max(0, index - 60), Math.Min(160, text.Length - Math.Max(0, index - 60)));

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?i)authorization[""']?\s*[:=]\s*[""']?bearer\s+\S{8,}")]
    private static partial Regex AuthorizationHeader();

    /// <summary>Every log line of every category, formatted, with its exception and structured values.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
