using CniDashboard.Server.Analysis;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Feed;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Polling;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// The backend's real DI wiring without the web host: store on a temp SQLite file (or, with
/// <see cref="StoreProvider.Postgres"/>, a PostgreSQL database: the one passed when given,
/// else one of its own), poller, analysis, read model. Background services are not started; tests
/// drive rounds explicitly.
/// </summary>
public sealed class BackendHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly ServiceProvider _services;
    private readonly PostgresTestDatabase? _ownDatabase;

    public BackendHarness(IDictionary<string, string?>? settings = null, string? agentToken = null, bool fakeTime = false, string? dataDir = null,
        StoreProvider provider = StoreProvider.Sqlite, PostgresTestDatabase? database = null)
    {
        var tokenFile = Path.Combine(_dir.Path, "agent-token");
        if (agentToken is not null) File.WriteAllText(tokenFile, agentToken + "\n");
        var config = new Dictionary<string, string?>
        {
            ["Dashboard:DataDir"] = dataDir ?? Path.Combine(_dir.Path, "data"),
            ["Dashboard:Poller:AgentTokenFile"] = tokenFile,
            ["Dashboard:Poller:RequestTimeout"] = "00:00:02",
        };
        if (provider == StoreProvider.Postgres)
        {
            database ??= _ownDatabase = new PostgresTestDatabase();
            config["Dashboard:Store:Provider"] = "postgres";
            config["Dashboard:Store:ConnectionString"] = database.ConnectionString;
        }

        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCniDashboardBackend(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        if (fakeTime)
        {
            Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            services.AddSingleton<TimeProvider>(Time);
        }

        _services = services.BuildServiceProvider();
        TokenFile = tokenFile;
    }

    public FakeTimeProvider? Time { get; }
    public string TokenFile { get; }
    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();
    public ClusterState Cluster => Get<ClusterState>();
    public FleetState Fleet => Get<FleetState>();
    public AgentPoller Poller => Get<AgentPoller>();
    public ClusterChangeFeed Feed => Get<ClusterChangeFeed>();
    public IDashboardQueries Queries => Get<IDashboardQueries>();
    public IStoreConnectionFactory Connections => Get<IStoreConnectionFactory>();

    /// <summary>The SQLite file's factory (SQLite-only tests).</summary>
    public SqliteConnectionFactory Sqlite => Get<SqliteConnectionFactory>();

    /// <summary>
    /// Subscribes to the change feed until <paramref name="cancellationToken"/> is cancelled and
    /// returns the list the changes are added to (lock it to read); returns once the subscription is
    /// registered, so no later change is missed.
    /// </summary>
    public List<ClusterChange> CollectChanges(CancellationToken cancellationToken)
    {
        var seen = new List<ClusterChange>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in Feed.SubscribeAsync(cancellationToken))
                {
                    lock (seen) seen.AddRange(batch);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, cancellationToken);
        if (!SpinWait.SpinUntil(() => Feed.SubscriberCount > 0, TimeSpan.FromSeconds(10)))
            throw new TimeoutException("the change feed subscription was not registered within 10 s");
        return seen;
    }

    public Task StartStoreAsync() => Get<StoreInitializer>().StartAsync(CancellationToken.None);

    public Task AnalyzeAllAsync() => Get<NodeAnalysisService>().AnalyzeAsync(Fleet.All.Select(n => n.Name).ToArray(), CancellationToken.None);

    public async Task<long> ScalarAsync(string sql)
    {
        await using var c = await Connections.OpenAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _ownDatabase?.Dispose();
        _dir.Dispose();
    }
}
