using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using Npgsql;

namespace CniDashboard.Server.Tests.Store;

/// <summary>
/// How a collector is held to its own cluster on PostgreSQL (README, "Many clusters"): its own login
/// role, a row in store_writers, and the row-level security policies of migration 0005.
/// </summary>
public sealed class CollectorAccessTests : IDisposable
{
    private readonly StoreHarness _store = new(StoreProvider.Postgres);
    private readonly string _role = "collector_" + Guid.NewGuid().ToString("n")[..12];
    private const string Password = "collector-password-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public CollectorAccessTests()
    {
        // What the README tells an operator to run (as the tables' owner) for one collector of prod-eu-1.
        _store.ExecuteAsync($"""
            CREATE ROLE {_role} LOGIN PASSWORD '{Password}';
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {_role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {_role};
            INSERT INTO store_writers (role_name, cluster_id) VALUES ('{_role}', 'prod-eu-1');
            """).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        _store.Dispose();
        // Roles belong to the server, not the dropped database.
        using var connection = new NpgsqlConnection(PostgresTestDatabase.ServerConnectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {_role}", connection);
        drop.ExecuteNonQuery();
    }

    private PostgresConnectionFactory AsCollector() =>
        new(new NpgsqlConnectionStringBuilder(_store.Postgres.ConnectionString) { Username = _role, Password = Password }.ToString());

    [Fact]
    public async Task A_collector_writes_its_own_cluster_and_cannot_write_or_change_another_clusters_rows()
    {
        var now = _store.Time.GetUtcNow();
        // prod-us-2's node, written by its own collector (here the owner).
        await new NodeRepository(_store.Connections, new StoreCluster("prod-us-2"))
            .SaveAgentStatesAsync([new AgentStateWrite("node-1", new AgentStatus { State = AgentState.Current, LastSeenAt = now })], now, Ct);
        using var collector = AsCollector();

        // Its own cluster: nodes, snapshots (with their files and blobs) and findings go in.
        var own = new StoreCluster("prod-eu-1");
        await new SnapshotRepository(collector, own).AddAsync([new SnapshotWrite(Fixtures.Snapshot("node-1", Fixtures.Dir("incident")), now, [], FirstOfNode: true)], Ct);
        await new FindingRepository(collector, own).ApplyAsync([new FindingChanges { Node = "node-1", At = now, Opened = [new Finding { Rule = "r", Severity = Severity.Critical, Message = "m", Explanation = "e", Remediation = "f" }], WorstSeverity = Severity.Critical }], Ct);
        Assert.Single(await new NodeRepository(_store.Connections, own).GetAllAsync(Ct));

        // Another cluster's: an insert is refused by the policy, whoever's repository it goes through.
        var other = new StoreCluster("prod-us-2");
        var insert = await Assert.ThrowsAsync<PostgresException>(() => new SnapshotRepository(collector, other)
            .AddAsync([new SnapshotWrite(Fixtures.Snapshot("node-2", Fixtures.Dir("healthy")), now, [], FirstOfNode: true)], Ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, insert.SqlState);
        Assert.Contains("row-level security", insert.MessageText, StringComparison.Ordinal);

        // …and an update or delete of its rows finds nothing to change, even in plain SQL.
        await using (var connection = await collector.OpenAsync(Ct))
        {
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE nodes SET worst_severity = 2 WHERE cluster_id = 'prod-us-2'; DELETE FROM nodes WHERE cluster_id = 'prod-us-2'";
            Assert.Equal(0, await update.ExecuteNonQueryAsync(Ct));
            // It still reads every cluster (the fleet view is not secret from a collector).
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT COUNT(*) FROM nodes";
            Assert.Equal(2L, await read.ExecuteScalarAsync(Ct));
        }

        var usNode = Assert.Single(await new NodeRepository(_store.Connections, other).GetAllAsync(Ct));
        Assert.Null(usNode.WorstSeverity);
        // Nor can it append audit entries in another cluster's name.
        var audit = await Assert.ThrowsAsync<Server.Audit.AuditWriteException>(() => new AuditLogRepository(collector, _store.Time, other)
            .AppendAsync(new Server.Audit.AuditRecord(Server.Audit.AuditActor.System, "node.fetched", null, Server.Audit.AuditOutcome.Ok), Ct));
        Assert.Contains("row-level security", audit.InnerException!.Message, StringComparison.Ordinal);
    }
}

/// <summary>Dashboard:Cluster:Id and Dashboard:Mode, validated at start.</summary>
public sealed class FleetOptionsTests
{
    private static string[] Failures(DashboardOptions options) =>
        new DashboardOptionsValidator().Validate(null, options).Failures?.ToArray() ?? [];

    [Fact]
    public void The_default_cluster_and_mode_are_valid()
    {
        Assert.Equal(("default", DashboardMode.Dashboard), (new DashboardOptions().Cluster.Id, new DashboardOptions().Mode));
        Assert.Empty(Failures(new DashboardOptions { Cluster = new ClusterOptions { Id = "prod-eu-1" } }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Prod")]
    [InlineData("-prod")]
    [InlineData("prod_eu")]
    [InlineData("prod/eu")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void A_cluster_id_that_is_not_a_dns_label_is_refused(string id)
    {
        var failure = Assert.Single(Failures(new DashboardOptions { Cluster = new ClusterOptions { Id = id } }));
        Assert.Contains("Dashboard:Cluster:Id", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Collector_mode_is_refused_on_sqlite_and_accepted_on_postgres()
    {
        var failure = Assert.Single(Failures(new DashboardOptions { Mode = DashboardMode.Collector }));
        Assert.Contains("needs Dashboard:Store:Provider postgres", failure, StringComparison.Ordinal);

        Assert.Empty(Failures(new DashboardOptions
        {
            Mode = DashboardMode.Collector,
            Cluster = new ClusterOptions { Id = "prod-eu-1" },
            Store = new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = "Host=db;Database=cni;Username=collector_eu;Password=x" },
        }));
    }
}
