using CniDashboard.Server;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Demo;
using Microsoft.Extensions.Options;

try
{
    if (AuditVerifyCommand.IsRequested(args)) return await AuditVerifyCommand.RunAsync(args[2..], Console.Out, Console.Error);
    // --demo: start the simulated cluster and point the dashboard at it; nothing else knows about it.
    if (DemoBench.IsRequested(args)) return await DemoBench.RunAsync(args, Console.Out);
    await using var demo = DemoMode.IsRequested(args) ? await DemoMode.StartAsync(args, Console.Out) : null;
    var app = DashboardWebApplication.Build(DashboardWebApplication.CreateBuilder(demo?.DashboardArgs ?? args, demo is null ? null : demo.Configure));
    await app.RunAsync();
    return 0;
}
catch (DemoException ex)
{
    await Console.Error.WriteLineAsync($"cni-dashboard: {ex.Message}");
    return 2;
}
catch (KubernetesConfigurationMissingException ex)
{
    await Console.Error.WriteLineAsync($"cni-dashboard: {ex.Message}");
    return 2;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"cni-dashboard: invalid configuration: {string.Join(" ", ex.Failures)}");
    return 2;
}
