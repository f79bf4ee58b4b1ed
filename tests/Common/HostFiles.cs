using System.Diagnostics;

namespace CniDashboard.Tests.Common;

/// <summary>File-system objects .NET has no API for, made with the host's own tools (linked into the test projects that need them).</summary>
internal static class HostFiles
{
    /// <summary>A named pipe (<c>mkfifo</c>): opening it for reading blocks until a writer appears.</summary>
    public static void MakeFifo(string path) => Run("mkfifo", path);

    /// <summary>A second name for an existing file (<c>ln</c>, no <c>-s</c>).</summary>
    public static void HardLink(string existing, string newName) => Run("ln", existing, newName);

    private static void Run(string tool, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed: {error}");
    }
}
