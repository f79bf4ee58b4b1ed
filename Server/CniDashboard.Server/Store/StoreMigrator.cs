using DbUp;
using DbUp.Builder;
using DbUp.Engine.Output;
using Npgsql;

namespace CniDashboard.Server.Store;

/// <summary>
/// Applies the numbered SQL migrations the database's journal has not recorded: <c>Store/Migrations</c>
/// on SQLite, <c>Store/Migrations/Postgres</c> (the same schema, numbered alike) on PostgreSQL.
/// </summary>
public sealed class StoreMigrator(IStoreConnectionFactory connections, ILogger<StoreMigrator> logger)
{
    private const string SqliteScripts = ".Store.Migrations.";
    private const string PostgresScripts = ".Store.Migrations.Postgres.";

    /// <summary>Runs pending migrations; throws with the failing script's name when one fails.</summary>
    public IReadOnlyList<string> Migrate()
    {
        return connections switch
        {
            SqliteConnectionFactory sqlite => Run(DeployChanges.To.SqliteDatabase(sqlite.ConnectionString),
                name => name.Contains(SqliteScripts, StringComparison.Ordinal) && !name.Contains(PostgresScripts, StringComparison.Ordinal)),
            PostgresConnectionFactory postgres => MigratePostgres(postgres),
            _ => throw new NotSupportedException($"No migrations for {connections.GetType().Name}."),
        };
    }

    private string[] MigratePostgres(PostgresConnectionFactory postgres)
    {
        // Replicas starting together take turns: a session lock held while DbUp runs on its own connection.
        using var gate = new NpgsqlConnection(postgres.ConnectionString);
        try
        {
            gate.Open();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException($"Cannot open the store at {postgres.Description}: {e.Message}", e);
        }

        using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({PostgresLocks.Migrations})", gate)) take.ExecuteNonQuery();
        try
        {
            return Run(DeployChanges.To.PostgresqlDatabase(postgres.ConnectionString), name => name.Contains(PostgresScripts, StringComparison.Ordinal));
        }
        finally
        {
            using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({PostgresLocks.Migrations})", gate);
            release.ExecuteNonQuery();
        }
    }

    private string[] Run(UpgradeEngineBuilder builder, Func<string, bool> scripts)
    {
        var upgrader = builder
            .WithScriptsEmbeddedInAssembly(typeof(StoreMigrator).Assembly, scripts)
            .WithTransactionPerScript()
            .LogTo(new DbUpLog(logger))
            .Build();

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Database migration {result.ErrorScript?.Name ?? "(unknown)"} failed on {connections.Description}: {result.Error?.Message}",
                result.Error);
        }

        return result.Scripts.Select(s => s.Name).ToArray();
    }

    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogDebug(string format, params object[] args) => logger.LogDebug("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogInformation(string format, params object[] args) => logger.LogInformation("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogWarning(string format, params object[] args) => logger.LogWarning("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(string format, params object[] args) => logger.LogError("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
