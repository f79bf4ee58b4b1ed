using CniDashboard.Server.Audit;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Audit;
using CniDashboard.Simulator.Scenarios;
using Microsoft.Data.Sqlite;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// The backend's audit wiring (the real DI) on a temp SQLite file, with the Kubernetes API emulator
/// holding the chart's checkpoint ConfigMap, reached with the dashboard's own least-privilege identity.
/// </summary>
public sealed class AuditHarness : IAsyncDisposable
{
    private AuditHarness(EmulatedApi cluster, BackendHarness backend)
    {
        Cluster = cluster;
        Backend = backend;
    }

    public EmulatedApi Cluster { get; }
    public BackendHarness Backend { get; }
    public IAuditLog Log => Backend.Get<IAuditLog>();
    public IAuditReader Reader => Backend.Get<IAuditReader>();
    public AuditCheckpointWriter Writer => Backend.Get<AuditCheckpointWriter>();
    public AuditVerifier Verifier => Backend.Get<AuditVerifier>();
    public string DatabasePath => Backend.Sqlite.DatabasePath;
    public string PublicKeyPath => AuditCheckpointKey.PublicKeyPath(Backend.Get<AuditCheckpointSigner>().KeyPath);
    public string Kubeconfig => Cluster.Kubeconfig;

    public static async Task<AuditHarness> StartAsync(IDictionary<string, string?>? settings = null, bool fakeTime = false, bool createConfigMap = true)
    {
        var cluster = await EmulatedApi.StartAsync();
        if (createConfigMap) cluster.Api.Cluster.ConfigMaps.Create(AuditCheckpointConfigMap.Create());
        var config = new Dictionary<string, string?> { ["Dashboard:Kubernetes:Kubeconfig"] = cluster.Kubeconfig };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;
        var backend = new BackendHarness(config, fakeTime: fakeTime);
        await backend.StartStoreAsync();
        return new AuditHarness(cluster, backend);
    }

    /// <summary>Appends <paramref name="count"/> entries by the system, each naming its index.</summary>
    public async Task AppendAsync(int count, string action = "test.appended")
    {
        for (var i = 0; i < count; i++)
        {
            await Log.AppendAsync(AuditCaller.System.Record(action, new AuditTarget("test", $"t{i}"), AuditOutcome.Ok, new() { ["i"] = i }), CancellationToken.None);
        }
    }

    /// <summary>The checkpoint annotation in the emulator, parsed (null when none).</summary>
    public AuditCheckpoint? ClusterCheckpoint()
    {
        var map = Cluster.Api.Cluster.ConfigMaps.Get(AuditCheckpointConfigMap.Namespace, AuditCheckpointConfigMap.Name);
        return map?.Metadata.Annotations?.TryGetValue(Options.AuditCheckpointOptions.Annotation, out var json) == true ? AuditCheckpoint.Parse(json) : null;
    }

    /// <summary>Replaces (or with null removes) the checkpoint annotation, as someone with write access to the ConfigMap could.</summary>
    public void SetClusterCheckpoint(string? json) =>
        Cluster.Api.Cluster.ConfigMaps.Update(AuditCheckpointConfigMap.Namespace, AuditCheckpointConfigMap.Name, map =>
        {
            map.Metadata.Annotations ??= new Dictionary<string, string>();
            if (json is null) map.Metadata.Annotations.Remove(Options.AuditCheckpointOptions.Annotation);
            else map.Metadata.Annotations[Options.AuditCheckpointOptions.Annotation] = json;
        });

    /// <summary>Edits the SQLite file as an attacker with the file would: drops the append-only triggers, then runs <paramref name="sql"/>.</summary>
    public Task TamperAsync(string sql) => Tamper(DatabasePath, sql);

    /// <summary>Runs SQL on a database file outside the dashboard's connections, append-only triggers dropped first.</summary>
    public static async Task Tamper(string databasePath, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
