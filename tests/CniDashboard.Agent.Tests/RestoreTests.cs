using System.Net;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Agent.Tests;

public sealed class RestoreTests
{
    private const string Aws = "10-aws.conflist";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApplyFileRequest Edit(TempNode node, string changeId, string mtu) => new()
    {
        ChangeId = changeId,
        ExpectedSha256 = node.Sha(Aws),
        Content = node.Read(Aws).Replace("\"mtu\": \"9001\"", $"\"mtu\": \"{mtu}\"", StringComparison.Ordinal)
            .Replace("\"mtu\": \"1500\"", $"\"mtu\": \"{mtu}\"", StringComparison.Ordinal),
    };

    [Fact]
    public async Task Restore_puts_the_original_bytes_back_and_backs_up_what_it_replaces()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var original = await File.ReadAllBytesAsync(node.PathOf(Aws), Ct);
        var applied = await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, "edit-1", "1500")));

        var restore = new RestoreFileRequest { ChangeId = "rollback-1", BackupId = applied.BackupId!, ExpectedSha256 = applied.NewSha256 };
        var restored = await RunningAgent.ResultOf(await agent.RestoreAsync(Aws, restore));

        Assert.Equal(original, await File.ReadAllBytesAsync(node.PathOf(Aws), Ct));
        Assert.Equal(applied.PreviousSha256, restored.NewSha256);
        Assert.NotEqual(applied.BackupId, restored.BackupId);
        var backups = await agent.Http.GetFromJsonAsync("/v1/backups", AgentJsonContext.Default.IReadOnlyListBackupInfo, Ct);
        Assert.Equal(["rollback-1", "edit-1"], backups!.Select(b => b.ChangeId));
        Assert.Equal(applied.NewSha256, backups![0].Sha256);

        var replay = await RunningAgent.ResultOf(await agent.RestoreAsync(Aws, restore));
        Assert.True(replay.Replayed);
    }

    [Fact]
    public async Task Restore_refusals_unknown_backup_other_file_and_stale_sha()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var applied = await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, "edit-1", "1500")));

        var unknown = await RunningAgent.ErrorOf(
            await agent.RestoreAsync(Aws, new RestoreFileRequest { ChangeId = "r1", BackupId = "20990101T000000000Z-nope", ExpectedSha256 = applied.NewSha256 }),
            HttpStatusCode.NotFound);
        Assert.Equal(AgentErrorCodes.BackupNotFound, unknown.Code);

        var otherFile = await RunningAgent.ErrorOf(
            await agent.RestoreAsync("05-cilium.conflist", new RestoreFileRequest { ChangeId = "r2", BackupId = applied.BackupId!, ExpectedSha256 = node.Sha("05-cilium.conflist") }),
            HttpStatusCode.BadRequest);
        Assert.Equal(AgentErrorCodes.BackupMismatch, otherFile.Code);

        var stale = await RunningAgent.ErrorOf(
            await agent.RestoreAsync(Aws, new RestoreFileRequest { ChangeId = "r3", BackupId = applied.BackupId!, ExpectedSha256 = applied.PreviousSha256 }),
            HttpStatusCode.Conflict);
        Assert.Equal(AgentErrorCodes.ShaMismatch, stale.Code);
        Assert.Equal(applied.NewSha256, stale.CurrentSha256);
        Assert.Equal(applied.NewSha256, node.Sha(Aws));
    }

    [Fact]
    public async Task Backups_are_kept_to_the_count_cap_oldest_pruned_first()
    {
        using var node = new TempNode();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        await using var agent = await RunningAgent.StartAsync(node, o => o with { MaxBackups = 3 }, time);

        for (var i = 1; i <= 5; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, $"edit-{i}", (1500 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        var backups = await agent.Http.GetFromJsonAsync("/v1/backups", AgentJsonContext.Default.IReadOnlyListBackupInfo, Ct);
        Assert.Equal(["edit-5", "edit-4", "edit-3"], backups!.Select(b => b.ChangeId));
        Assert.Equal(3, Directory.GetFiles(node.BackupDir, "*.bak").Length);
        Assert.Equal(3, Directory.GetFiles(node.BackupDir, "*.json").Length);
    }

    [Fact]
    public async Task Backups_older_than_the_age_cap_are_pruned()
    {
        using var node = new TempNode();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        await using var agent = await RunningAgent.StartAsync(node, o => o with { MaxBackupAge = TimeSpan.FromDays(7) }, time);
        await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, "old", "1500")));
        time.Advance(TimeSpan.FromDays(6));
        await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, Edit(node, "recent", "1501")));

        time.Advance(TimeSpan.FromDays(2));
        var backups = await agent.Http.GetFromJsonAsync("/v1/backups", AgentJsonContext.Default.IReadOnlyListBackupInfo, Ct);

        Assert.Equal(["recent"], backups!.Select(b => b.ChangeId));
        Assert.Single(Directory.GetFiles(node.BackupDir, "*.bak"));
    }
}
