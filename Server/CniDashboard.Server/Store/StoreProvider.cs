namespace CniDashboard.Server.Store;

/// <summary>The SQL engine the store runs on.</summary>
public enum StoreProvider
{
    /// <summary>One SQLite file in the data dir: the default, for one replica.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (Npgsql).</summary>
    Postgres,
}
