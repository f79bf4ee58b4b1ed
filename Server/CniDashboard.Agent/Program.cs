// One executable, three jobs: `analyze` checks a folder offline, `bench` measures a published
// agent, anything else runs the agent.
if (args.Length > 0 && args[0] == "analyze")
{
    return CniDashboard.Agent.Analyze.AnalyzeCommand.Run(args[1..], Console.Out, Console.Error);
}

if (args.Length > 0 && args[0] == "bench")
{
    return await CniDashboard.Agent.Bench.BenchCommand.RunAsync(args[1..], Console.Out, Console.Error, CancellationToken.None);
}

return await CniDashboard.Agent.AgentHost.RunAsync(args);
