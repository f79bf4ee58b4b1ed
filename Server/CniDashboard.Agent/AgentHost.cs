namespace CniDashboard.Agent;

/// <summary>Builds and runs the agent's web host.</summary>
public static class AgentHost
{
    /// <summary>Runs until shutdown; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        await app.RunAsync();
        return 0;
    }
}
