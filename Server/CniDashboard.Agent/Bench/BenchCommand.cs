using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CniDashboard.Agent.Bench;

/// <summary>
/// <c>bench [--files 10] [--requests 5000] [--auth-mode static|tokenreview] [--tls on|off] [--profile-with "CMD ARGS"]</c>:
/// starts this agent binary as a child on a temp folder, then measures its idle RSS and the latency
/// of <c>GET /v1/snapshot</c> (200 and 304) over loopback. Prints a Markdown table for
/// <c>docs/performance.md</c>. With <c>--tls on</c> (the default, as deployed) the child serves TLS
/// with an ECDSA P-256 certificate for the agents' fixed name under a throw-away CA, as the chart
/// makes them, and the client verifies it as the dashboard does. In mode <c>tokenreview</c> the child
/// checks the bench's token with a stand-in API server over real TLS, with <c>SSL_CERT_FILE</c> set to
/// that server's CA as the DaemonSet sets it to the cluster CA. With <c>--profile-with</c> the
/// child runs under that command (e.g. valgrind's callgrind) through the same warm-up and idle wait
/// and is then stopped with SIGTERM; nothing is measured (see <c>Layout/README.md</c>).
/// </summary>
public static class BenchCommand
{
    private const string Token = "bench-static-token";

    /// <summary>How long the agent idles after the warm-up before its RSS is read (or its profile ends).</summary>
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(3);

    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var files = IntFlag(args, "--files", 10);
        var requests = IntFlag(args, "--requests", 5000);
        var authMode = StringFlag(args, "--auth-mode") ?? "static";
        var tlsFlag = StringFlag(args, "--tls") ?? "on";
        var profileWith = StringFlag(args, "--profile-with")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (files < 3 || requests < 100 || authMode is not ("static" or "tokenreview") || tlsFlag is not ("on" or "off") || profileWith is { Length: 0 })
        {
            await stderr.WriteLineAsync("bench: --files must be at least 3, --requests at least 100, --auth-mode static or tokenreview, --tls on or off, --profile-with a command");
            return 2;
        }
        var tls = tlsFlag == "on";

        var root = Directory.CreateTempSubdirectory("cni-agent-bench-").FullName;
        Process? agent = null;
        BenchApiServer? api = null;
        try
        {
            var cni = Path.Combine(root, "net.d");
            BenchFolder.Create(cni, Path.Combine(root, "bin"), files);
            var tokenFile = Path.Combine(root, "token");
            await File.WriteAllTextAsync(tokenFile, Token, cancellationToken);
            var port = FreePort();

            var agentArgs = new List<string>
            {
                "--cni-dir", cni, "--bin-dir", Path.Combine(root, "bin"), "--backup-dir", Path.Combine(root, "backups"),
                "--listen", $"127.0.0.1:{port}", "--node-name", "bench-node",
            };
            using var agentCa = tls ? BenchCertificates.WriteAgentPair(root) : null;
            if (agentCa is not null)
            {
                agentArgs.AddRange(["--tls-cert", Path.Combine(root, "tls.crt"), "--tls-key", Path.Combine(root, "tls.key")]);
            }
            else if (authMode == "tokenreview")
            {
                agentArgs.Add("--allow-insecure-http");
            }
            if (authMode == "static")
            {
                agentArgs.AddRange(["--auth-mode", "static", "--token-file", tokenFile]);
            }
            else
            {
                api = BenchApiServer.Start(root, Token);
                var ownToken = Path.Combine(root, "agent-sa-token");
                await File.WriteAllTextAsync(ownToken, "bench-agent-serviceaccount-token", cancellationToken);
                agentArgs.AddRange(["--auth-mode", "tokenreview", "--kube-api", api.Address.ToString(), "--kube-ca", api.CaFile, "--kube-token-file", ownToken]);
            }
            // As the DaemonSet runs it: the only roots are the cluster CA's (the system bundle never loads).
            var environment = api is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["SSL_CERT_FILE"] = api.CaFile, ["SSL_CERT_DIR"] = "/nonexistent" };
            agent = StartAgent(agentArgs, environment, profileWith, profileWith is null ? null : stderr);

            using var http = new HttpClient(BenchCertificates.ClientHandler(agentCa)) { BaseAddress = new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            await WaitHealthyAsync(http, agent, profileWith is null ? TimeSpan.FromSeconds(30) : TimeSpan.FromMinutes(5), cancellationToken);

            if (profileWith is not null) await WaitAuthorizedAsync(http, cancellationToken);
            var etag = await WarmUpAsync(http, cancellationToken);
            // Let the process settle: this is what "idle" means here. A profiled agent idles as long
            // too, so what runs then (timers, the heartbeat, connections closing) is laid out hot.
            await Task.Delay(IdleWait, cancellationToken);
            if (profileWith is not null)
            {
                await StopAsync(agent, cancellationToken);
                await stdout.WriteLineAsync($"bench: profiled the {authMode} warm-up under '{string.Join(' ', profileWith)}'; the agent exited with {agent.ExitCode}");
                return agent.ExitCode == 0 ? 0 : 1;
            }
            var idleRss = RssKiB(agent.Id);

            var full = await MeasureAsync(http, null, HttpStatusCode.OK, requests, cancellationToken);
            var notModified = await MeasureAsync(http, etag, HttpStatusCode.NotModified, requests, cancellationToken);
            var afterRss = RssKiB(agent.Id);
            // As the poller asks: a new connection (and, with TLS, a full handshake) for each conditional GET.
            var polls = await MeasureAsync(http, etag, HttpStatusCode.NotModified, Math.Min(requests, 1000), cancellationToken, newConnection: true);
            var afterPollsRss = RssKiB(agent.Id);
            var changes = await MeasureChangeVisibleAsync(http, cni, etag, cancellationToken);

            await stdout.WriteLineAsync($"| measure ({files}-file folder, auth {authMode}, {(tls ? "TLS" : "plain HTTP")}, {requests} sequential requests each, loopback, keep-alive) | value |");
            await stdout.WriteLineAsync("| --- | --- |");
            await stdout.WriteLineAsync($"| idle RSS after warm-up | {Mib(idleRss)} MiB |");
            await stdout.WriteLineAsync($"| RSS after the measured requests | {Mib(afterRss)} MiB |");
            await stdout.WriteLineAsync($"| GET /v1/snapshot 200 p50 / p99 | {Ms(full, 0.50)} / {Ms(full, 0.99)} ms |");
            await stdout.WriteLineAsync($"| GET /v1/snapshot 304 (If-None-Match) p50 / p99 | {Ms(notModified, 0.50)} / {Ms(notModified, 0.99)} ms |");
            await stdout.WriteLineAsync($"| connect{(tls ? " + TLS handshake" : "")} + GET 304, a new connection each ({polls.Length}, as the poller polls) p50 / p99 | {Ms(polls, 0.50)} / {Ms(polls, 0.99)} ms |");
            await stdout.WriteLineAsync($"| RSS after those {polls.Length} connections | {Mib(afterPollsRss)} MiB |");
            await stdout.WriteLineAsync($"| file written → new ETag served (inotify + rebuild), {changes.Length} changes, p50 / p99 | {Ms(changes, 0.50)} / {Ms(changes, 0.99)} ms |");
            if (api is not null) await stdout.WriteLineAsync($"| TokenReviews made (answers cached ≤ 60 s) | {api.Reviews} |");
            return 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            await stderr.WriteLineAsync($"bench: {ex.Message}");
            return 1;
        }
        finally
        {
            if (agent is { HasExited: false })
            {
                agent.Kill(entireProcessTree: true);
                await agent.WaitForExitAsync(CancellationToken.None);
            }
            agent?.Dispose();
            if (api is not null) await api.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Starts the agent (under <paramref name="profileWith"/> when given); its output goes to <paramref name="echo"/> or nowhere.</summary>
    private static Process StartAgent(List<string> agentArgs, Dictionary<string, string> environment, string[]? profileWith, TextWriter? echo)
    {
        var self = Environment.ProcessPath ?? "cni-dashboard-agent";
        var start = new ProcessStartInfo(profileWith?[0] ?? self) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        foreach (var arg in profileWith?.Skip(1) ?? []) start.ArgumentList.Add(arg);
        if (profileWith is not null) start.ArgumentList.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cni-dashboard-agent.dll"));
        foreach (var arg in agentArgs) start.ArgumentList.Add(arg);
        var agent = Process.Start(start) ?? throw new InvalidOperationException("could not start the agent");
        var output = echo is null ? null : TextWriter.Synchronized(echo);
        agent.OutputDataReceived += (_, e) => { if (e.Data is not null) output?.WriteLine(e.Data); };
        agent.ErrorDataReceived += (_, e) => { if (e.Data is not null) output?.WriteLine(e.Data); };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        return agent;
    }

    /// <summary>SIGTERM, as the kubelet stops a pod, so a profiler wrapping the agent writes its output.</summary>
    private static async Task StopAsync(Process agent, CancellationToken cancellationToken)
    {
        using (var kill = Process.Start("kill", ["-TERM", agent.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync(cancellationToken);
        await agent.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
    }

    private static async Task WaitHealthyAsync(HttpClient http, Process agent, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (agent.HasExited) throw new InvalidOperationException($"the agent exited with code {agent.ExitCode}");
            try
            {
                using var response = await http.GetAsync("/healthz", cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException($"the agent did not become healthy within {timeout.TotalSeconds:0} s");
    }

    /// <summary>
    /// Under a profiler the first TokenReview can outlast its 5 s timeout (503, not cached): ask
    /// again until one gets through, so the profile holds the whole authenticated path.
    /// </summary>
    private static async Task WaitAuthorizedAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync("/v1/snapshot", cancellationToken);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                response.EnsureSuccessStatusCode();
                return;
            }
        }
    }

    private static async Task<string> WarmUpAsync(HttpClient http, CancellationToken cancellationToken)
    {
        string etag = "";
        for (var i = 0; i < 500; i++)
        {
            using var response = await http.GetAsync("/v1/snapshot", cancellationToken);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            etag = response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("no ETag on the snapshot");
        }
        for (var i = 0; i < 500; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            using var response = await http.SendAsync(request, cancellationToken);
        }
        return etag;
    }

    private static async Task<double[]> MeasureAsync(HttpClient http, string? etag, HttpStatusCode expected, int count, CancellationToken cancellationToken, bool newConnection = false)
    {
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
            if (etag is not null) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            if (newConnection) request.Headers.ConnectionClose = true;
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != expected) throw new InvalidOperationException($"expected {(int)expected}, got {(int)response.StatusCode}");
        }
        Array.Sort(samples);
        return samples;
    }

    /// <summary>Rewrites one file and polls until the snapshot's ETag changes: what a poller sees after a node edit.</summary>
    private static async Task<double[]> MeasureChangeVisibleAsync(HttpClient http, string cniDir, string etag, CancellationToken cancellationToken)
    {
        const int Changes = 100;
        var target = Directory.GetFiles(cniDir).Order(StringComparer.Ordinal).Last();
        var original = await File.ReadAllTextAsync(target, cancellationToken);
        var samples = new double[Changes];
        for (var i = 0; i < Changes; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await File.WriteAllTextAsync(target, i % 2 == 0 ? original + " " : original, cancellationToken);
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
                request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    etag = response.Headers.ETag?.ToString() ?? etag;
                    break;
                }
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(5)) throw new TimeoutException("a file change was not visible within 5 s");
            }
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(samples);
        return samples;
    }

    private static long RssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException("VmRSS not found");
    }

    private static string Mib(long kib) => (kib / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ms(double[] sorted, double quantile) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)].ToString("0.000", CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? StringFlag(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntFlag(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
