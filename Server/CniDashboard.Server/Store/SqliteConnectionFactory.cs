using System.Data.Common;
using CniDashboard.Server.Options;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Store;

/// <summary>
/// Opens connections to the dashboard's SQLite file: one per call (Microsoft.Data.Sqlite pools them),
/// WAL so readers never wait for the writer, and a busy timeout so a writer waits rather than fails.
/// </summary>
public sealed class SqliteConnectionFactory : IStoreConnectionFactory
{
    /// <summary>The database file's name inside the data dir.</summary>
    public const string FileName = "cni-dashboard.db";

    private readonly string _connectionString;

    /// <summary>Creates the factory for the configured data dir (created if missing).</summary>
    public SqliteConnectionFactory(IOptions<DashboardOptions> options)
        : this(Path.Combine(options.Value.DataDir, FileName))
    {
    }

    /// <summary>Creates the factory for a database file.</summary>
    public SqliteConnectionFactory(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The connection string (for the migrator).</summary>
    public string ConnectionString => _connectionString;

    /// <inheritdoc />
    public StoreProvider Provider => StoreProvider.Sqlite;

    /// <inheritdoc />
    public string Description => DatabasePath;

    /// <inheritdoc />
    async Task<DbConnection> IStoreConnectionFactory.OpenAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    /// <inheritdoc />
    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <summary>Opens a connection with the per-connection settings applied.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            // journal_mode is persistent in the file; the others are per connection.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=OFF;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
