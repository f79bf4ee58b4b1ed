using System.Reflection;

namespace CniDashboard.Agent;

/// <summary>Facts about this build of the agent.</summary>
public static class AgentInfo
{
    /// <summary>The informational version (without source-link metadata).</summary>
    public static string Version { get; } = ReadVersion();

    private static string ReadVersion()
    {
        var version = typeof(AgentInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
