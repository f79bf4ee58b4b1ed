using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CniDashboard.Shared.Tests.GoCni;

/// <summary>What containerd's go-cni made of one folder (one JSON line of <c>gocni-load</c>).</summary>
internal sealed record GoCniResult
{
    [JsonPropertyName("case")] public required string Case { get; init; }
    [JsonPropertyName("primary")] public string Primary { get; init; } = "";
    [JsonPropertyName("primaryHex")] public string PrimaryHex { get; init; } = "";
    [JsonPropertyName("outcome")] public required string Outcome { get; init; }
    [JsonPropertyName("chain")] public IReadOnlyList<string> Chain { get; init; } = [];
    [JsonPropertyName("error")] public string? Error { get; init; }
}

/// <summary>
/// <c>main.go</c> beside this file, built against Debian's go-cni and libcni (GOPATH mode) into
/// <c>artifacts/gocni/</c> (not committed), and run once per batch of folders.
/// </summary>
internal sealed class GoCniProgram
{
    public const string InstallHint =
        "./test.sh installs them when missing (as it does chromium): apt-get install golang-go golang-github-containerd-go-cni-dev";

    private const string GoPath = "/usr/share/gocode";
    private const string GoCniSource = GoPath + "/src/github.com/containerd/go-cni/cni.go";

    private GoCniProgram(string executable) => Executable = executable;

    public string Executable { get; }

    /// <summary>The built program; builds it when it is missing or older than its source. Fails the test when Go or go-cni is missing.</summary>
    public static async Task<GoCniProgram> BuildAsync(CancellationToken cancellationToken)
    {
        var repo = RepositoryRoot();
        var source = Path.Combine(repo, "tests", "CniDashboard.Shared.Tests", "GoCni", "main.go");
        var outputDir = Path.Combine(repo, "artifacts", "gocni");
        var executable = Path.Combine(outputDir, "gocni-load");
        if (File.Exists(executable) && File.GetLastWriteTimeUtc(executable) >= File.GetLastWriteTimeUtc(source)) return new GoCniProgram(executable);

        var go = FindOnPath("go");
        if (go is null) Assert.Fail($"the Go toolchain (go) is not installed; {InstallHint}");
        Assert.True(File.Exists(GoCniSource), $"containerd's go-cni is not installed ({GoCniSource} is missing); {InstallHint}");

        Directory.CreateDirectory(outputDir);
        var start = new ProcessStartInfo(go, ["build", "-o", executable, source])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(source)!,
        };
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = GoPath;
        start.Environment["GOCACHE"] = Path.Combine(outputDir, "cache");
        start.Environment["GOFLAGS"] = "";
        using var build = Process.Start(start)!;
        var output = build.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = build.StandardError.ReadToEndAsync(cancellationToken);
        await build.WaitForExitAsync(cancellationToken);
        Assert.True(build.ExitCode == 0, $"go build of {source} failed: {await errors}{await output}");
        return new GoCniProgram(executable);
    }

    /// <summary>Loads every subfolder of <paramref name="root"/> as containerd would; by subfolder name.</summary>
    public async Task<IReadOnlyDictionary<string, GoCniResult>> LoadAllAsync(string root, CancellationToken cancellationToken)
    {
        using var run = Process.Start(new ProcessStartInfo(Executable, [root]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = run.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = run.StandardError.ReadToEndAsync(cancellationToken);
        await run.WaitForExitAsync(cancellationToken);
        Assert.True(run.ExitCode == 0, $"gocni-load {root} exited with {run.ExitCode}: {await stderr}");
        var results = new Dictionary<string, GoCniResult>(StringComparer.Ordinal);
        foreach (var line in (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var result = JsonSerializer.Deserialize<GoCniResult>(line)!;
            results[result.Case] = result;
        }
        return results;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CniDashboard.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no CniDashboard.sln above {AppContext.BaseDirectory}");
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
