using System.Text.Json;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Json;

namespace CniDashboard.Agent.Analyze;

/// <summary>
/// <c>analyze --dir PATH [--bin-dir PATH] [--context FILE] [--now ISO-8601] [--format text|json]</c>:
/// the dashboard's analyzer run offline over a node's CNI folder (a live one or a dump), for a person
/// at a terminal or a CI pipeline. The exit code says how bad it is (see <see cref="AnalyzeExitCodes"/>).
/// </summary>
public static class AnalyzeCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, TimeProvider.System);

    /// <summary>Runs the command with a clock (used when <c>--now</c> is not given).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var options = AnalyzeOptions.Parse(args, out var error);
        if (options is null)
        {
            stderr.WriteLine($"analyze: {error}");
            stderr.WriteLine(AnalyzeOptions.Usage);
            return AnalyzeExitCodes.Usage;
        }
        if (options.Help)
        {
            stdout.WriteLine(AnalyzeOptions.Usage);
            return AnalyzeExitCodes.Clean;
        }

        IReadOnlyList<CniFolderFile> files;
        try
        {
            files = CniFolderReader.Read(options.Dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            stderr.WriteLine($"analyze: cannot read CNI folder {options.Dir}: {Reason(ex)}");
            return AnalyzeExitCodes.Unreadable;
        }

        IReadOnlyList<PluginBinary>? binaries = null;
        if (options.BinDir is { } binDir)
        {
            try
            {
                binaries = CniBinReader.Read(binDir, hash: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                stderr.WriteLine($"analyze: cannot read CNI bin folder {binDir}: {Reason(ex)}");
                return AnalyzeExitCodes.Unreadable;
            }
        }

        NodeClusterContext? context = null;
        if (options.ContextFile is { } contextFile)
        {
            var code = ReadContext(contextFile, stderr, out context);
            if (code != 0) return code;
        }

        var now = options.Now ?? time.GetUtcNow();
        var report = CniAnalyzer.Default.Analyze(files, binaries, context, now, options.HostCniDir);

        if (options.Format == AnalyzeFormat.Json)
            stdout.WriteLine(JsonSerializer.Serialize(report, CniJsonContext.Default.AnalysisReport));
        else
            TextReport.Write(stdout, options, report, now);

        return ExitCodeOf(report);
    }

    /// <summary>0 when nothing is above info, 1 for warnings, 2 for critical findings.</summary>
    public static int ExitCodeOf(AnalysisReport report) => report.Worst switch
    {
        Severity.Critical => AnalyzeExitCodes.Critical,
        Severity.Warning => AnalyzeExitCodes.Warnings,
        _ => AnalyzeExitCodes.Clean,
    };

    private static int ReadContext(string path, TextWriter stderr, out NodeClusterContext? context)
    {
        context = null;
        string json;
        try
        {
            var info = new FileInfo(path);
            // A context is a few kilobytes; refuse anything that could only be a mistake.
            if (info.Exists && info.Length > 16 * 1024 * 1024)
            {
                stderr.WriteLine($"analyze: context file {path} is larger than 16 MiB");
                return AnalyzeExitCodes.Usage;
            }
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            stderr.WriteLine($"analyze: cannot read context file {path}: {Reason(ex)}");
            return AnalyzeExitCodes.Unreadable;
        }

        try
        {
            context = JsonSerializer.Deserialize(json, CniJsonContext.Default.NodeClusterContext);
            if (context is null)
            {
                stderr.WriteLine($"analyze: context file {path} holds null, not an object");
                return AnalyzeExitCodes.Usage;
            }
            return 0;
        }
        catch (JsonException ex)
        {
            var at = ex.LineNumber is { } line ? $" (line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1})" : "";
            stderr.WriteLine($"analyze: context file {path} is not valid context JSON{at}: {FirstSentence(ex.Message)}");
            return AnalyzeExitCodes.Usage;
        }
    }

    private static string Reason(Exception ex) => ex switch
    {
        DirectoryNotFoundException => "no such directory",
        FileNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => ex.Message,
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
