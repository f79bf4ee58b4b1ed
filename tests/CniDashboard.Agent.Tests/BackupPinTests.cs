using System.Globalization;
using System.Net;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Agent.Tests;

/// <summary>Backups a plan may roll back to stay until it lets go of them; retention still bounds the rest.</summary>
public sealed class BackupPinTests
{
    private const string Aws = "10-aws.conflist";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApplyFileRequest Edit(TempNode node, string changeId, int mtu) => new()
    {
        ChangeId = changeId,
        ExpectedSha256 = node.Sha(Aws),
        Content = System.Text.RegularExpressions.Regex.Replace(node.Read(Aws), "\"mtu\": \"[0-9]+\"", $"\"mtu\": \"{mtu.ToString(CultureInfo.InvariantCulture)}\""),
    };

    private static Task<HttpResponseMessage> Pin(RunningAgent agent, string id, string owner, string verb = "pin") =>
        agent.Http.PostAsJsonAsync($"/v1/backups/{Uri.EscapeDataString(id)}/{verb}", new PinBackupRequest { Owner = owner }, AgentJsonContext.Default.PinBackupRequest, Ct);

    private static async Task<BackupInfo> BackupOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize(body, AgentJsonContext.Default.BackupInfo)!;
    }

    private static async Task<IReadOnlyList<BackupInfo>> List(RunningAgent agent) =>
        await agent.Http.GetFromJsonAsync("/v1/backups", AgentJsonContext.Default.IReadOnlyListBackupInfo, Ct) ?? [];

    [Fact]
    public async Task A_pinned_backup_outlives_the_count_cap_and_the_age_cap_until_unpinned()
    {
        using var node = new TempNode();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        await using var agent = await RunningAgent.StartAsync(node, o => o with { MaxBackups = 2, MaxBackupAge = TimeSpan.FromDays(7) }, time);
        var first = await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, "plan-7-edit", 1501)));

        var pinned = await BackupOf(await Pin(agent, first.BackupId!, "plan-7"));
        Assert.Equal(["plan-7"], pinned.PinnedBy);
        Assert.Equal(first.NewSha256, pinned.NewSha256);
        for (var i = 2; i <= 5; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, $"busy-{i}", 1500 + i)));
        }

        // Two unpinned (the cap) plus the pinned one, which does not count against it.
        Assert.Equal(["busy-5", "busy-4", "plan-7-edit"], (await List(agent)).Select(b => b.ChangeId));
        time.Advance(TimeSpan.FromDays(8));
        Assert.Equal(["plan-7-edit"], (await List(agent)).Select(b => b.ChangeId));

        // A second owner holds it too; it goes only when the last one lets go.
        await BackupOf(await Pin(agent, first.BackupId!, "plan-8"));
        Assert.Equal(["plan-8"], (await BackupOf(await Pin(agent, first.BackupId!, "plan-7", "unpin"))).PinnedBy);
        Assert.Single(await List(agent));
        var released = await BackupOf(await Pin(agent, first.BackupId!, "plan-8", "unpin"));
        Assert.Empty(released.PinnedBy);
        Assert.Empty(await List(agent));
        Assert.Empty(Directory.GetFiles(node.BackupDir, "*.bak"));
    }

    [Fact]
    public async Task Restoring_with_the_count_at_its_cap_keeps_the_backup_it_restores()
    {
        using var node = new TempNode();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        await using var agent = await RunningAgent.StartAsync(node, o => o with { MaxBackups = 3 }, time);
        var original = await File.ReadAllBytesAsync(node.PathOf(Aws), Ct);
        var edits = new List<FileChangeResult>();
        for (var i = 1; i <= 3; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            edits.Add(await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, $"edit-{i}", 1500 + i))));
        }
        time.Advance(TimeSpan.FromMinutes(1));

        // The oldest backup (the original bytes) is the one a rollback puts back, with the cap reached.
        var restored = await RunningAgent.ResultOf(await agent.RestoreAsync(Aws,
            new RestoreFileRequest { ChangeId = "rollback-1", BackupId = edits[0].BackupId!, ExpectedSha256 = edits[2].NewSha256 }));

        Assert.Equal(original, await File.ReadAllBytesAsync(node.PathOf(Aws), Ct));
        var kept = (await List(agent)).Select(b => b.ChangeId).ToArray();
        Assert.Equal(["rollback-1", "edit-3", "edit-1"], kept);
        Assert.True(File.Exists(Path.Combine(node.BackupDir, edits[0].BackupId + ".bak")));
        // It can still be restored (a rollback retried under a new change id finds it).
        var again = await RunningAgent.ResultOf(await agent.RestoreAsync(Aws,
            new RestoreFileRequest { ChangeId = "rollback-2", BackupId = edits[0].BackupId!, ExpectedSha256 = restored.NewSha256 }));
        Assert.Equal(restored.NewSha256, again.NewSha256);
        Assert.Equal(original, await File.ReadAllBytesAsync(node.PathOf(Aws), Ct));
    }

    [Fact]
    public async Task Pins_are_capped_in_number_and_survive_a_restart()
    {
        using var node = new TempNode();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        FileChangeResult a, b;
        await using (var agent = await RunningAgent.StartAsync(node, o => o with { MaxPinnedBackups = 1 }, time))
        {
            a = await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, "a", 1501)));
            time.Advance(TimeSpan.FromMinutes(1));
            b = await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, "b", 1502)));
            await BackupOf(await Pin(agent, a.BackupId!, "plan-1"));

            var limit = await RunningAgent.ErrorOf(await Pin(agent, b.BackupId!, "plan-1"), HttpStatusCode.Conflict);
            Assert.Equal(AgentErrorCodes.PinLimit, limit.Code);
            // Another owner of a backup already pinned costs no more room.
            Assert.Equal(["plan-1", "plan-2"], (await BackupOf(await Pin(agent, a.BackupId!, "plan-2"))).PinnedBy);
        }

        await using var restarted = await RunningAgent.StartAsync(node, o => o with { MaxPinnedBackups = 1, MaxBackups = 1 }, time);
        var listed = await List(restarted);
        Assert.Equal(["b", "a"], listed.Select(x => x.ChangeId));
        Assert.Equal(["plan-1", "plan-2"], listed.Single(x => x.Id == a.BackupId).PinnedBy);
        Assert.Empty(listed.Single(x => x.Id == b.BackupId).PinnedBy);
    }

    [Fact]
    public async Task Pin_refusals_unknown_backup_and_bad_owner()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var applied = await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, "a", 1501)));

        Assert.Equal(AgentErrorCodes.BackupNotFound, (await RunningAgent.ErrorOf(await Pin(agent, "20990101T000000000Z-nope", "plan-1"), HttpStatusCode.NotFound)).Code);
        Assert.Equal(AgentErrorCodes.BackupNotFound, (await RunningAgent.ErrorOf(await Pin(agent, "20990101T000000000Z-nope", "plan-1", "unpin"), HttpStatusCode.NotFound)).Code);
        foreach (var owner in new[] { "", "../plan", new string('p', 200), "plan 1" })
            Assert.Equal(AgentErrorCodes.InvalidRequest, (await RunningAgent.ErrorOf(await Pin(agent, applied.BackupId!, owner), HttpStatusCode.BadRequest)).Code);
        Assert.Empty((await List(agent)).Single().PinnedBy);
    }
}
