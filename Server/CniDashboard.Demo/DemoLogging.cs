namespace CniDashboard.Demo;

/// <summary>The simulator's console log in demo mode: what it seeds, what its installers and kubelet do to nodes.</summary>
internal static class DemoLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(logging => logging
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .SetMinimumLevel(LogLevel.Warning)
        .AddFilter("CniDashboard.Simulator", LogLevel.Information)
        .AddFilter("CniDashboard.Agent", LogLevel.Information));
}
