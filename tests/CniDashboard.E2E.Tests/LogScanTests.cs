using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using CniDashboard.Shared.Dashboard;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>
/// "Tokens never reach the logs", for the whole dashboard: every log category at every level of the
/// demo host (<see cref="DemoDashboard.Logs"/>), over every test of this run plus the pages and API
/// calls made here, holds no JWT-shaped text and none of the tokens the run knows.
/// </summary>
[Collection(Phase.Logs)]
public sealed partial class LogScanTests(DemoDashboard dashboard)
{
    private const string Kubeconfig = "ZZZ-linkerd-cni-kubeconfig";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Three base64url parts, the first two JSON objects: what a bearer token looks like.</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")]
    private static partial Regex JwtShaped();

    [Fact]
    public async Task No_token_reaches_any_log_category_of_the_dashboard_during_a_full_demo_run()
    {
        await ExercisePagesAsync();
        await ExerciseApiAsync();

        var secrets = Secrets();
        var entries = dashboard.Logs.Entries.ToArray();
        var categories = entries.Select(e => e.Category).ToHashSet(StringComparer.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"{entries.Length} log entries in {categories.Count} categories scanned for {secrets.Count} secrets and JWT-shaped text: {string.Join(", ", categories.Order(StringComparer.Ordinal))}");

        // The capture saw the whole host: its own categories and the framework's, down to trace.
        Assert.Equal(0, dashboard.Logs.Dropped);
        Assert.Contains(categories, c => c.StartsWith("CniDashboard.Server.", StringComparison.Ordinal));
        Assert.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", categories);
        Assert.Contains(categories, c => c.StartsWith("Microsoft.AspNetCore.SignalR", StringComparison.Ordinal) || c.StartsWith("Microsoft.AspNetCore.Components", StringComparison.Ordinal));
        Assert.Contains(categories, c => c.StartsWith("CniDashboard.Server.Polling.", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Level == LogLevel.Trace);

        var leaks = entries
            .Where(e => JwtShaped().IsMatch(e.Text) || secrets.Any(s => e.Text.Contains(s.Value, StringComparison.Ordinal)))
            .Select(e => $"{e.Level} {e.Category}: holds {(JwtShaped().IsMatch(e.Text) ? "JWT-shaped text" : string.Join(", ", secrets.Where(s => e.Text.Contains(s.Value, StringComparison.Ordinal)).Select(s => s.Name)))}")
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        Assert.True(leaks.Length == 0, "tokens in the logs:\n" + string.Join("\n", leaks));
    }

    /// <summary>Every page, the incident node's (its kubeconfig facts, files and diff) included.</summary>
    private async Task ExercisePagesAsync()
    {
        var incident = dashboard.IncidentNodes[0];
        foreach (var (path, heading) in new[] { ("/", "Cluster CNI health"), ("/nodes", "Nodes"), ($"/nodes/{incident}", incident), ("/sandbox-errors", "Sandbox errors") })
        {
            await using var browser = await dashboard.OpenAsync(path);
            await Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
            browser.AssertNoScriptErrors();
        }
    }

    /// <summary>The REST API, reads and refusals, the raw kubeconfig file included.</summary>
    private async Task ExerciseApiAsync()
    {
        var incident = dashboard.IncidentNodes[0];
        var history = await dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/nodes/{incident}/snapshots", Ct);
        var snapshot = Assert.IsType<SnapshotHistory>(history).Snapshots[0].Id;
        string[] paths =
        [
            "api/v1/status", "api/v1/overview", "api/v1/daemonsets", "api/v1/findings", "api/v1/nodes?limit=500", "api/v1/nodes/facets",
            $"api/v1/nodes/{incident}", $"api/v1/nodes/{incident}/findings?includeResolved=true", $"api/v1/nodes/{incident}/diff?against=baseline",
            $"api/v1/nodes/{incident}/snapshots/{snapshot}", $"api/v1/nodes/{incident}/snapshots/{snapshot}/files/{Kubeconfig}",
            $"api/v1/nodes/{incident}/snapshots/{snapshot}/files/{Kubeconfig}?raw=true", "api/v1/sandbox-errors?window=1d&groupBy=Node",
            "api/v1/nodes/no-such-node", "api/v1/nodes?severity=Sever", "metrics", "readyz", "healthz", "openapi/v1.json",
        ];
        foreach (var path in paths)
        {
            using var response = await dashboard.Api.GetAsync(path, Ct);
            Assert.True((int)response.StatusCode is 200 or 400 or 404, $"{path}: {(int)response.StatusCode}");
        }
    }

    /// <summary>Every token this run knows: the reference ones, the demo's own, and each node's linkerd-cni token now.</summary>
    private List<(string Name, string Value)> Secrets()
    {
        var secrets = new List<(string Name, string Value)>();
        void AddJwt(string name, string token)
        {
            // The header is the same for every token of an issuer; the payload and signature are this token's.
            var parts = token.Split('.');
            Assert.Equal(3, parts.Length);
            secrets.Add(($"{name} (payload)", parts[1]));
            secrets.Add(($"{name} (signature)", parts[2]));
        }

        foreach (var reference in new[] { "healthy", "incident" })
            AddJwt($"reference {reference} token", TokenIn(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "reference", $"{reference}-{Kubeconfig}")))!);

        var cluster = dashboard.Cluster;
        AddJwt("the dashboard's ServiceAccount token", TokenIn(File.ReadAllText(cluster.KubeconfigPath))!);
        secrets.Add(("the agents' static token", File.ReadAllText(cluster.AgentTokenFile).Trim()));
        secrets.Add(("the API server's admin token", cluster.Emulator.AdminToken));
        foreach (var node in cluster.Nodes)
        {
            var path = Path.Combine(node.CniDir, Kubeconfig);
            if (File.Exists(path) && TokenIn(File.ReadAllText(path)) is { } token) AddJwt($"{node.Name}'s linkerd-cni token", token);
        }

        Assert.All(secrets, s => Assert.True(s.Value.Length >= 32, $"{s.Name} is too short to look for"));
        return secrets;
    }

    private static string? TokenIn(string kubeconfig) =>
        kubeconfig.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("token:", StringComparison.Ordinal))?["token:".Length..].Trim();
}
