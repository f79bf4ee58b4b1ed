using System.Text;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// A real store with the repositories, the fleet and the ingestor over it: a SQLite file in a temp dir,
/// or a database of its own on the throwaway PostgreSQL server.
/// </summary>
public sealed class StoreHarness : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly PostgresTestDatabase? _postgres;
    private readonly List<IStoreConnectionFactory> _factories = [];

    public StoreHarness(StoreProvider provider = StoreProvider.Sqlite, DateTimeOffset? start = null)
    {
        Provider = provider;
        Time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
        var options = new DashboardOptions { DataDir = _dir.Path };
        if (provider == StoreProvider.Postgres)
        {
            _postgres = new PostgresTestDatabase();
            options.Store = new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = _postgres.ConnectionString };
        }

        Options = Microsoft.Extensions.Options.Options.Create(options);
        Connections = NewConnections();
        Migrator = new StoreMigrator(Connections, NullLogger<StoreMigrator>.Instance);
        Migrator.Migrate();
        Snapshots = new SnapshotRepository(Connections);
        Nodes = new NodeRepository(Connections);
        Findings = new FindingRepository(Connections);
        SandboxEvents = new SandboxEventRepository(Connections);
        Retention = new RetentionRepository(Connections);
        Fleet = new FleetState();
        Ingestor = new SnapshotIngestor(Snapshots, Fleet, Time, Options, NullLogger<SnapshotIngestor>.Instance);
    }

    public StoreProvider Provider { get; }
    public FakeTimeProvider Time { get; }
    public Microsoft.Extensions.Options.IOptions<DashboardOptions> Options { get; }
    public IStoreConnectionFactory Connections { get; }
    public StoreMigrator Migrator { get; }
    public SnapshotRepository Snapshots { get; }
    public NodeRepository Nodes { get; }
    public FindingRepository Findings { get; }
    public SandboxEventRepository SandboxEvents { get; }
    public RetentionRepository Retention { get; }
    public FleetState Fleet { get; }
    public SnapshotIngestor Ingestor { get; }
    public string DataDir => _dir.Path;

    /// <summary>The SQLite file's factory (SQLite-only tests).</summary>
    public SqliteConnectionFactory Sqlite => Connections as SqliteConnectionFactory ?? throw new InvalidOperationException("not a SQLite store");

    /// <summary>The PostgreSQL database (PostgreSQL-only tests).</summary>
    public PostgresTestDatabase Postgres => _postgres ?? throw new InvalidOperationException("not a PostgreSQL store");

    /// <summary>Another factory on the same store, with its own pool, as another process would open (disposed with the harness).</summary>
    public IStoreConnectionFactory NewConnections()
    {
        IStoreConnectionFactory factory = Provider == StoreProvider.Postgres
            ? new PostgresConnectionFactory(_postgres!.ConnectionString)
            : new SqliteConnectionFactory(Options);
        _factories.Add(factory);
        return factory;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var c = await Connections.OpenAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs statements outside the repositories (a test's own setup or an attacker's edit).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var c = await Connections.OpenAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Whether a table exists.</summary>
    public async Task<bool> TableExistsAsync(string table) => await ScalarAsync(Provider == StoreProvider.Postgres
        ? $"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{table}'"
        : $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'") == 1;

    /// <summary>
    /// Everything the store holds as text: the SQLite file's bytes (WAL folded in first), or every row of
    /// every table of the PostgreSQL database as text. What a secret must never be found in.
    /// </summary>
    public async Task<string> EverythingStoredAsync()
    {
        if (Provider == StoreProvider.Sqlite)
        {
            await CheckpointAsync();
            return Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Sqlite.DatabasePath));
        }

        await using var c = await Connections.OpenAsync(CancellationToken.None);
        var tables = new List<string>();
        await using (var list = c.CreateCommand())
        {
            list.CommandText = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var dump = c.CreateCommand();
            dump.CommandText = $"SELECT t::text FROM \"{table}\" t";
            await using var reader = await dump.ExecuteReaderAsync();
            while (await reader.ReadAsync()) text.AppendLine(reader.GetString(0));
        }

        return text.ToString();
    }

    /// <summary>Folds the WAL into the SQLite file so its size says what is stored.</summary>
    public async Task CheckpointAsync()
    {
        await using var c = await Sqlite.OpenAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await cmd.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        foreach (var factory in _factories) (factory as IDisposable)?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _postgres?.Dispose();
        _dir.Dispose();
    }
}
