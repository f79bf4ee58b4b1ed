using Npgsql;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// A database of its own on the throwaway PostgreSQL server test.sh starts (CREATE DATABASE on
/// construction, DROP DATABASE … WITH (FORCE) on dispose), so tests stay independent.
/// </summary>
public sealed class PostgresTestDatabase : IDisposable
{
    /// <summary>The environment variable holding the server's connection string (a superuser).</summary>
    public const string Variable = "CNI_DASHBOARD_TEST_POSTGRES";

    public PostgresTestDatabase()
    {
        Name = "cni_test_" + Guid.NewGuid().ToString("n")[..20];
        Execute($"CREATE DATABASE {Name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = Name }.ToString();
    }

    /// <summary>The server's connection string; fails with what to do when the tests run without test.sh.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set. ./test.sh starts a throwaway PostgreSQL and sets it; to run these tests alone: " +
                "source tests/throwaway-postgres.sh && start_throwaway_postgres, then dotnet test.");

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>A connection string to this database (as the dashboard would be given).</summary>
    public string ConnectionString { get; }

    /// <summary>The password in <see cref="ConnectionString"/> (to prove it is never logged).</summary>
    public string? Password => new NpgsqlConnectionStringBuilder(ConnectionString).Password;

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false }.ToString());
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        using (var connection = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(connection);
        Execute($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }
}
