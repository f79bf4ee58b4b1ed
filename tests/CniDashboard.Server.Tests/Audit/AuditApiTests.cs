using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CniDashboard.Server.Api;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Store;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Settings;
using Microsoft.AspNetCore.Mvc;

namespace CniDashboard.Server.Tests.Audit;

/// <summary>The audit log and the settings through the real host's <c>/api/v1</c>.</summary>
public sealed class AuditApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_settings_change_is_stored_with_its_audit_entry_old_to_new_by_the_caller()
    {
        await using var dashboard = await AuditDashboard.StartAsync();

        var defaults = await dashboard.GetJsonAsync<RuntimeSettingValue[]>("api/v1/settings");
        using var put = await dashboard.Http.PutAsJsonAsync("api/v1/settings/ApprovalLifetime", new { value = "48h" }, Ct);
        var changed = (await put.Content.ReadFromJsonAsync<RuntimeSettingValue>(AuditDashboard.Json, Ct))!;

        Assert.Equal(["TwoPersonRule=true", "RequiredApprovals=1", "ApprovalLifetime=24h"], defaults.Select(s => $"{s.Name}={s.Value}"));
        Assert.All(defaults, s => Assert.True(s.IsDefault));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(("2d", "Ada Admin", 2L), (changed.Value, changed.UpdatedBy, changed.AuditSequence));
        var entry = await dashboard.GetJsonAsync<AuditEntry>("api/v1/audit/2");
        Assert.Equal((AuditActions.SettingChanged, "setting", "ApprovalLifetime", "ok"), (entry.Action, entry.TargetKind, entry.TargetName, entry.Outcome));
        Assert.Equal("""{"new":"2d","old":"24h","oldWasDefault":true,"setting":"ApprovalLifetime"}""", entry.Details);
        // The signed-in caller (a bearer token from the identity provider), with where the request came from.
        Assert.Equal(("admin", "Ada Admin", """["Admin"]""", "bearer", "127.0.0.1"), (entry.ActorSubject, entry.ActorName, entry.ActorRoles, entry.ActorMethod, entry.ClientAddress));
        Assert.False(string.IsNullOrEmpty(entry.RequestId));
        using (var scope = dashboard.App.Services.CreateScope())
            Assert.Equal(TimeSpan.FromDays(2), await scope.ServiceProvider.GetRequiredService<Settings.RuntimeSettingsService>().GetAsync(DashboardSettings.ApprovalLifetime, Ct));

        // The same value again changes nothing and records nothing.
        Assert.Equal(HttpStatusCode.OK, await dashboard.PutSettingAsync("ApprovalLifetime", "48h"));
        Assert.Equal(2L, (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit")).HeadSequence);
    }

    [Fact]
    public async Task A_bad_value_or_an_unknown_setting_is_refused_and_nothing_is_recorded()
    {
        await using var dashboard = await AuditDashboard.StartAsync();
        (string Name, string Value, HttpStatusCode Status, string Message)[] cases =
        [
            ("RequiredApprovals", "0", HttpStatusCode.BadRequest, "a whole number from 1 to 10"),
            ("TwoPersonRule", "maybe", HttpStatusCode.BadRequest, "true or false"),
            ("NoSuchSetting", "1", HttpStatusCode.NotFound, "the settings are TwoPersonRule, RequiredApprovals, ApprovalLifetime"),
        ];

        foreach (var (name, value, status, message) in cases)
        {
            using var response = await dashboard.Http.PutAsJsonAsync($"api/v1/settings/{name}", new { value }, Ct);

            Assert.Equal(status, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>(AuditDashboard.Json, Ct))!;
            Assert.Contains(message, problem.Detail, StringComparison.Ordinal);
        }

        // Only the caller's sign-in.
        Assert.Equal(1L, (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit")).HeadSequence);
        Assert.Equal(HttpStatusCode.NotFound, (await dashboard.Http.GetAsync("api/v1/settings/NoSuchSetting", Ct)).StatusCode);
    }

    [Fact]
    public async Task When_the_audit_entry_cannot_be_written_the_api_answers_503_and_the_setting_is_unchanged()
    {
        await using var dashboard = await AuditDashboard.StartAsync();
        await AuditHarness.Tamper(dashboard.DatabasePath, "CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;");

        using var response = await dashboard.Http.PutAsJsonAsync("api/v1/settings/TwoPersonRule", new { value = "false" }, Ct);
        using var export = await dashboard.Http.GetAsync("api/v1/audit/export?format=csv", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not record 'settings.changed', so it was not done", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("true", (await dashboard.GetJsonAsync<RuntimeSettingValue>("api/v1/settings/TwoPersonRule")).Value);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, export.StatusCode);
    }

    [Fact]
    public async Task The_log_filters_by_actor_action_target_outcome_and_time_and_pages_by_sequence()
    {
        await using var dashboard = await AuditDashboard.StartAsync();
        var log = dashboard.Get<IAuditLog>();
        var bob = new AuditActor("bob-sub", "Bob", [Shared.Security.DashboardRole.Operator], "oidc");
        for (var i = 0; i < 7; i++)
        {
            await log.AppendAsync(new AuditRecord(i % 2 == 0 ? bob : AuditActor.System, i < 5 ? "plan.created" : "plan.approved",
                new AuditTarget("plan", $"p{i % 3}"), i == 6 ? AuditOutcome.Denied : AuditOutcome.Ok), Ct);
        }

        var first = await dashboard.GetJsonAsync<AuditPage>("api/v1/audit?limit=3");
        var second = await dashboard.GetJsonAsync<AuditPage>($"api/v1/audit?limit=3&before={first.NextBefore}");
        var last = await dashboard.GetJsonAsync<AuditPage>($"api/v1/audit?limit=3&before={second.NextBefore}");

        // Entry 1 is the caller's sign-in; the seven appended are 2–8.
        Assert.Equal([8L, 7, 6], first.Entries.Select(e => e.Sequence));
        Assert.Equal([5L, 4, 3], second.Entries.Select(e => e.Sequence));
        Assert.Equal([2L, 1], last.Entries.Select(e => e.Sequence));
        Assert.Equal(((long?)null, 8L), (last.NextBefore, last.HeadSequence));
        Assert.Equal([8L, 6, 4, 2], (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit?actor=Bob")).Entries.Select(e => e.Sequence));
        Assert.Equal([8L, 6, 4, 2], (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit?actor=bob-sub")).Entries.Select(e => e.Sequence));
        Assert.Equal([8L, 7], (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit?action=plan.approved")).Entries.Select(e => e.Sequence));
        Assert.Equal([7L, 4], (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit?targetKind=plan&target=p2")).Entries.Select(e => e.Sequence));
        Assert.Equal([8L], (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit?outcome=denied")).Entries.Select(e => e.Sequence));
        var at = (await dashboard.GetJsonAsync<AuditEntry>("api/v1/audit/5")).At;
        var iso = (DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
        Assert.All((await dashboard.GetJsonAsync<AuditPage>($"api/v1/audit?from={iso(at)}")).Entries, e => Assert.True(e.At >= at));
        Assert.Empty((await dashboard.GetJsonAsync<AuditPage>($"api/v1/audit?to={iso(at.AddYears(-1))}")).Entries);
        var facets = await dashboard.GetJsonAsync<AuditFacets>("api/v1/audit/facets");
        Assert.Equal([AuditActions.SignIn, "plan.approved", "plan.created"], facets.Actions);
        Assert.Equal(["plan"], facets.TargetKinds);
    }

    [Fact]
    public async Task Bad_audit_parameters_are_400_naming_the_parameter_and_an_unknown_entry_is_404()
    {
        await using var dashboard = await AuditDashboard.StartAsync();
        (string Path, string Parameter)[] cases =
        [
            ("api/v1/audit?outcome=maybe", "outcome"),
            ("api/v1/audit?from=yesterday", "from"),
            ("api/v1/audit?from=2026-12-07T10:00:00Z&to=2026-12-07T09:00:00Z", "to"),
            ("api/v1/audit?before=-1", "before"),
            ("api/v1/audit?limit=501", "limit"),
            ("api/v1/audit/export?format=xml", "format"),
        ];

        foreach (var (path, parameter) in cases)
        {
            using var response = await dashboard.Http.GetAsync(path, Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains($"'{parameter}'", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await dashboard.Http.GetAsync("api/v1/audit/999", Ct)).StatusCode);
        // Nothing refused was exported, so nothing was recorded (entry 1 is the caller's sign-in).
        Assert.Equal(1L, (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit")).HeadSequence);
        using var openApi = JsonDocument.Parse(await dashboard.Http.GetStringAsync("openapi/v1.json", Ct));
        var paths = openApi.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/audit", "/api/v1/audit/{sequence}", "/api/v1/audit/facets", "/api/v1/audit/verify", "/api/v1/audit/checkpoint", "/api/v1/audit/export", "/api/v1/settings", "/api/v1/settings/{name}" })
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");
    }

    [Fact]
    public async Task Exports_in_csv_and_json_carry_the_checkpoint_its_key_and_every_field_and_are_recorded()
    {
        await using var dashboard = await AuditDashboard.StartAsync();
        await dashboard.PutSettingAsync("RequiredApprovals", "2");
        await dashboard.PutSettingAsync("TwoPersonRule", "false");
        await dashboard.Get<AuditCheckpointWriter>().WriteOnceAsync(Ct);
        var checkpoint = (await dashboard.GetJsonAsync<CheckpointView>("api/v1/audit/checkpoint")).Checkpoint!;

        using var csv = await dashboard.Http.GetAsync("api/v1/audit/export?format=csv&action=settings.changed", Ct);
        var csvText = await csv.Content.ReadAsStringAsync(Ct);
        using var json = await dashboard.Http.GetAsync("api/v1/audit/export?format=json", Ct);
        using var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync(Ct));

        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("attachment; filename=\"cni-dashboard-audit-", csv.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var lines = csvText.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"# checkpoint: {checkpoint.ToJson()}", lines[2]);
        Assert.Equal("# filter: action=settings.changed", lines[1]);
        Assert.StartsWith($"# checkpoint-public-key: {checkpoint.KeyId} MFkw", lines[4], StringComparison.Ordinal);
        Assert.Equal("sequence,time,actor_subject,actor_name,actor_roles,actor_method,action,target_kind,target_name,outcome,details,client_address,request_id,prev_hash,hash", lines[5]);
        Assert.Equal(2, lines.Length - 6);
        Assert.StartsWith("2,", lines[6], StringComparison.Ordinal);
        Assert.Contains(",admin,Ada Admin,\"[\"\"Admin\"\"]\",bearer,settings.changed,setting,RequiredApprovals,ok,\"{\"\"new\"\":\"\"2\"\",", lines[6], StringComparison.Ordinal);

        var root = document.RootElement;
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal(AuditExporter.Format, root.GetProperty("format").GetString());
        Assert.Equal(checkpoint, AuditCheckpoint.Parse(root.GetProperty("checkpoint").GetRawText()));
        Assert.Contains("BEGIN PUBLIC KEY", root.GetProperty("publicKey").GetString(), StringComparison.Ordinal);
        var entries = root.GetProperty("entries").EnumerateArray().ToArray();
        // The sign-in, two changes, the checkpoint's entry, the CSV export's entry (written before this export began) and this export's.
        Assert.Equal([1L, 2, 3, 4, 5, 6], entries.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(6, root.GetProperty("entryCount").GetInt32());
        Assert.Equal(AuditActions.SignIn, entries[0].GetProperty("action").GetString());
        Assert.Equal("Admin", entries[1].GetProperty("actor").GetProperty("roles")[0].GetString());
        Assert.Equal("2", entries[1].GetProperty("details").GetProperty("new").GetString());
        Assert.Equal((AuditActions.Exported, "csv"), (entries[4].GetProperty("action").GetString(), entries[4].GetProperty("targetName").GetString()));
        Assert.Equal("settings.changed", entries[4].GetProperty("details").GetProperty("filter").GetProperty("action").GetString());
        // The export is complete and checkable: its entries re-hash to the chain, up to the checkpoint.
        var stored = await dashboard.Get<IAuditReader>().GetAsync(3, Ct);
        Assert.Equal(stored!.Hash, entries[2].GetProperty("hash").GetString());
        Assert.Equal(checkpoint.HeadHash, entries[(int)checkpoint.Sequence - 1].GetProperty("hash").GetString());
    }

    /// <summary>
    /// The export writes while it reads: with the store's reader held after 2,500 of 3,000 entries,
    /// the client has already received most of them — nothing waits for the whole result.
    /// </summary>
    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Exports_are_streamed_in_chunks_while_the_log_is_read(string format)
    {
        var gate = new GatedReader.Gate(pauseAfter: 2500);
        await using var dashboard = await AuditDashboard.StartAsync(b => b.Services.AddSingleton<IAuditReader>(sp => new GatedReader(sp.GetRequiredService<AuditLogRepository>(), gate)));
        var log = dashboard.Get<IAuditLog>();
        for (var i = 0; i < 3000; i++) await log.AppendAsync(AuditCaller.System.Record("test.bulk", new AuditTarget("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), AuditOutcome.Ok), Ct);

        using var response = await dashboard.Http.GetAsync($"api/v1/audit/export?format={format}", HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        using var reader = new StreamReader(body);
        var received = new System.Text.StringBuilder();
        var buffer = new char[8192];
        // A server that buffered the whole result would send nothing while its reader is held: the reads
        // below would wait until this deadline and fail.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (Count(received, format) < 2000)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(), deadline.Token);
            Assert.True(read > 0, "the export ended early");
            received.Append(buffer, 0, read);
        }

        // The reader goes on to its hold (it may not be there yet when 2,000 entries have arrived) and stays
        // there: nothing more is read from the store until the release, yet the client has most of the log.
        await gate.Paused.Task.WaitAsync(deadline.Token);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Null(response.Content.Headers.ContentLength);
        gate.Release.SetResult();
        received.Append(await reader.ReadToEndAsync(Ct));
        Assert.Equal(3001, Count(received, format));
    }

    private static int Count(System.Text.StringBuilder text, string format)
    {
        var s = text.ToString();
        var marker = format == "csv" ? ",test.bulk," : "\"action\":\"test.bulk\"";
        var count = 0;
        for (var i = s.IndexOf(marker, StringComparison.Ordinal); i >= 0; i = s.IndexOf(marker, i + 1, StringComparison.Ordinal)) count++;
        // The export's own entry (audit.exported) is the 3,001st.
        return count + (s.Contains("audit.exported", StringComparison.Ordinal) ? 1 : 0);
    }

    /// <summary>The store's reader, with its streams held after a number of entries until the test releases them.</summary>
    private sealed class GatedReader(AuditLogRepository inner, GatedReader.Gate gate) : IAuditReader
    {
        public sealed class Gate(int pauseAfter)
        {
            public int PauseAfter { get; } = pauseAfter;
            public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
            public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public Task<AuditPage> GetPageAsync(AuditQuery query, CancellationToken cancellationToken) => inner.GetPageAsync(query, cancellationToken);
        public Task<AuditEntry?> GetAsync(long sequence, CancellationToken cancellationToken) => inner.GetAsync(sequence, cancellationToken);
        public Task<AuditEntry?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);
        public Task<AuditFacets> GetFacetsAsync(CancellationToken cancellationToken) => inner.GetFacetsAsync(cancellationToken);
        public IAsyncEnumerable<AuditEntry> ReadChainAsync(long afterSequence, CancellationToken cancellationToken) => inner.ReadChainAsync(afterSequence, cancellationToken);

        public async IAsyncEnumerable<AuditEntry> ReadAsync(AuditQuery filter, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var n = 0;
            await foreach (var entry in inner.ReadAsync(filter, cancellationToken))
            {
                if (n++ == gate.PauseAfter)
                {
                    gate.Paused.TrySetResult();
                    await gate.Release.Task.WaitAsync(cancellationToken);
                }

                yield return entry;
            }
        }
    }
}
