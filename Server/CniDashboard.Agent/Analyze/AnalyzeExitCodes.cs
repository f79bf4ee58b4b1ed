namespace CniDashboard.Agent.Analyze;

/// <summary>Exit codes of <c>analyze</c> (the error codes follow sysexits.h).</summary>
public static class AnalyzeExitCodes
{
    /// <summary>No finding above info.</summary>
    public const int Clean = 0;

    /// <summary>The worst finding is a warning.</summary>
    public const int Warnings = 1;

    /// <summary>The worst finding is critical: pods on the node cannot get a network.</summary>
    public const int Critical = 2;

    /// <summary>Bad arguments (EX_USAGE), including a context file that is not valid JSON.</summary>
    public const int Usage = 64;

    /// <summary>The folder (or bin folder, or context file) cannot be read (EX_NOINPUT).</summary>
    public const int Unreadable = 66;
}
