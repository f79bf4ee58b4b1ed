using System.Data.Common;

namespace CniDashboard.Server.Store;

/// <summary>
/// Opens connections to the store, whichever engine it is on. The repositories run the same
/// queries over it; what differs between engines each keeps in one small dialect object.
/// </summary>
public interface IStoreConnectionFactory
{
    /// <summary>The engine.</summary>
    StoreProvider Provider { get; }

    /// <summary>Where the store is, for messages and logs: never a password.</summary>
    string Description { get; }

    /// <summary>Opens a connection with the engine's per-connection settings applied.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Begins a write transaction. SQLite: <c>BEGIN IMMEDIATE</c>, so the transaction holds the
    /// database's single write lock from its first statement. PostgreSQL: READ COMMITTED, where every
    /// statement sees what committed before it started; a repository that must serialize its writers
    /// takes a transaction-scoped advisory lock (<see cref="PostgresLocks"/>) first.
    /// </summary>
    Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);
}

/// <summary>Picks a repository's dialect for the engine: the one place a repository asks which engine it is on.</summary>
public static class StoreDialects
{
    /// <summary>Returns <paramref name="sqlite"/> or <paramref name="postgres"/> for the factory's engine.</summary>
    public static T Pick<T>(this IStoreConnectionFactory connections, T sqlite, T postgres)
    {
        ArgumentNullException.ThrowIfNull(connections);
        return connections.Provider switch
        {
            StoreProvider.Sqlite => sqlite,
            StoreProvider.Postgres => postgres,
            _ => throw new NotSupportedException($"Store provider {connections.Provider} is not supported."),
        };
    }
}
