using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CniDashboard.Agent.Tests.Support;

/// <summary>What tests that run the agent as a child process share: a free port, and waiting on it with a deadline.</summary>
internal static class ChildAgent
{
    /// <summary>A loopback port free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing if the agent exits first or 30 s pass.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Process agent, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.False(agent.HasExited, "the agent exited early");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "condition not met within 30 s");
            await Task.Delay(20, cancellationToken);
        }
    }
}
