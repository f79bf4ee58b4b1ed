using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Shared.Security;
using CniDashboard.Shared.Settings;
using System.Data.Common;

namespace CniDashboard.Server.Tests.Audit;

/// <summary>
/// The audit log on a real SQLite file and on a real PostgreSQL database (one subclass per engine):
/// what an entry holds, the chain, transactions, concurrency, append-only, fail closed.
/// </summary>
public abstract class AuditLogTests(StoreProvider provider) : IDisposable
{
    private static readonly AuditActor Alice = new("alice-sub", "Alice Example", [DashboardRole.Admin, DashboardRole.Viewer, DashboardRole.Admin], "oidc");
    private readonly StoreHarness _store = new(provider);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AuditLogRepository NewLog(IStoreConnectionFactory? connections = null) => new(connections ?? _store.Connections, _store.Time);

    private async Task<AuditVerification> VerifyChainAsync() =>
        await AuditVerifier.VerifyAsync(NewLog().ReadChainAsync(0, Ct), new CheckpointReading("none", null, Error: "not compared here"), null, Ct);

    [Fact]
    public async Task An_entry_holds_who_what_target_outcome_details_and_where_from_chained_to_the_one_before()
    {
        var log = NewLog();
        var record = new AuditRecord(Alice, AuditActions.SettingChanged, new AuditTarget("setting", "TwoPersonRule"), AuditOutcome.Ok,
            new JsonObject { ["setting"] = "TwoPersonRule", ["old"] = "true", ["new"] = "false" }, "10.1.2.3", "0HN8:0001");

        var first = await log.AppendAsync(record, Ct);
        _store.Time.Advance(TimeSpan.FromSeconds(2));
        var second = await log.AppendAsync(AuditCaller.System.Record(AuditActions.CheckpointWritten, null, AuditOutcome.Failed), Ct);

        Assert.Equal((1L, 2L), (first, second));
        var one = (await log.GetAsync(1, Ct))!;
        Assert.Equal(_store.Time.GetUtcNow().AddSeconds(-2), one.At);
        Assert.Equal(("alice-sub", "Alice Example", """["Viewer","Admin"]""", "oidc"), (one.ActorSubject, one.ActorName, one.ActorRoles, one.ActorMethod));
        Assert.Equal(("settings.changed", "setting", "TwoPersonRule", "ok"), (one.Action, one.TargetKind, one.TargetName, one.Outcome));
        Assert.Equal("""{"new":"false","old":"true","setting":"TwoPersonRule"}""", one.Details);
        Assert.Equal(("10.1.2.3", "0HN8:0001"), (one.ClientAddress, one.RequestId));
        Assert.Equal(AuditCanonicalForm.GenesisHash, one.PrevHash);
        Assert.Equal(AuditCanonicalForm.ComputeHash(one), one.Hash);
        var two = (await log.GetAsync(2, Ct))!;
        Assert.Equal(("system", "[]", "system", "failed", (string?)null), (two.ActorSubject, two.ActorRoles, two.ActorMethod, two.Outcome, two.TargetKind));
        Assert.Equal(one.Hash, two.PrevHash);
        Assert.Equal(AuditVerificationStatus.Unanchored, (await VerifyChainAsync()).Status);
    }

    [Fact]
    public async Task In_the_callers_transaction_the_entry_commits_with_the_change_or_not_at_all()
    {
        var log = NewLog();
        await using (var connection = await _store.Connections.OpenAsync(Ct))
        {
            await using var tx = await _store.Connections.BeginWriteAsync(connection, Ct);
            await log.AppendAsync(connection, tx, AuditCaller.System.Record("test.rolled-back", null, AuditOutcome.Ok), Ct);
            await tx.RollbackAsync(Ct);
        }

        await using (var connection = await _store.Connections.OpenAsync(Ct))
        {
            await using var tx = await _store.Connections.BeginWriteAsync(connection, Ct);
            var seq = await log.AppendAsync(connection, tx, AuditCaller.System.Record("test.committed", null, AuditOutcome.Ok), Ct);
            Assert.Equal(1, seq);
            await tx.CommitAsync(Ct);
        }

        var head = await log.GetHeadAsync(Ct);
        Assert.Equal((1L, "test.committed"), (head!.Sequence, head.Action));
    }

    [Fact]
    public async Task Secrets_never_reach_the_database_jwts_anywhere_and_values_under_secret_keys_are_fingerprinted()
    {
        const string Jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6eCJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
        var log = NewLog();
        var details = new JsonObject
        {
            ["header"] = "Bearer " + Jwt,
            ["Authorization"] = "Basic dXNlcjpwYXNz",
            ["client_secret"] = "hunter2",
            ["nested"] = new JsonArray(new JsonObject { ["id-token"] = Jwt, ["kubeconfig"] = "users:\n- name: x\n  user:\n    token: abc123\n" }),
            ["tokenExpiry"] = "2026-12-08T00:00:00Z",
        };
        var forged = new AuditActor(Jwt, "x-forwarded-user: " + Jwt, [], "proxy");

        await log.AppendAsync(new AuditRecord(forged, AuditActions.Denied, new AuditTarget("request", "/api/v1/settings/" + Jwt), AuditOutcome.Denied, details, RequestId: Jwt), Ct);

        var entry = (await log.GetAsync(1, Ct))!;
        var stored = string.Join("\n", entry.ActorSubject, entry.ActorName, entry.TargetName, entry.Details, entry.RequestId);
        Assert.True(TokenRedactor.ContainsNoJwt(stored), stored);
        Assert.DoesNotContain("hunter2", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("dXNlcjpwYXNz", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("abc123", stored, StringComparison.Ordinal);
        Assert.Contains($"<redacted sha256:{TokenRedactor.Fingerprint(Jwt)}>", entry.ActorSubject, StringComparison.Ordinal);
        Assert.Contains("\"tokenExpiry\":\"2026-12-08T00:00:00Z\"", entry.Details, StringComparison.Ordinal);
        Assert.True(TokenRedactor.ContainsNoJwt(await _store.EverythingStoredAsync()));
    }

    [Fact]
    public async Task A_forged_header_of_any_length_is_kept_cut_to_the_field_limit()
    {
        var log = NewLog();
        // Words, not one run of base64url characters (which would be redacted as what is left of a token).
        var huge = string.Concat(Enumerable.Repeat("forged user ", 10_000));

        await log.AppendAsync(new AuditRecord(new AuditActor(huge, huge, [], "proxy"), AuditActions.Denied, null, AuditOutcome.Denied), Ct);

        var entry = (await log.GetAsync(1, Ct))!;
        Assert.Equal(AuditEntryFactory.MaxFieldLength, entry.ActorSubject.Length);
        Assert.EndsWith("…(truncated)", entry.ActorSubject, StringComparison.Ordinal);
    }

    /// <summary>
    /// Eight writers in parallel, on two connection pools as two processes (or two replicas on
    /// PostgreSQL) would have, some in their own transactions and some in callers' transactions: every
    /// entry gets its own sequence number, in the order the chain links them, and the chain has no fork.
    /// </summary>
    [Fact]
    public async Task Parallel_writers_serialize_in_the_chain()
    {
        var otherProcess = _store.NewConnections();
        var logs = new[] { NewLog(), NewLog(otherProcess) };
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var log = logs[w % 2];
            var connections = w % 2 == 0 ? _store.Connections : otherProcess;
            var sequences = new List<long>();
            for (var i = 0; i < 40; i++)
            {
                var record = AuditCaller.System.Record("test.parallel", new AuditTarget("writer", w.ToString(System.Globalization.CultureInfo.InvariantCulture)), AuditOutcome.Ok, new() { ["i"] = i });
                if (w < 6)
                {
                    sequences.Add(await log.AppendAsync(record, Ct));
                }
                else
                {
                    await using var connection = await connections.OpenAsync(Ct);
                    await using var tx = await connections.BeginWriteAsync(connection, Ct);
                    sequences.Add(await log.AppendAsync(connection, tx, record, Ct));
                    await tx.CommitAsync(Ct);
                }
            }

            return sequences;
        }, Ct)).ToArray();

        var all = (await Task.WhenAll(writers)).SelectMany(s => s).Order().ToArray();

        Assert.Equal(Enumerable.Range(1, 320).Select(i => (long)i), all);
        var result = await VerifyChainAsync();
        Assert.Equal((AuditVerificationStatus.Unanchored, 320L), (result.Status, result.HeadSequence));
    }

    [Fact]
    public async Task The_dashboard_cannot_update_or_delete_an_entry()
    {
        await NewLog().AppendAsync(AuditCaller.System.Record("test.kept", null, AuditOutcome.Ok), Ct);
        await using var connection = await _store.Connections.OpenAsync(Ct);
        await using var command = connection.CreateCommand();

        command.CommandText = "UPDATE audit_log SET outcome = 'denied'";
        Assert.Contains("append-only", (await Assert.ThrowsAnyAsync<DbException>(() => command.ExecuteNonQueryAsync(Ct))).Message, StringComparison.Ordinal);
        command.CommandText = "DELETE FROM audit_log";
        Assert.Contains("append-only", (await Assert.ThrowsAnyAsync<DbException>(() => command.ExecuteNonQueryAsync(Ct))).Message, StringComparison.Ordinal);
        if (_store.Provider == StoreProvider.Postgres)
        {
            command.CommandText = "TRUNCATE audit_log";
            Assert.Contains("append-only", (await Assert.ThrowsAnyAsync<DbException>(() => command.ExecuteNonQueryAsync(Ct))).Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM audit_log"));
        Assert.Equal("ok", (await NewLog().GetAsync(1, Ct))!.Outcome);
    }

    [Fact]
    public async Task Retention_never_prunes_the_audit_log()
    {
        await NewLog().AppendAsync(AuditCaller.System.Record("test.old", null, AuditOutcome.Ok), Ct);
        _store.Time.Advance(TimeSpan.FromDays(3650));

        await _store.Retention.PruneAsync(_store.Time.GetUtcNow(), Ct);

        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM audit_log"));
    }

    /// <summary>
    /// Fail closed: with the audit table refusing writes (a trigger that aborts, standing in for a full
    /// or read-only disk), a settings change throws and is not applied.
    /// </summary>
    [Fact]
    public async Task When_the_entry_cannot_be_written_the_change_it_records_does_not_happen()
    {
        var log = NewLog();
        var settings = new Settings.RuntimeSettingsService(new SettingsRepository(_store.Connections), log, new FixedUser(), _store.Time);
        await settings.UpdateAsync("RequiredApprovals", "2", Ct);
        await _store.ExecuteAsync(_store.Provider == StoreProvider.Postgres
            ? """
              CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'database or disk is full'; END; $$;
              CREATE TRIGGER audit_log_disk_full BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION disk_full();
              """
            : "CREATE TRIGGER audit_log_disk_full BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");

        var error = await Assert.ThrowsAsync<AuditWriteException>(() => settings.UpdateAsync("RequiredApprovals", "3", Ct));
        var own = await Assert.ThrowsAsync<AuditWriteException>(() => log.AppendAsync(AuditCaller.System.Record("test.x", null, AuditOutcome.Ok), Ct));

        Assert.Contains("database or disk is full", error.Message, StringComparison.Ordinal);
        Assert.Equal(AuditActions.SettingChanged, error.Action);
        Assert.Equal("test.x", own.Action);
        Assert.Equal("2", (await settings.GetAllAsync(Ct)).Single(s => s.Name == "RequiredApprovals").Value);
        Assert.Equal(2, await settings.GetAsync(DashboardSettings.RequiredApprovals, Ct));
        Assert.Equal(1, await _store.ScalarAsync("SELECT COUNT(*) FROM audit_log"));
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class FixedUser : ICurrentUser
    {
        public ValueTask<AuditCaller> GetAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new AuditCaller(Alice, "127.0.0.1", "req-1"));
    }
}

public sealed class AuditLogOnSqliteTests() : AuditLogTests(StoreProvider.Sqlite);

public sealed class AuditLogOnPostgresTests() : AuditLogTests(StoreProvider.Postgres);
