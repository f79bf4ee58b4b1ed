using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CniDashboard.Agent.Bench;

/// <summary>
/// <c>bench [--files 10] [--requests 5000]</c>: starts this agent binary as a child on a temp
/// folder, then measures its idle RSS and the latency of <c>GET /v1/snapshot</c> (200 and 304) over
/// loopback. Prints a Markdown table for <c>docs/performance.md</c>.
/// </summary>
public static class BenchCommand
{
    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var files = IntFlag(args, "--files", 10);
        var requests = IntFlag(args, "--requests", 5000);
        if (files < 3 || requests < 100)
        {
            await stderr.WriteLineAsync("bench: --files must be at least 3 and --requests at least 100");
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("cni-agent-bench-").FullName;
        Process? agent = null;
        try
        {
            var cni = Path.Combine(root, "net.d");
            BenchFolder.Create(cni, Path.Combine(root, "bin"), files);
            var tokenFile = Path.Combine(root, "token");
            const string Token = "bench-static-token";
            await File.WriteAllTextAsync(tokenFile, Token, cancellationToken);
            var port = FreePort();

            var start = new ProcessStartInfo(Environment.ProcessPath ?? "cni-dashboard-agent") { RedirectStandardOutput = true, RedirectStandardError = true };
            if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
                start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cni-dashboard-agent.dll"));
            foreach (var arg in new[]
            {
                "--cni-dir", cni, "--bin-dir", Path.Combine(root, "bin"), "--backup-dir", Path.Combine(root, "backups"),
                "--listen", $"127.0.0.1:{port}", "--node-name", "bench-node", "--auth-mode", "static", "--token-file", tokenFile,
            })
            {
                start.ArgumentList.Add(arg);
            }
            agent = Process.Start(start) ?? throw new InvalidOperationException("could not start the agent");
            agent.OutputDataReceived += (_, _) => { };
            agent.ErrorDataReceived += (_, _) => { };
            agent.BeginOutputReadLine();
            agent.BeginErrorReadLine();

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            await WaitHealthyAsync(http, agent, cancellationToken);

            var etag = await WarmUpAsync(http, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken); // let the process settle: this is what "idle" means here
            var idleRss = RssKiB(agent.Id);

            var full = await MeasureAsync(http, null, HttpStatusCode.OK, requests, cancellationToken);
            var notModified = await MeasureAsync(http, etag, HttpStatusCode.NotModified, requests, cancellationToken);
            var afterRss = RssKiB(agent.Id);
            var changes = await MeasureChangeVisibleAsync(http, cni, etag, cancellationToken);

            await stdout.WriteLineAsync($"| measure ({files}-file folder, {requests} sequential requests each, loopback, keep-alive) | value |");
            await stdout.WriteLineAsync("| --- | --- |");
            await stdout.WriteLineAsync($"| idle RSS after warm-up | {Mib(idleRss)} MiB |");
            await stdout.WriteLineAsync($"| RSS after the measured requests | {Mib(afterRss)} MiB |");
            await stdout.WriteLineAsync($"| GET /v1/snapshot 200 p50 / p99 | {Ms(full, 0.50)} / {Ms(full, 0.99)} ms |");
            await stdout.WriteLineAsync($"| GET /v1/snapshot 304 (If-None-Match) p50 / p99 | {Ms(notModified, 0.50)} / {Ms(notModified, 0.99)} ms |");
            await stdout.WriteLineAsync($"| file written → new ETag served (inotify + rebuild), {changes.Length} changes, p50 / p99 | {Ms(changes, 0.50)} / {Ms(changes, 0.99)} ms |");
            return 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or TimeoutException)
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
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task WaitHealthyAsync(HttpClient http, Process agent, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
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
        throw new TimeoutException("the agent did not become healthy within 30 s");
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

    private static async Task<double[]> MeasureAsync(HttpClient http, string? etag, HttpStatusCode expected, int count, CancellationToken cancellationToken)
    {
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
            if (etag is not null) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
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

    private static int IntFlag(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
