using CniDashboard.Agent;
using CniDashboard.Agent.Node;

// cni-dashboard-agent-faulthost --pause-before-rename SIGNAL_FILE <agent flags>
// The real agent host, except that every write stops after its temp file is flushed and before the
// rename, writes the temp file's path to SIGNAL_FILE and waits: a test then kills the process there.
if (args.Length < 2 || args[0] != "--pause-before-rename")
{
    await Console.Error.WriteLineAsync("usage: cni-dashboard-agent-faulthost --pause-before-rename SIGNAL_FILE <agent flags>");
    return 64;
}

var signalFile = args[1];
var hooks = new AtomicWriteHooks
{
    BeforeRename = async (temp, cancellationToken) =>
    {
        await File.WriteAllTextAsync(signalFile, temp, cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    },
};
return await AgentHost.RunAsync(args[2..], Environment.GetEnvironmentVariable, Console.Error, hooks, CancellationToken.None);
