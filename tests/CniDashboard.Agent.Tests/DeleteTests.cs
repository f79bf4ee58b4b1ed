using System.Net;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Tests;

/// <summary><c>POST /v1/files/{name}/delete</c>: the analyzer's "delete" edit for stray files, with apply's guarantees.</summary>
public sealed class DeleteTests
{
    private const string Stray = "00-backup-05-cilium.conflist";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<TempNode> NodeWithStrayAsync()
    {
        var node = new TempNode("incident");
        await File.WriteAllTextAsync(node.PathOf(Stray), node.Read("05-cilium.conflist"), Ct);
        File.SetUnixFileMode(node.PathOf(Stray), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        return node;
    }

    private static DeleteFileRequest Delete(TempNode node, string changeId, string name = Stray) =>
        new() { ChangeId = changeId, ExpectedSha256 = node.Sha(name), Reason = "stray copy loaded first" };

    private Task<HttpResponseMessage> PostDelete(RunningAgent agent, string name, DeleteFileRequest request) =>
        agent.Http.PostAsJsonAsync($"/v1/files/{Uri.EscapeDataString(name)}/delete", request, AgentJsonContext.Default.DeleteFileRequest, Ct);

    [Fact]
    public async Task Delete_backs_the_file_up_removes_it_journals_it_and_a_retry_changes_nothing()
    {
        using var node = await NodeWithStrayAsync();
        await using var agent = await RunningAgent.StartAsync(node);
        var bytes = await File.ReadAllBytesAsync(node.PathOf(Stray), Ct);
        var (_, before) = await agent.GetSnapshotAsync();
        Assert.Equal(Stray, before.PrimaryFile);
        var request = Delete(node, "delete-stray-1");

        var result = await RunningAgent.ResultOf(await PostDelete(agent, Stray, request));

        Assert.False(File.Exists(node.PathOf(Stray)));
        Assert.Equal("delete", result.Operation);
        Assert.Equal(request.ExpectedSha256, result.PreviousSha256);
        Assert.Null(result.NewSha256);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(node.BackupDir, result.BackupId + ".bak"), Ct));
        var (_, after) = await agent.GetSnapshotAsync();
        Assert.Equal("05-cilium.conflist", after.PrimaryFile);
        var backup = Assert.Single(await agent.Http.GetFromJsonAsync("/v1/backups", AgentJsonContext.Default.IReadOnlyListBackupInfo, Ct) ?? []);
        Assert.Equal(("delete", (string?)null, Stray), (backup.Operation, backup.NewSha256, backup.File));
        Assert.Contains(agent.Logs.GetSnapshot(), r => r.Id.Id == 1 && r.Message.Contains("delete-stray-1", StringComparison.Ordinal) && r.Message.Contains("(deleted)", StringComparison.Ordinal));

        var replay = await RunningAgent.ResultOf(await PostDelete(agent, Stray, request));
        Assert.True(replay.Replayed);
        Assert.Equal(result.BackupId, replay.BackupId);
        Assert.Single(Directory.GetFiles(node.BackupDir, "*.bak"));
    }

    [Fact]
    public async Task Any_regular_file_of_the_folder_may_be_deleted_a_leftover_kubeconfig_too()
    {
        using var node = new TempNode("incident");
        await File.WriteAllTextAsync(node.PathOf("ZZZ-istio-cni-kubeconfig"), "apiVersion: v1\nkind: Config\n", Ct);
        await using var agent = await RunningAgent.StartAsync(node);

        var result = await RunningAgent.ResultOf(await PostDelete(agent, "ZZZ-istio-cni-kubeconfig", Delete(node, "istio-leftover", "ZZZ-istio-cni-kubeconfig")));

        Assert.Null(result.NewSha256);
        Assert.False(File.Exists(node.PathOf("ZZZ-istio-cni-kubeconfig")));
    }

    [Fact]
    public async Task Delete_refusals_stale_sha_missing_file_directory_link_and_a_reused_change_id()
    {
        using var node = await NodeWithStrayAsync();
        Directory.CreateDirectory(node.PathOf("01-dir.conflist"));
        File.CreateSymbolicLink(node.PathOf("02-link.conflist"), "05-cilium.conflist");
        await using var agent = await RunningAgent.StartAsync(node);
        var sha = node.Sha(Stray);

        var stale = await RunningAgent.ErrorOf(await PostDelete(agent, Stray, new DeleteFileRequest { ChangeId = "d1", ExpectedSha256 = new string('a', 64) }), HttpStatusCode.Conflict);
        Assert.Equal(AgentErrorCodes.ShaMismatch, stale.Code);
        Assert.Equal(sha, stale.CurrentSha256);
        Assert.True(File.Exists(node.PathOf(Stray)));

        var missing = await RunningAgent.ErrorOf(await PostDelete(agent, "99-none.conflist", new DeleteFileRequest { ChangeId = "d2", ExpectedSha256 = sha }), HttpStatusCode.NotFound);
        Assert.Equal(AgentErrorCodes.NotFound, missing.Code);
        foreach (var name in new[] { "01-dir.conflist", "02-link.conflist" })
        {
            var refused = await RunningAgent.ErrorOf(await PostDelete(agent, name, new DeleteFileRequest { ChangeId = "d3", ExpectedSha256 = sha }), HttpStatusCode.BadRequest);
            Assert.Equal(AgentErrorCodes.InvalidName, refused.Code);
        }
        Assert.True(Directory.Exists(node.PathOf("01-dir.conflist")));
        Assert.True(File.Exists(node.PathOf("05-cilium.conflist")));

        await RunningAgent.ResultOf(await PostDelete(agent, Stray, new DeleteFileRequest { ChangeId = "d4", ExpectedSha256 = sha }));
        var reused = await RunningAgent.ErrorOf(await PostDelete(agent, "10-aws.conflist", Delete(node, "d4", "10-aws.conflist")), HttpStatusCode.Conflict);
        Assert.Equal(AgentErrorCodes.ChangeIdReused, reused.Code);
        Assert.True(File.Exists(node.PathOf("10-aws.conflist")));
        Assert.Single(Directory.GetFiles(node.BackupDir, "*.bak"));
    }

    [Fact]
    public async Task A_delete_interrupted_before_its_journal_line_is_answered_as_done_when_retried_after_a_restart()
    {
        using var node = await NodeWithStrayAsync();
        var request = Delete(node, "delete-crash-1");
        FileChangeResult first;
        await using (var agent = await RunningAgent.StartAsync(node))
        {
            first = await RunningAgent.ResultOf(await PostDelete(agent, Stray, request));
        }
        // As if the agent died after the unlink and before the journal line: the file is gone, the backup is there.
        File.Delete(Path.Combine(node.BackupDir, "changes.jsonl"));

        await using var restarted = await RunningAgent.StartAsync(node);
        var retry = await RunningAgent.ResultOf(await PostDelete(restarted, Stray, request));

        Assert.True(retry.Replayed);
        Assert.Equal((first.BackupId, first.PreviousSha256, (string?)null), (retry.BackupId, retry.PreviousSha256, retry.NewSha256));
        Assert.False(File.Exists(node.PathOf(Stray)));
        Assert.Single(Directory.GetFiles(node.BackupDir, "*.bak"));
    }

    [Fact]
    public async Task Restoring_a_deleted_file_recreates_its_bytes_and_mode_and_expects_it_absent()
    {
        using var node = await NodeWithStrayAsync();
        await using var agent = await RunningAgent.StartAsync(node);
        var bytes = await File.ReadAllBytesAsync(node.PathOf(Stray), Ct);
        var deleted = await RunningAgent.ResultOf(await PostDelete(agent, Stray, Delete(node, "delete-1")));
        // The rollback passes what the change left (null: no file) as the precondition.
        var restore = new RestoreFileRequest { ChangeId = "rollback-1", BackupId = deleted.BackupId!, ExpectedSha256 = deleted.NewSha256 };

        var restored = await RunningAgent.ResultOf(await agent.RestoreAsync(Stray, restore));

        Assert.Equal(bytes, await File.ReadAllBytesAsync(node.PathOf(Stray), Ct));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(node.PathOf(Stray)));
        Assert.Equal((null, deleted.PreviousSha256, null), (restored.PreviousSha256, restored.NewSha256, restored.BackupId));
        Assert.True((await RunningAgent.ResultOf(await agent.RestoreAsync(Stray, restore))).Replayed);

        // Expecting the file absent while it holds the backup's bytes already: nothing to do, answered as done.
        var again = await RunningAgent.ResultOf(await agent.RestoreAsync(Stray, restore with { ChangeId = "rollback-2" }));
        Assert.True(again.Replayed);
        // While it holds anything else: a conflict, never an overwrite.
        await File.WriteAllTextAsync(node.PathOf(Stray), "{}", Ct);
        var conflict = await RunningAgent.ErrorOf(await agent.RestoreAsync(Stray, restore with { ChangeId = "rollback-3" }), HttpStatusCode.Conflict);
        Assert.Equal(AgentErrorCodes.ShaMismatch, conflict.Code);
        Assert.Equal(TempNode.Sha256Of("{}"), conflict.CurrentSha256);
        Assert.Equal("{}", node.Read(Stray));
        await File.WriteAllBytesAsync(node.PathOf(Stray), bytes, Ct);
        agent.Agent.Invalidate();
        var (_, snapshot) = await agent.GetSnapshotAsync();
        Assert.Equal(Stray, snapshot.PrimaryFile);
        Assert.Equal(PrimaryStatus.Loaded, snapshot.PrimaryStatus);
    }
}
