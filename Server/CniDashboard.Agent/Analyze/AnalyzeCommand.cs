namespace CniDashboard.Agent.Analyze;

/// <summary><c>analyze --dir PATH [--bin-dir PATH] [--context FILE] [--now ISO-8601] [--format text|json]</c>.</summary>
public static class AnalyzeCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine($"analyze: not available in this build ({args.Length} arguments ignored)");
        return 64;
    }
}
