using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the dashboard's pages need besides the data services the host provides.</summary>
public static class CniDashboardUiExtensions
{
    /// <summary>
    /// Adds MudBlazor's services and a <see cref="TimeProvider"/> (when none is registered). The host
    /// must also register <c>IDashboardQueries</c>, <c>IClusterChangeFeed</c>, <c>IAuditQueries</c> and <c>IRuntimeSettings</c>, call
    /// <c>AddRazorComponents().AddInteractiveServerComponents()</c>, and map
    /// <c>MapRazorComponents&lt;App&gt;().AddInteractiveServerRenderMode()</c>.
    /// </summary>
    public static IServiceCollection AddCniDashboardUi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMudServices();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
