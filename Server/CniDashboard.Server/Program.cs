using CniDashboard.Server;
using CniDashboard.Server.Cluster;
using Microsoft.Extensions.Options;

try
{
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
