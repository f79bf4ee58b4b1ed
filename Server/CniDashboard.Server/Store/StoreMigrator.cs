using DbUp;
using DbUp.Engine.Output;

namespace CniDashboard.Server.Store;

/// <summary>Applies the numbered SQL migrations in <c>Store/Migrations</c> that the database's journal has not recorded.</summary>
public sealed class StoreMigrator(SqliteConnectionFactory connections, ILogger<StoreMigrator> logger)
{
    /// <summary>Runs pending migrations; throws with the failing script's name when one fails.</summary>
    public IReadOnlyList<string> Migrate()
    {
        var upgrader = DeployChanges.To
            .SqliteDatabase(connections.ConnectionString)
            .WithScriptsEmbeddedInAssembly(typeof(StoreMigrator).Assembly, name => name.Contains(".Store.Migrations.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new DbUpLog(logger))
            .Build();

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Database migration {result.ErrorScript?.Name ?? "(unknown)"} failed on {connections.DatabasePath}: {result.Error?.Message}",
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
