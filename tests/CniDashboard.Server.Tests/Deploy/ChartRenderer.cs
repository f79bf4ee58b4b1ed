using System.Diagnostics;

namespace CniDashboard.Server.Tests.Deploy;

/// <summary>
/// deploy/render-chart (Helm's template engine: Go text/template + sprig, built against Debian's Go
/// packages, which test.sh installs) built once per test run, and the repository's deploy paths.
/// </summary>
internal static class ChartRenderer
{
    private static readonly Lazy<string> Binary = new(Build);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ChartDir => Path.Combine(RepoRoot, "deploy", "helm", "cni-dashboard");

    public static string ManifestPath => Path.Combine(RepoRoot, "deploy", "manifests", "cni-dashboard.yaml");

    /// <summary>The chart rendered as <c>helm template cni-dashboard CHART --namespace NS ARGS…</c> would.</summary>
    public static string Render(string @namespace, params string[] args) =>
        Run(Binary.Value, ["--chart", ChartDir, "--namespace", @namespace, .. args], "render-chart");

    private static string Build()
    {
        var output = Path.Combine(Path.GetTempPath(), "cni-dashboard-tests", $"render-chart-{Environment.ProcessId}");
        Run("go", ["build", "-o", output, "./deploy/render-chart"], "go build ./deploy/render-chart (needs golang-go and golang-github-masterminds-sprig-dev, which test.sh installs)");
        return output;
    }

    private static string Run(string program, string[] args, string what)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Debian's Go packages live in GOPATH form; no module download happens.
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = "/usr/share/gocode";
        start.Environment["GOFLAGS"] = "";
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GOCACHE")))
            start.Environment["GOCACHE"] = Path.Combine(Path.GetTempPath(), "cni-dashboard-tests", "gocache");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{what}: could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what}: no answer in 3 minutes");
        }

        if (process.ExitCode != 0) throw new InvalidOperationException($"{what} exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CniDashboard.sln"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException($"no CniDashboard.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>The deploy tests run one class at a time: building the renderer and starting TLS agents at once starve each other on a small machine.</summary>
[CollectionDefinition(Name)]
public sealed class DeployCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "deploy";
}
