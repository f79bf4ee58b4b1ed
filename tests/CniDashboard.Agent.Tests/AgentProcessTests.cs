using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CniDashboard.Agent.Tests.Support;

namespace CniDashboard.Agent.Tests;

/// <summary>The agent as a node runs it: its own process, logging to stdout, stopped by the kubelet's SIGTERM.</summary>
public sealed class AgentProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Logs_are_json_lines_on_stdout_and_SIGTERM_stops_the_agent_cleanly()
    {
        using var node = new TempNode("incident");
        var port = ChildAgent.FreePort();
        var lines = new ConcurrentQueue<string>();
        using var agent = ChildAgent.Start(node, port, "process-node", onLine: lines.Enqueue);
        try
        {
            using var http = ChildAgent.Client(port);
            await ChildAgent.WaitUntilAsync(() => Task.FromResult(lines.Any(l => l.Contains("serving node process-node", StringComparison.Ordinal))), agent, Ct);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/snapshot", Ct)).StatusCode);

            await ChildAgent.TerminateAsync(agent, Ct);
            await agent.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.Equal(0, agent.ExitCode);
        }
        finally
        {
            if (!agent.HasExited) agent.Kill();
        }
        agent.WaitForExit(); // drains the redirected output

        var records = lines.Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        var started = Assert.Single(records, r => r.GetProperty("EventId").GetInt32() == 9 && r.GetProperty("Category").GetString() == "CniDashboard.Agent.Node.NodeAgent");
        Assert.Equal("process-node", started.GetProperty("State").GetProperty("Node").GetString());
        Assert.Equal("static", started.GetProperty("State").GetProperty("AuthMode").GetString());
        Assert.Contains(records, r => r.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime"
            && r.GetProperty("Message").GetString() == "Application is shutting down...");
        // The framework's own chatter stays at warnings, and the kubeconfig's token appears nowhere.
        Assert.DoesNotContain(records, r => r.GetProperty("Category").GetString()!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            && r.GetProperty("LogLevel").GetString() is "Information" or "Debug" or "Trace");
        Assert.All(lines, l => Assert.DoesNotContain(TempNode.ReferenceTokenSignature, l, StringComparison.Ordinal));
    }
}
