using CniDashboard.Server.Store;

namespace CniDashboard.Server.Options;

/// <summary>Where history is kept: the SQLite file in the data dir (default) or a PostgreSQL database.</summary>
public sealed class StoreOptions
{
    /// <summary><c>sqlite</c> (default: one file in <see cref="DashboardOptions.DataDir"/>) or <c>postgres</c>.</summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>
    /// The PostgreSQL connection string (Npgsql keywords: <c>Host=…;Port=…;Database=…;Username=…;Password=…</c>);
    /// only with <c>postgres</c>. It holds a password: pass it from a Secret (environment variable
    /// <c>Dashboard__Store__ConnectionString</c>), never in a ConfigMap. It is never logged.
    /// </summary>
    public string? ConnectionString { get; set; }
}
