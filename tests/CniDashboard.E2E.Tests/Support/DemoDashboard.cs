using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using CniDashboard.Demo;
using CniDashboard.Demo.SignIn;
using CniDashboard.Server;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;
using CniDashboard.Simulator;
using CniDashboard.Simulator.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Playwright;

namespace CniDashboard.E2E.Tests.Support;

/// <summary>
/// The product as a person runs the demo: the simulated cluster (12 nodes, the linkerd-cni incident
/// on 3, real agents on real folders, a kubelet emitting sandbox errors), the demo's OpenID Connect
/// provider, and the dashboard host signing people in through it, started in-process through the
/// same code as the demo's <c>Program.cs</c> (<see cref="DemoMode"/> + <see cref="DashboardWebApplication"/>),
/// on 127.0.0.1 with free ports, a temp data dir and a 1 s poll, its loggers kept and captured (<see cref="Logs"/>); plus one headless Debian Chromium.
/// One per test assembly.
/// </summary>
public sealed class DemoDashboard : IAsyncLifetime
{
    /// <summary>The dashboard's poll interval here: a file change must show within this + 1 s.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often the dashboard here writes its audit checkpoint (the shortest interval it accepts).</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(10);

    /// <summary>The browser window every test uses (screenshots are taken at this size).</summary>
    public static readonly ViewportSize Viewport = new() { Width = 1440, Height = 900 };

    /// <summary>Simulated seconds per real second: workload pods (and their sandbox errors) arrive within seconds.</summary>
    private const string TimeScale = "10";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("cni-e2e-");
    private readonly Dictionary<string, string> _sessions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signingIn = new(1, 1);
    private DemoSession? _demo;
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private bool _disposed;

    /// <summary>JSON as the REST API writes it.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The simulated cluster, to change a node's files or pods as a person or installer would.</summary>
    public SimulatedCluster Cluster => _demo?.Cluster ?? throw new InvalidOperationException("not started");

    /// <summary>A user the tests add to the demo's: signed in, but in no group the dashboard maps to a role.</summary>
    public static DemoUser Outsider { get; } = new("outsider", "Otto Outsider", ["contractors", "team-payments"]);

    /// <summary>The demo's identity provider.</summary>
    public DemoIdentityProvider IdentityProvider => _demo?.IdentityProvider ?? throw new InvalidOperationException("not started");

    /// <summary>The running dashboard (its services, e.g. the audit log).</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException("not started");

    /// <summary>The dashboard's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client of the dashboard's REST API, signed in as <c>viewer</c> (for reading what the tests then look for in the UI).</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>Everything the dashboard host logged in this run, every category and level.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The nodes the scenario put in the incident, by name.</summary>
    public IReadOnlyList<string> IncidentNodes { get; private set; } = [];

    /// <summary>Nodes the scenario left healthy (no drift, no incident), by name.</summary>
    public IReadOnlyList<string> HealthyNodes { get; private set; } = [];

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // A fixture that fails to start is not disposed by the runner: stop what did start.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        using var startup = new CancellationTokenSource(ReadyTimeout);
        var ct = startup.Token;
        _demo = await DemoMode.StartAsync(
            ["--port", "0", "--data-dir", Path.Combine(_dataDir.FullName, "demo"), "--demo-time-scale", TimeScale],
            TextWriter.Null,
            ct,
            [.. DemoUser.All, Outsider]);
        IncidentNodes = [.. Cluster.NodesWithRole(NodeRole.Incident).Select(n => n.Name).Order(StringComparer.Ordinal)];
        HealthyNodes = [.. Cluster.NodesWithRole(NodeRole.Healthy).Select(n => n.Name).Order(StringComparer.Ordinal)];

        var demo = _demo;
        var builder = DashboardWebApplication.CreateBuilder(demo.DashboardArgs, b =>
        {
            demo.Configure(b);
            // Only what a test needs on top of the demo: a short poll.
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dashboard:Poller:Interval"] = PollInterval.ToString("c", CultureInfo.InvariantCulture),
                ["Dashboard:Poller:RequestTimeout"] = PollInterval.ToString("c", CultureInfo.InvariantCulture),
                ["Dashboard:Audit:Checkpoint:Interval"] = CheckpointInterval.ToString("c", CultureInfo.InvariantCulture),
            });
            // The host keeps its own log providers (the console's only from warnings up, so the test
            // output stays readable); every category at every level also goes to Logs, which
            // LogScanTests scans for tokens once everything else has run.
            b.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
            Logs.AddTo(b.Logging);
        });
        _app = DashboardWebApplication.Build(builder);
        await _app.StartAsync(ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        Api = await HeadlessSignIn.SignInAsync(BaseAddress, "viewer", ct);

        await WaitForIncidentAsync(ct);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    /// <summary>
    /// A browser context at <see cref="Viewport"/> signed in as <paramref name="user"/>, with the page
    /// at <paramref name="path"/>, its circuit running. Each user signs in through the identity
    /// provider's pages once; later contexts start with that session's cookies.
    /// </summary>
    public async Task<BrowserPage> OpenAsync(string path, string user = "viewer")
    {
        await _signingIn.WaitAsync();
        try
        {
            if (!_sessions.ContainsKey(user))
            {
                await using var first = await SignInAsync(path, user);
                _sessions[user] = await first.Page.Context.StorageStateAsync();
            }
        }
        finally
        {
            _signingIn.Release();
        }

        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), ViewportSize = Viewport, StorageState = _sessions[user] });
        var page = await context.NewPageAsync();
        var opened = new BrowserPage(context, page);
        await page.GotoAsync(path);
        await opened.WaitForInteractiveAsync();
        return opened;
    }

    /// <summary>
    /// A fresh browser context (no session) that opens <paramref name="path"/>, is sent to the
    /// identity provider's pick page, picks <paramref name="user"/>, and comes back signed in with the
    /// page's circuit running. The session is its own (signing it out ends no other test's).
    /// </summary>
    public async Task<BrowserPage> SignInAsync(string path, string user, Func<BrowserPage, Task>? atPickPage = null, bool waitForCircuit = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), ViewportSize = Viewport });
        var page = await context.NewPageAsync();
        var opened = new BrowserPage(context, page);
        await page.GotoAsync(path);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(IdentityProvider.Issuer.ToString())));
        if (atPickPage is not null) await atPickPage(opened);
        await page.GetByTestId($"pick-{user}").ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(BaseAddress.ToString(), StringComparison.Ordinal) && !url.Contains("signin-oidc", StringComparison.Ordinal));
        if (waitForCircuit) await opened.WaitForInteractiveAsync();
        return opened;
    }

    /// <summary>
    /// A client of the REST API acting as <paramref name="user"/> with a bearer token from the demo's
    /// identity provider (as automation would call it; no browser session, so no antiforgery token).
    /// </summary>
    public async Task<HttpClient> ApiAsAsync(string user, CancellationToken cancellationToken)
    {
        var token = await HeadlessSignIn.GetAccessTokenAsync(IdentityProvider, BaseAddress, user, cancellationToken);
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>GET as JSON from the REST API; null for 404.</summary>
    public async Task<T?> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await Api.GetAsync(path, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return default;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        Api?.Dispose();
        _signingIn.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_demo is not null)
        {
            await _demo.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dataDir.Delete(recursive: true);
    }

    /// <summary>
    /// Ready when the dashboard has every node's files, exactly the incident nodes critical, and
    /// each of them with Unauthorized sandbox errors linked to the finding — what the tests look at.
    /// </summary>
    private async Task WaitForIncidentAsync(CancellationToken cancellationToken)
    {
        await Eventually.WaitAsync(
            async () =>
            {
                var page = await GetJsonAsync<NodePage>("api/v1/nodes?limit=500", cancellationToken);
                if (page is null || page.Total != Cluster.Nodes.Count || page.Items.Any(n => n.PrimaryFile is null))
                {
                    return false;
                }

                var critical = page.Items.Where(n => n.WorstSeverity == Severity.Critical).Select(n => n.Name).Order(StringComparer.Ordinal);
                if (!critical.SequenceEqual(IncidentNodes))
                {
                    return false;
                }

                foreach (var name in IncidentNodes)
                {
                    var detail = await GetJsonAsync<NodeDetail>($"api/v1/nodes/{name}", cancellationToken);
                    if (detail is null || !detail.SandboxErrors.Any(e => e.Failure.ErrorClass == SandboxErrorClass.Unauthorized && e.LinkedEntry?.Rule is not null))
                    {
                        return false;
                    }
                }

                return true;
            },
            "every node polled, the incident nodes critical with linked Unauthorized errors",
            ReadyTimeout,
            cancellationToken);
    }
}
