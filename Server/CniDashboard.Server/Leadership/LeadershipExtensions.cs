using CniDashboard.Server.Feed;
using CniDashboard.Server.Fleet;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Leadership;

/// <summary>DI wiring for running as several replicas: the election, and the change feed between replicas.</summary>
public static class LeadershipExtensions
{
    /// <summary>
    /// The leader election (<see cref="ReplicaLeadership"/>), the store's loader, and the change feed
    /// between replicas (<see cref="StoreChangeNotifier"/>, <see cref="StoreChangeListener"/>). Call
    /// before the store initializer is registered: the listener listens before the store is loaded.
    /// </summary>
    public static IServiceCollection AddCniDashboardReplicas(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LeadershipOptions>()
            .Bind(configuration.GetSection(LeadershipOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LeadershipOptions>, LeadershipOptionsValidator>();
        services.AddSingleton<ReplicaLeadership>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaLeadership>());
        services.AddSingleton<FleetLoader>();
        services.AddSingleton<StoreChangeNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreChangeNotifier>());
        services.AddSingleton<ReplicatedChangePublisher>();
        services.AddSingleton<StoreChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreChangeListener>());
        return services;
    }

    /// <summary>Registers <typeparamref name="T"/> (already a singleton) as a hosted service that runs only while this replica leads.</summary>
    public static IServiceCollection AddLeaderOnly<T>(this IServiceCollection services) where T : class, IHostedService
    {
        services.AddSingleton<LeaderOnlyService<T>>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderOnlyService<T>>());
        return services;
    }
}
