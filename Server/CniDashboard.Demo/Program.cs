using CniDashboard.Demo;
using CniDashboard.Server;
using CniDashboard.Server.Cluster;
using Microsoft.Extensions.Options;

// dotnet run --project Server/CniDashboard.Demo [-- --demo-nodes N --port P --data-dir D] [--clusters N --demo-postgres CONNECTION-STRING]
// The simulated cluster and the demo's sign-in provider, then the dashboard pointed at both.
try
{
    if (DemoBench.IsRequested(args)) return await DemoBench.RunAsync(args, Console.Out);
    await using var demo = await DemoMode.StartAsync(args, Console.Out);
    var app = DashboardWebApplication.Build(DashboardWebApplication.CreateBuilder(demo.DashboardArgs, demo.Configure));
    await app.RunAsync();
    return 0;
}
catch (DemoException ex)
{
    await Console.Error.WriteLineAsync($"cni-dashboard-demo: {ex.Message}");
    return 2;
}
catch (KubernetesConfigurationMissingException ex)
{
    await Console.Error.WriteLineAsync($"cni-dashboard-demo: {ex.Message}");
    return 2;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"cni-dashboard-demo: invalid configuration: {string.Join(" ", ex.Failures)}");
    return 2;
}
