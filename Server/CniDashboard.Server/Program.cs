using CniDashboard.Server;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Cluster;
using Microsoft.Extensions.Options;

try
{
    if (AuditVerifyCommand.IsRequested(args)) return await AuditVerifyCommand.RunAsync(args[2..], Console.Out, Console.Error);
    var app = DashboardWebApplication.Build(DashboardWebApplication.CreateBuilder(args));
    await app.RunAsync();
    return 0;
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
