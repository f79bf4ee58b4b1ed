using System.Diagnostics;
using System.Globalization;
using System.Net;
using CniDashboard.Benchmarks.Support;
using CniDashboard.Simulator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;

namespace CniDashboard.Benchmarks.Ui;

/// <summary>
/// <c>ui [--nodes 5000] [--renders 20] [--loads 5] [--hold-kubelet]</c>: the dashboard UI at scale. The simulated
/// cluster (one real agent per node, kubelet) runs in this process; the dashboard runs as its own
/// process (the real <c>cni-dashboard</c>, 5 s poll) so its timings are its own. Once every node is
/// stored it times (a) the server-side first render of the Nodes page: the prerendered <c>GET
/// /nodes</c>, sequentially, the first one cold; and (c) in Debian's Chromium (Playwright, 1440×900),
/// from navigation start to the first node row visible, to the page usable (circuit up, rows shown,
/// grid scrollable over every node), and the time a jump to the middle of the grid takes to show
/// real rows. Prints Markdown for docs/performance.md; asserts nothing.
/// </summary>
public static class UiScale
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>Below this the grid fits (nearly) in the window: there is no middle to jump to.</summary>
    private const int MinNodesToJump = 200;

    /// <summary>Installed before any page script: notes when Blazor's circuit socket opens (performance.now()).</summary>
    private const string SocketTimer = """
        (() => {
          const Native = window.WebSocket;
          window.cniTimes = { socketOpen: 0 };
          function Timed(url, protocols) {
            const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
            if (String(url).includes('_blazor')) {
              socket.addEventListener('open', () => { window.cniTimes.socketOpen ||= performance.now(); });
            }
            return socket;
          }
          Timed.prototype = Native.prototype;
          Object.assign(Timed, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
          window.WebSocket = Timed;
        })();
        """;

    /// <summary>Runs in the page on every animation frame; returns performance.now() once the first node row is visible.</summary>
    private const string FirstRowVisible = """
        () => {
          const row = document.querySelector('tr[data-testid=node-row]');
          return row && row.getBoundingClientRect().height > 0 ? performance.now() : 0;
        }
        """;

    /// <summary>Usable: the circuit renders the page, rows are shown, and the grid scrolls over (nearly) every node.</summary>
    private const string Usable = """
        (nodes) => {
          const main = document.querySelector('[data-testid=page-content]');
          const grid = document.querySelector('.grid-scroll');
          const row = document.querySelector('tr[data-testid=node-row]');
          return main?.dataset.interactive === 'true' && row && grid && grid.scrollHeight >= (nodes - 50) * 48
            ? performance.now() : 0;
        }
        """;

    /// <summary>Every row intersecting the grid's viewport is a real node row (no placeholder) and none of the first page's.</summary>
    private const string MiddleShown = """
        (firstNode) => {
          const grid = document.querySelector('.grid-scroll');
          const view = grid.getBoundingClientRect();
          const rows = [...grid.querySelectorAll('tbody tr')].filter(r => {
            const b = r.getBoundingClientRect();
            return b.height > 0 && b.bottom > view.top + 40 && b.top < view.bottom;
          });
          return rows.length > 0 && rows.every(r => r.dataset.testid === 'node-row' && r.dataset.node !== firstNode)
            ? performance.now() : 0;
        }
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => ScaleCluster.Arg(args, name, fallback);

        var nodes = Arg("--nodes", 5000);
        var renders = Arg("--renders", 20);
        var loads = Arg("--loads", 5);
        // The simulated kubelets of 5,000 nodes share the 2 cores with the dashboard; in a cluster they run elsewhere.
        var holdKubelet = args.Contains("--hold-kubelet");
        void Log(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

        var dataDir = Directory.CreateTempSubdirectory("cni-ui-scale-").FullName;
        Process? dashboard = null;
        try
        {
            Log($"starting the simulated cluster with {nodes} nodes");
            var started = Stopwatch.StartNew();
            await using var cluster = await SimulatedCluster.StartAsync(new SimulationOptions
            {
                DataDir = Path.Combine(dataDir, "simulation"),
                NodeCount = nodes,
                AddressBase = IPAddress.Parse("127.24.0.0"),
                LoggerFactory = NullLoggerFactory.Instance,
            });
            Log($"simulated cluster up in {started.Elapsed.TotalSeconds:0.0} s");

            dashboard = DashboardProcess.Start(cluster, Path.Combine(dataDir, "dashboard"), "ui-scale", [], out var port);
            try
            {
                return await MeasureAsync(new Uri($"http://127.0.0.1:{port}/"), nodes, renders, loads, started, Log, holdKubelet ? cluster : null);
            }
            finally
            {
                // Before the simulated cluster goes, so the dashboard does not log its watches failing.
                dashboard.Kill(entireProcessTree: true);
                await dashboard.WaitForExitAsync();
            }
        }
        finally
        {
            dashboard?.Dispose();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<int> MeasureAsync(Uri baseAddress, int nodes, int renders, int loads, Stopwatch started, Action<string> log, SimulatedCluster? holdKubelet)
    {
        var c = CultureInfo.InvariantCulture;
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await WaitForNodesAsync(http, nodes, TimeSpan.FromMinutes(10));
        log($"all {nodes} nodes stored after {started.Elapsed.TotalSeconds:0.0} s");
        if (holdKubelet is not null)
        {
            holdKubelet.SetTimeScale(0.001);
            log("simulated kubelet held still (agents still answer the dashboard's 5 s polls)");
        }

        // (a) The Nodes page as the server renders it before any circuit exists.
        var getTimes = new List<double>();
        var rowsInHtml = 0;
        var htmlBytes = 0;
        for (var i = 0; i < renders; i++)
        {
            var clock = Stopwatch.StartNew();
            var html = await http.GetStringAsync("nodes");
            getTimes.Add(clock.Elapsed.TotalMilliseconds);
            rowsInHtml = CountOf(html, "data-testid=\"node-row\"");
            htmlBytes = html.Length;
        }

        var apiTimes = new List<double>();
        for (var i = 0; i < renders; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = await http.GetStringAsync("api/v1/nodes?limit=50");
            apiTimes.Add(clock.Elapsed.TotalMilliseconds);
        }

        log(string.Create(c, $"GET /nodes: first {getTimes[0]:0.0} ms, then {string.Join(", ", getTimes.Skip(1).Select(t => t.ToString("0.0", c)))} ms; {rowsInHtml} rows, {htmlBytes:N0} chars"));

        // (c) In the browser.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var firstRow = new List<double>();
        var circuit = new List<double>();
        var usable = new List<double>();
        var jump = new List<double>();
        for (var i = 0; i < loads; i++)
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = baseAddress.ToString(),
                ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            });
            await context.AddInitScriptAsync(SocketTimer);
            var page = await context.NewPageAsync();
            await page.GotoAsync("nodes", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            var row = await WaitForTimeAsync(page, FirstRowVisible, null);
            var socketOpen = await page.EvaluateAsync<double>("() => window.cniTimes.socketOpen");
            var ready = await WaitForTimeAsync(page, Usable, nodes);
            firstRow.Add(row);
            circuit.Add(row - socketOpen);
            usable.Add(ready);
            if (nodes >= MinNodesToJump)
            {
                var first = await page.Locator("tr[data-testid=node-row]").First.GetAttributeAsync("data-node");
                var jumpedAt = await page.EvaluateAsync<double>("() => { const g = document.querySelector('.grid-scroll'); g.scrollTop = g.scrollHeight / 2; return performance.now(); }");
                jump.Add(await WaitForTimeAsync(page, MiddleShown, first) - jumpedAt);
            }

            log(string.Create(c, $"load {i + 1}: circuit socket open {socketOpen:0} ms, first row {row:0} ms, usable {ready:0} ms{(jump.Count > i ? $", jump to the middle → rows shown {jump[i]:0} ms" : "")}"));
            await page.CloseAsync();
        }

        Console.WriteLine();
        Console.WriteLine("| measure | value | bar |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine(string.Create(c, $"| Nodes page, {nodes:N0} nodes, server-side first render (prerendered `GET /nodes`, {renders} sequential): first (cold) / p50 / max of the rest | {getTimes[0]:0.0} / {Median(getTimes.Skip(1)):0.0} / {getTimes.Skip(1).Max():0.0} ms ({rowsInHtml} rows in the HTML, {htmlBytes / 1024.0:0} KiB) | ≤ 150 ms |"));
        Console.WriteLine(string.Create(c, $"| Nodes page, {nodes:N0} nodes, first interactive render: circuit socket open → first node row visible (server: page init, facet counts, the virtualizer's round trip and its rows query; then the DOM update), {loads} loads: p50 / max | {Median(circuit):0} / {circuit.Max():0} ms | |"));
        Console.WriteLine(string.Create(c, $"| rows query the grid runs, `GET /api/v1/nodes?limit=50` (worst first), {renders} sequential: p50 / max | {Median(apiTimes):0.0} / {apiTimes.Max():0.0} ms | |"));
        Console.WriteLine(string.Create(c, $"| browser, navigation start → first node row visible, {loads} loads: p50 / max | {Median(firstRow):0} / {firstRow.Max():0} ms | |"));
        Console.WriteLine(string.Create(c, $"| browser, navigation start → usable (circuit up, rows shown, grid scrolls over all {nodes:N0} nodes): p50 / max | {Median(usable):0} / {usable.Max():0} ms | |"));
        if (jump.Count > 0)
        {
            Console.WriteLine(string.Create(c, $"| browser, jump to the middle of the grid → real rows shown there: p50 / max | {Median(jump):0} / {jump.Max():0} ms | |"));
        }

        return 0;
    }

    private static async Task<double> WaitForTimeAsync(IPage page, string script, object? arg)
    {
        var handle = await page.WaitForFunctionAsync(script, arg, new PageWaitForFunctionOptions { Timeout = 120_000 });
        return await handle.JsonValueAsync<double>();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Waits until the dashboard's metrics say every node has a current snapshot.</summary>
    internal static async Task WaitForNodesAsync(HttpClient http, int nodes, TimeSpan timeout)
    {
        const string Current = "cni_dashboard_nodes{state=\"current\"} ";
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var metrics = await http.GetStringAsync("metrics");
                var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(Current, StringComparison.Ordinal));
                if (line is not null && double.Parse(line[Current.Length..], CultureInfo.InvariantCulture) >= nodes)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the dashboard did not store all {nodes} nodes within {timeout}");
            }

            await Task.Delay(500);
        }
    }
}
