using System.Data;
using System.Data.Common;
using CniDashboard.Server.Options;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CniDashboard.Server.Store;

/// <summary>
/// Opens connections to the dashboard's PostgreSQL database through one pooled
/// <see cref="NpgsqlDataSource"/>. Writes run at READ COMMITTED; the dialects serialize what must be
/// serialized with transaction-scoped advisory locks.
/// </summary>
public sealed class PostgresConnectionFactory : IStoreConnectionFactory, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the factory for the configured connection string.</summary>
    public PostgresConnectionFactory(IOptions<DashboardOptions> options)
        : this(options.Value.Store.ConnectionString ?? throw new InvalidOperationException("Dashboard:Store:ConnectionString is required with the postgres provider."))
    {
    }

    /// <summary>Creates the factory for a connection string.</summary>
    public PostgresConnectionFactory(string connectionString)
    {
        ConnectionString = connectionString;
        Description = Describe(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <inheritdoc />
    public StoreProvider Provider => StoreProvider.Postgres;

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The connection string (for the migrator; never log it).</summary>
    internal string ConnectionString { get; }

    /// <summary>The connection string's host, port, database and user, without the password.</summary>
    public static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    /// <inheritdoc />
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _dataSource.Dispose();
}
