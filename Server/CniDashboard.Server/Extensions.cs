using CniDashboard.Server.Analysis;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Feed;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Health;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Leadership;
using CniDashboard.Server.Options;
using CniDashboard.Server.Polling;
using CniDashboard.Server.Queries;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Server.Settings;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Settings;
using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server;

/// <summary>The dashboard backend's DI wiring, in one place.</summary>
public static class Extensions
{
    /// <summary>Options, store, cluster watcher, agent poller, analysis, read model and change feed.</summary>
    public static IServiceCollection AddCniDashboardBackend(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>()
            .Bind(configuration.GetSection(DashboardOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        // Store: one connection per call on the configured engine, repositories beside their interfaces.
        services.AddSingleton<IStoreConnectionFactory>(sp => sp.GetRequiredService<IOptions<DashboardOptions>>().Value.Store.Provider switch
        {
            StoreProvider.Postgres => ActivatorUtilities.CreateInstance<PostgresConnectionFactory>(sp),
            _ => ActivatorUtilities.CreateInstance<SqliteConnectionFactory>(sp),
        });
        // Code written for the SQLite file alone still resolves it, and fails loudly on PostgreSQL rather than write elsewhere.
        services.AddSingleton(sp => sp.GetRequiredService<IStoreConnectionFactory>() as SqliteConnectionFactory
            ?? throw new InvalidOperationException("The store is PostgreSQL (Dashboard:Store:Provider); use IStoreConnectionFactory, not SqliteConnectionFactory."));
        services.AddSingleton<StoreMigrator>();
        // The cluster this process collects: every repository below reads and writes its rows only.
        services.AddSingleton(sp => new StoreCluster(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.Cluster.Id));
        services.AddSingleton<ISnapshotRepository, SnapshotRepository>();
        services.AddSingleton<INodeRepository, NodeRepository>();
        services.AddSingleton<IFindingRepository, FindingRepository>();
        services.AddSingleton<ISandboxEventRepository, SandboxEventRepository>();
        services.AddSingleton<IRetentionRepository, RetentionRepository>();

        // In-memory state kept in step with the store and the watches.
        services.AddSingleton<FleetState>();
        services.AddSingleton<MemoryTrimmer>();
        services.AddSingleton<SandboxActivity>();
        services.AddSingleton<ClusterState>();
        services.AddSingleton<WatchHealthRegistry>();
        services.AddSingleton<PollerStatus>();
        services.AddSingleton<ClusterChangeFeed>();
        services.AddSingleton<IClusterChangeFeed>(sp => sp.GetRequiredService<ClusterChangeFeed>());
        services.AddSingleton<IChangePublisher>(sp => sp.GetRequiredService<ReplicatedChangePublisher>());

        // Analysis: the shared analyzer, one factory.
        services.AddSingleton(_ => AnalyzerFactory.Create());
        services.AddSingleton<NodeGroupBaselines>();
        services.AddSingleton<NodeContextBuilder>();
        services.AddSingleton<NodeAnalysisService>();
        services.AddSingleton<SandboxLinker>();
        services.AddSingleton<SnapshotIngestor>();

        // Kubernetes: only through KubernetesClient.
        services.AddSingleton<IKubernetes>(sp => new k8s.Kubernetes(KubernetesConfigLoader.Load(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.Kubernetes)));

        services.AddSingleton<AgentClient>();
        services.AddSingleton<AgentFileClient>();
        services.AddSingleton<AgentTokenSource>();

        // Background work; the store initializer first, so everything after it sees a loaded store.
        // Replicas: the election, and other replicas' changes (listening before the store is loaded).
        services.AddCniDashboardReplicas(configuration);
        services.AddSingleton<StoreInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreInitializer>());
        services.AddSingleton<AnalysisScheduler>();
        services.AddLeaderOnly<AnalysisScheduler>();
        services.AddSingleton<SandboxEventRecorder>();
        services.AddLeaderOnly<SandboxEventRecorder>();
        services.AddSingleton<SandboxEventWatcher>();
        services.AddLeaderOnly<SandboxEventWatcher>();
        services.AddSingleton<ClusterWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterWatcher>());
        services.AddSingleton<AgentPoller>();
        services.AddLeaderOnly<AgentPoller>();
        services.AddSingleton<AnnouncementFreshness>();
        services.AddSingleton<AnnouncementFetcher>();
        services.AddLeaderOnly<AnnouncementFetcher>();
        services.AddSingleton<RetentionService>();
        services.AddLeaderOnly<RetentionService>();
        services.AddSingleton<ClusterEventRouter>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterEventRouter>());
        services.AddCniDashboardAudit();
        services.AddCniDashboardRemediation(configuration);

        // Read model for the UI and the API.
        services.AddSingleton<NodeSummaries>();
        services.AddSingleton<FolderDiffer>();
        services.AddSingleton<DashboardQueries>();
        services.AddSingleton<IDashboardQueries>(sp => sp.GetRequiredService<DashboardQueries>());
        // The fleet: every cluster whose collector writes into the same store (issue 14).
        services.AddSingleton<FleetRepository>();
        services.AddSingleton<FleetQueries>();
        services.AddSingleton<IFleetQueries>(sp => sp.GetRequiredService<FleetQueries>());
        services.AddDashboardHealthChecks();
        return services;
    }

    /// <summary>
    /// The audit log (append, read, verify, export), its signed checkpoints in the cluster, the
    /// run-time settings, and an anonymous Viewer as <see cref="ICurrentUser"/> for a backend built
    /// without sign-in (sign-in's own replaces it).
    /// </summary>
    public static IServiceCollection AddCniDashboardAudit(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<DashboardOptions>, AuditOptionsValidator>();
        services.AddHttpContextAccessor();
        services.TryAddSingleton<ICurrentUser, AnonymousCurrentUser>();

        services.AddSingleton<AuditLogRepository>();
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLogRepository>());
        services.AddSingleton<IAuditReader>(sp => sp.GetRequiredService<AuditLogRepository>());
        services.AddSingleton<AuditCheckpointSigner>();
        services.AddSingleton<AuditCheckpointGate>();
        services.AddSingleton<IAuditCheckpointStore, ConfigMapCheckpointStore>();
        services.AddSingleton<AuditVerifier>();
        // Scoped (per request, per circuit): they ask ICurrentUser who is acting, which sign-in resolves per scope.
        services.AddScoped<AuditQueries>();
        services.AddScoped<IAuditQueries>(sp => sp.GetRequiredService<AuditQueries>());
        // After the store initializer (registered before this): the chain is migrated when it first runs.
        services.AddSingleton<AuditCheckpointWriter>();
        services.AddLeaderOnly<AuditCheckpointWriter>();

        services.AddSingleton<ISettingsRepository, SettingsRepository>();
        services.AddScoped<RuntimeSettingsService>();
        services.AddScoped<IRuntimeSettings>(sp => sp.GetRequiredService<RuntimeSettingsService>());
        return services;
    }

    /// <summary>
    /// Remediation (docs/remediation.md): plans in the store, the engine (after the store initializer
    /// and the poller), the cluster writer, and the service the UI and the API use (scoped: it asks
    /// <see cref="ICurrentUser"/> who is acting).
    /// </summary>
    public static IServiceCollection AddCniDashboardRemediation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RemediationEngineOptions>()
            .Bind(configuration.GetSection(RemediationEngineOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RemediationEngineOptions>, RemediationEngineOptionsValidator>();
        services.AddSingleton<PlanRepository>();
        services.AddSingleton<PlanLedger>();
        services.AddSingleton<PlanInputs>();
        services.AddSingleton<RemediationCluster>();
        services.AddSingleton<StepRunner>();
        services.AddSingleton<StandingAdmissions>();
        services.AddSingleton<RemediationEngine>();
        services.AddLeaderOnly<RemediationEngine>();
        services.AddSingleton<PlanWebhook>();
        services.AddHostedService(sp => sp.GetRequiredService<PlanWebhook>());
        services.AddScoped<RemediationService>();
        services.AddScoped<IRemediationService>(sp => sp.GetRequiredService<RemediationService>());
        return services;
    }
}
