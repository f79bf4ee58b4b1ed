using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CniDashboard.Simulator;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// The dashboard as its own process (<c>dotnet cni-dashboard.dll</c>) on a simulated cluster, so a test
/// can kill it with SIGKILL and start it again on the same data directory. Sign-in by a trusted proxy on
/// loopback: requests say who they are with <c>X-Forwarded-User</c> and <c>-Groups</c>.
/// </summary>
public sealed class ChildDashboard : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private ChildDashboard(Process process, int port, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        Port = port;
        _output = output;
    }

    /// <summary>The loopback port the dashboard listens on.</summary>
    public int Port { get; }

    /// <summary>What the process wrote (the first 200 lines), for a failure's message.</summary>
    public string Output => string.Join("\n", _output);

    /// <summary>
    /// Starts <c>cni-dashboard.dll</c> on <paramref name="cluster"/> with its data in <paramref name="dataDir"/>;
    /// <paramref name="more"/> adds or overrides settings (environment variable names, e.g. a replica's, <see cref="ReplicaSettings"/>).
    /// </summary>
    public static ChildDashboard Start(SimulatedCluster cluster, string dataDir, IReadOnlyDictionary<string, string>? more = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "cni-dashboard.dll") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var settings = new Dictionary<string, string>
        {
            ["Dashboard__Kubernetes__Kubeconfig"] = cluster.KubeconfigPath,
            ["Dashboard__Poller__AgentTokenFile"] = cluster.AgentTokenFile,
            ["Dashboard__Poller__AgentPort"] = cluster.AgentPort.ToString(CultureInfo.InvariantCulture),
            ["Dashboard__Poller__AgentCaFile"] = cluster.AgentCaFile,
            ["Dashboard__Poller__AgentServerName"] = cluster.AgentServerName,
            ["Dashboard__Poller__Interval"] = "00:00:05",
            ["Dashboard__Poller__RequestTimeout"] = "00:00:05",
            ["Dashboard__DataDir"] = dataDir,
            ["Dashboard__ListenAddress"] = "127.0.0.1",
            ["Dashboard__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Dashboard__Auth__Mode"] = "proxy",
            ["Dashboard__Auth__Proxy__TrustedNetworks__0"] = "127.0.0.1/32",
            ["Dashboard__Auth__Proxy__SignOutUrl"] = "/oauth2/sign_out",
            ["Dashboard__Auth__Roles__Viewer__0"] = "viewers",
            ["Dashboard__Auth__Roles__Operator__0"] = "operators",
            ["Dashboard__Auth__Roles__Approver__0"] = "approvers",
            ["Dashboard__Remediation__ObserveInterval"] = "00:00:00.250",
            ["Dashboard__Remediation__LeaseDuration"] = "00:00:10",
            ["Dashboard__Remediation__Identity"] = "crash-test-dashboard",
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>()) settings[key] = value;
        foreach (var (key, value) in settings) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the dashboard");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null && output.Count < 200) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && output.Count < 200) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildDashboard(process, port, output);
    }

    /// <summary>
    /// A loopback port free now, below the kernel's ephemeral range (32768 and up): a port the kernel
    /// handed out and took back is soon given to some outgoing connection of this busy test process,
    /// and the child, binding a moment later, found it in use.
    /// </summary>
    private static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException) when (attempt < 100)
            {
                // Taken: try another.
            }
        }
    }

    /// <summary>
    /// A client acting as <paramref name="user"/> in <paramref name="group"/>, with the antiforgery cookie
    /// and token a browser session has (read from the home page once the dashboard answers).
    /// </summary>
    public async Task<HttpClient> ClientAsync(string user, string group)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Port}/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Add("X-Forwarded-User", user);
        http.DefaultRequestHeaders.Add("X-Forwarded-Groups", group);
        var token = await Eventually.WaitAsync(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"the dashboard exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                using var home = await http.GetAsync("/", TestContext.Current.CancellationToken);
                return home.IsSuccessStatusCode ? AntiforgeryForm.TokenIn(await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)) : null;
            }
            catch (HttpRequestException)
            {
                return null; // not listening yet
            }
        }, "the dashboard to answer", TimeSpan.FromMinutes(3));
        http.DefaultRequestHeaders.Add("X-CSRF-TOKEN", token);
        return http;
    }

    /// <summary>
    /// The settings of one replica of several: the PostgreSQL store at <paramref name="connectionString"/>,
    /// its own name (in the leader Lease and the remediation Lease), short leader-election timings, and
    /// the audit checkpoint key every replica shares.
    /// </summary>
    public static Dictionary<string, string> ReplicaSettings(string identity, string connectionString, string checkpointKeyFile, TimeSpan leaseDuration) => new()
    {
        ["Dashboard__Store__Provider"] = "postgres",
        ["Dashboard__Store__ConnectionString"] = connectionString,
        ["Dashboard__Remediation__Identity"] = identity,
        ["Dashboard__Leadership__LeaseDuration"] = leaseDuration.ToString("c", CultureInfo.InvariantCulture),
        ["Dashboard__Leadership__RenewDeadline"] = (leaseDuration * 2 / 3).ToString("c", CultureInfo.InvariantCulture),
        ["Dashboard__Leadership__RetryPeriod"] = (leaseDuration / 6).ToString("c", CultureInfo.InvariantCulture),
        ["Dashboard__Audit__Checkpoint__KeyFile"] = checkpointKeyFile,
    };

    /// <summary>Who leads, as this replica says in <c>/readyz</c>; null while it does not answer.</summary>
    public async Task<(string Replica, string Leader, bool IsLeader)?> LeadershipAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync("/readyz", TestContext.Current.CancellationToken);
            using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var data = body.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "leadership").GetProperty("data");
            return (data.GetProperty("replica").GetString()!, data.GetProperty("leader").GetString()!, data.GetProperty("isLeader").GetBoolean());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>True once the process ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no shutdown, no flush, nothing finished.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
