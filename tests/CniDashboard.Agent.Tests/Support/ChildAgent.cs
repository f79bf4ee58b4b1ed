using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CniDashboard.Agent.Tests.Support;

/// <summary>What tests that run the agent as a child process share: starting it, a free port, waiting on it with a deadline, SIGTERM.</summary>
internal static class ChildAgent
{
    /// <summary>The shipped agent.</summary>
    public const string Shipped = "cni-dashboard-agent.dll";

    /// <summary>The test-only build of the agent's host that pauses every write before its rename (tests/CniDashboard.Agent.FaultHost).</summary>
    public const string FaultHost = "cni-dashboard-agent-faulthost.dll";

    /// <summary>
    /// Starts <paramref name="assembly"/> on <paramref name="node"/>'s folders, on 127.0.0.1:<paramref name="port"/>,
    /// static auth with the node's token, plain HTTP. Every output line goes to <paramref name="onLine"/> (stderr's prefixed <c>stderr: </c>).
    /// </summary>
    public static Process Start(TempNode node, int port, string nodeName, string assembly = Shipped, IEnumerable<string>? leadingArgs = null,
        IReadOnlyDictionary<string, string>? environment = null, Action<string>? onLine = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var arg in leadingArgs ?? []) start.ArgumentList.Add(arg);
        foreach (var arg in new[]
        {
            "--cni-dir", node.CniDir, "--bin-dir", node.BinDir, "--backup-dir", node.BackupDir, "--listen", $"127.0.0.1:{port}",
            "--node-name", nodeName, "--auth-mode", "static", "--token-file", node.TokenFile,
        })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine?.Invoke(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine?.Invoke("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A client of the child agent on <paramref name="port"/> with the node token.</summary>
    public static HttpClient Client(int port, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TempNode.Token);
        return http;
    }

    /// <summary>True once <c>/healthz</c> answers 200.</summary>
    public static async Task<bool> HealthyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("/healthz", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Sends SIGTERM, as the kubelet does to stop a pod.</summary>
    public static async Task TerminateAsync(Process agent, CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", ["-TERM", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(cancellationToken);
    }

    /// <summary>A loopback port free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing if the agent exits first or 30 s pass.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Process agent, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.False(agent.HasExited, "the agent exited early");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "condition not met within 30 s");
            await Task.Delay(20, cancellationToken);
        }
    }
}
