// One executable, two jobs: `analyze` checks a folder offline; anything else runs the agent.
if (args.Length > 0 && args[0] == "analyze")
{
    return CniDashboard.Agent.Analyze.AnalyzeCommand.Run(args[1..], Console.Out, Console.Error);
}

return await CniDashboard.Agent.AgentHost.RunAsync(args);
