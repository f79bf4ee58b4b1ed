using System.Diagnostics;
using CniDashboard.Server.Api;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Audit;
using k8s;

namespace CniDashboard.Server.Tests.Audit;

/// <summary>
/// The three ways of rewriting history in the SQLite file — an edited row, a deleted row, the
/// last rows deleted — each reported at the right sequence number by the offline command (with the
/// checkpoint read from the cluster, and from a file) and by the running dashboard's API.
/// </summary>
public sealed class AuditTamperingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, long, string> Tampering => new()
    {
        { "edited", "UPDATE audit_log SET details = replace(details, '\"new\":\"5\"', '\"new\":\"1\"') WHERE seq = 5", 5, "entry 5 was edited" },
        { "deleted", "DELETE FROM audit_log WHERE seq = 6", 6, "entry 6 is missing: it was deleted" },
        { "truncated", "DELETE FROM audit_log WHERE seq > 7", 8, "entries 8–10 were deleted (truncated tail)" },
    };

    /// <summary>
    /// Twelve entries: the admin's sign-in, nine settings changes made through the API, a checkpoint
    /// of entry 10 in the cluster (entry 11 records it), and one more change; then the file is edited underneath the dashboard.
    /// </summary>
    private static async Task<AuditDashboard> DashboardWithHistoryAsync()
    {
        var dashboard = await AuditDashboard.StartAsync();
        foreach (var value in new[] { "2", "3", "4", "5", "6", "7", "8", "9", "10" })
            Assert.Equal(System.Net.HttpStatusCode.OK, await dashboard.PutSettingAsync("RequiredApprovals", value));
        Assert.Equal(CheckpointWriteOutcome.Written, (await dashboard.Get<AuditCheckpointWriter>().WriteOnceAsync(Ct)).Outcome);
        await dashboard.PutSettingAsync("RequiredApprovals", "1");
        return dashboard;
    }

    [Fact]
    public async Task An_untouched_log_is_intact_for_the_command_and_the_api()
    {
        await using var dashboard = await DashboardWithHistoryAsync();
        var output = new StringWriter();

        var exit = await AuditVerifyCommand.RunAsync(["--db", dashboard.DatabasePath, "--checkpoint-from-kubeconfig", dashboard.Cluster.Kubeconfig, "--public-key", dashboard.PublicKeyPath], output, TextWriter.Null, Ct);
        var api = await dashboard.GetJsonAsync<AuditVerification>("api/v1/audit/verify");

        Assert.Equal(AuditVerifyCommand.ExitIntact, exit);
        Assert.Contains("result: INTACT", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("checkpoint: entry 10", output.ToString(), StringComparison.Ordinal);
        Assert.Equal((AuditVerificationStatus.Intact, 12L, 10L), (api.Status, api.HeadSequence, api.Checkpoint!.Sequence));
        // The verification is recorded, by whoever asked.
        var recorded = (await dashboard.Get<CniDashboard.Server.Store.IAuditReader>().GetHeadAsync(Ct))!;
        Assert.Equal((13L, AuditActions.Verified, "ok", "admin", "127.0.0.1"), (recorded.Sequence, recorded.Action, recorded.Outcome, recorded.ActorSubject, recorded.ClientAddress));
        Assert.Contains("\"status\":\"Intact\"", recorded.Details, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Tampering_is_reported_at_the_right_sequence_number_by_the_command_and_the_api(string what, string sql, long firstBad, string problem)
    {
        await using var dashboard = await DashboardWithHistoryAsync();
        // The 12th entry (the last settings change) is newer than the checkpoint; the truncation removes it too.
        await AuditHarness.Tamper(dashboard.DatabasePath, sql);
        var checkpointFile = Path.Combine(dashboard.DataDir, "checkpoint.json");
        await File.WriteAllTextAsync(checkpointFile, (await dashboard.GetJsonAsync<CheckpointView>("api/v1/audit/checkpoint")).Checkpoint!.ToJson(), Ct);

        // Offline first: the API's verification appends its own entry.
        var fromCluster = new StringWriter();
        var exitFromCluster = await AuditVerifyCommand.RunAsync(
            ["--db", dashboard.DatabasePath, "--checkpoint-from-kubeconfig", dashboard.Cluster.Kubeconfig, "--public-key", dashboard.PublicKeyPath], fromCluster, TextWriter.Null, Ct);
        var fromFile = new StringWriter();
        var exitFromFile = await AuditVerifyCommand.RunAsync(["--db", dashboard.DatabasePath, "--checkpoint", checkpointFile, "--format", "json"], fromFile, TextWriter.Null, Ct);
        var api = await dashboard.GetJsonAsync<AuditVerification>("api/v1/audit/verify");

        Assert.Equal(AuditVerifyCommand.ExitTampered, exitFromCluster);
        Assert.Contains($"result: TAMPERED at entry {firstBad}: ", fromCluster.ToString(), StringComparison.Ordinal);
        Assert.Contains(problem, fromCluster.ToString(), StringComparison.Ordinal);
        Assert.Equal(AuditVerifyCommand.ExitTampered, exitFromFile);
        var json = System.Text.Json.JsonSerializer.Deserialize<AuditVerification>(fromFile.ToString(), AuditDashboard.Json)!;
        Assert.Equal((AuditVerificationStatus.Tampered, firstBad), (json.Status, json.FirstBadSequence));
        Assert.True(api.Status == AuditVerificationStatus.Tampered, $"{what}: {api.Status} {api.Problem}");
        Assert.Equal(firstBad, api.FirstBadSequence);
        Assert.Contains(problem, api.Problem, StringComparison.Ordinal);
        var recorded = (await dashboard.Get<CniDashboard.Server.Store.IAuditReader>().GetHeadAsync(Ct))!;
        Assert.Equal((AuditActions.Verified, "failed"), (recorded.Action, recorded.Outcome));
        Assert.Contains($"\"firstBadSequence\":{firstBad}", recorded.Details, StringComparison.Ordinal);
    }

    /// <summary>The executable itself, as an operator runs it next to a copy of the volume: no dashboard running, exit codes as documented.</summary>
    [Fact]
    public async Task The_dashboard_executable_verifies_a_copy_of_the_database_offline_with_exit_codes()
    {
        string copy, key, checkpoint;
        using var dir = new TempDir();
        await using (var dashboard = await DashboardWithHistoryAsync())
        {
            copy = Path.Combine(dir.Path, "cni-dashboard.db");
            key = Path.Combine(dir.Path, "dashboard.pub.pem");
            checkpoint = Path.Combine(dir.Path, "cm.json");
            File.Copy(dashboard.PublicKeyPath, key);
            // Stopped first: on shutdown the dashboard writes one more checkpoint, the one to compare with.
            await dashboard.App.StopAsync(Ct);
            var map = await new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(dashboard.Cluster.Kubeconfig))
                .CoreV1.ReadNamespacedConfigMapAsync("cni-dashboard-audit-checkpoint", "cni-dashboard", cancellationToken: Ct);
            await File.WriteAllTextAsync(checkpoint, KubernetesJson.Serialize(map), Ct);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await using var backup = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dashboard.DatabasePath};Pooling=false");
            await backup.OpenAsync(Ct);
            await using var target = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={copy};Pooling=false");
            await target.OpenAsync(Ct);
            backup.BackupDatabase(target);
        }

        var intact = await RunAsync("audit", "verify", "--db", copy, "--checkpoint", checkpoint, "--public-key", key);
        await AuditHarness.Tamper(copy, "DELETE FROM audit_log WHERE seq = 3");
        var tampered = await RunAsync("audit", "verify", "--db", copy, "--checkpoint", checkpoint, "--public-key", key);
        var usage = await RunAsync("audit", "verify", "--checkpoint", checkpoint);
        var missing = await RunAsync("audit", "verify", "--db", Path.Combine(dir.Path, "nope.db"));
        var noKey = await RunAsync("audit", "verify", "--db", copy, "--checkpoint", checkpoint);

        Assert.True(intact.Exit == 0, intact.Output);
        Assert.Contains("result: INTACT", intact.Output, StringComparison.Ordinal);
        Assert.Equal(1, tampered.Exit);
        Assert.Contains("TAMPERED at entry 3: entry 3 is missing", tampered.Output, StringComparison.Ordinal);
        Assert.Equal(2, usage.Exit);
        Assert.Contains("--db FILE is required", usage.Output, StringComparison.Ordinal);
        Assert.Equal(2, missing.Exit);
        Assert.Contains("does not exist", missing.Output, StringComparison.Ordinal);
        Assert.Equal(2, noKey.Exit);
        Assert.Contains("--public-key", noKey.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cni-dashboard.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
