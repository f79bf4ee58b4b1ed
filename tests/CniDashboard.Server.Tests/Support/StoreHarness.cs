using CniDashboard.Server.Fleet;
using CniDashboard.Server.Ingest;
using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Server.Tests.Support;

/// <summary>A real SQLite file in a temp dir with the repositories, the fleet and the ingestor over it.</summary>
public sealed class StoreHarness : IDisposable
{
    private readonly TempDir _dir = new();

    public StoreHarness(DateTimeOffset? start = null)
    {
        Time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
        Options = Microsoft.Extensions.Options.Options.Create(new DashboardOptions { DataDir = _dir.Path });
        Connections = new SqliteConnectionFactory(Options);
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

    public FakeTimeProvider Time { get; }
    public Microsoft.Extensions.Options.IOptions<DashboardOptions> Options { get; }
    public SqliteConnectionFactory Connections { get; }
    public StoreMigrator Migrator { get; }
    public SnapshotRepository Snapshots { get; }
    public NodeRepository Nodes { get; }
    public FindingRepository Findings { get; }
    public SandboxEventRepository SandboxEvents { get; }
    public RetentionRepository Retention { get; }
    public FleetState Fleet { get; }
    public SnapshotIngestor Ingestor { get; }
    public string DataDir => _dir.Path;

    public async Task<long> ScalarAsync(string sql)
    {
        await using var c = await Connections.OpenAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Folds the WAL into the database file so its size says what is stored.</summary>
    public async Task CheckpointAsync()
    {
        await using var c = await Connections.OpenAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await cmd.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
