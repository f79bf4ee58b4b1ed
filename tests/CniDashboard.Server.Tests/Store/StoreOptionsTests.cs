using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace CniDashboard.Server.Tests.Store;

/// <summary>Dashboard:Store: validated at start with messages that name the setting and never the password.</summary>
public sealed class StoreOptionsTests
{
    private const string Secret = "s3cr3t-Passw0rd-xyz";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Failures(StoreOptions store) =>
        new DashboardOptionsValidator().Validate(null, new DashboardOptions { Store = store }).Failures?.ToArray() ?? [];

    [Fact]
    public void Sqlite_is_the_default_and_postgres_with_a_full_connection_string_is_valid()
    {
        Assert.Equal(StoreProvider.Sqlite, new DashboardOptions().Store.Provider);
        Assert.Empty(Failures(new StoreOptions()));
        Assert.Empty(Failures(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = $"Host=db;Database=cni;Username=cni;Password={Secret}" }));
    }

    [Theory]
    [InlineData(null, "Dashboard:Store:ConnectionString is required with Dashboard:Store:Provider postgres")]
    [InlineData("Database=cni;Username=cni;Password=" + Secret, "names no Host")]
    [InlineData("Host=db;Username=cni;Pasword=" + Secret, "is not a valid PostgreSQL connection string")]
    [InlineData("Host=db;Database=cni;Port=not-a-port;Password=" + Secret, "is not a valid PostgreSQL connection string")]
    public void A_postgres_store_without_a_usable_connection_string_is_refused_without_echoing_it(string? connectionString, string reason)
    {
        var failures = Failures(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = connectionString });

        var failure = Assert.Single(failures);
        Assert.Contains(reason, failure, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_with_the_sqlite_provider_is_refused_rather_than_ignored()
    {
        var failure = Assert.Single(Failures(new StoreOptions { ConnectionString = $"Host=db;Password={Secret}" }));

        Assert.Contains("Dashboard:Store:Provider is sqlite", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_on_postgres_migrates_and_logs_where_the_store_is_but_never_the_password()
    {
        using var database = new PostgresTestDatabase();
        var logs = new FakeLogCollector();
        await using (var services = Backend(database.ConnectionString, logs))
        {
            await services.GetRequiredService<StoreInitializer>().StartAsync(Ct);

            Assert.True(services.GetRequiredService<StoreInitializer>().Ready);
            Assert.Equal(StoreProvider.Postgres, services.GetRequiredService<IStoreConnectionFactory>().Provider);
            Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<SqliteConnectionFactory>());
        }

        var text = string.Join("\n", logs.GetSnapshot().Select(r => r.Message + r.Exception));
        Assert.Contains("0003_audit_log_and_settings.sql", text, StringComparison.Ordinal);
        Assert.DoesNotContain(database.Password!, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_the_start_naming_the_server_not_the_password()
    {
        using var database = new PostgresTestDatabase();
        var wrong = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = Secret }.ToString();
        var logs = new FakeLogCollector();
        await using var services = Backend(wrong, logs);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<StoreInitializer>().StartAsync(Ct));

        Assert.Contains($"/{database.Name}", error.Message, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString() + string.Join("\n", logs.GetSnapshot().Select(r => r.Message + r.Exception)), StringComparison.Ordinal);
    }

    private static ServiceProvider Backend(string connectionString, FakeLogCollector logs)
    {
        using var dir = new TempDir();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddCniDashboardBackend(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dashboard:DataDir"] = dir.Path,
            ["Dashboard:Store:Provider"] = "postgres",
            ["Dashboard:Store:ConnectionString"] = connectionString,
        }).Build());
        return services.BuildServiceProvider();
    }
}
