using System.Net;
using CniDashboard.Agent.Node;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Agent.Tests;

public sealed class JournalTests
{
    private const string Aws = "10-aws.conflist";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApplyFileRequest Edit(TempNode node, string changeId, string mtu) => new()
    {
        ChangeId = changeId,
        ExpectedSha256 = node.Sha(Aws),
        Content = node.Read(Aws).Replace("\"mtu\": \"9001\"", $"\"mtu\": \"{mtu}\"", StringComparison.Ordinal),
    };

    private static ChangeRecord Record(string id) => new()
    {
        ChangeId = id,
        RequestHash = "h-" + id,
        Result = new FileChangeResult { ChangeId = id, File = Aws, PreviousSha256 = "a", NewSha256 = "b", BackupId = "bk-" + id },
    };

    [Fact]
    public async Task Retry_after_a_crash_between_rename_and_journal_is_recognised_from_the_backup()
    {
        using var node = new TempNode();
        var request = Edit(node, "renamed-not-journaled", "1500");
        FileChangeResult first;
        await using (var agent = await RunningAgent.StartAsync(node))
            first = await RunningAgent.ResultOf(await agent.ApplyAsync(Aws, request));

        // The journal line never made it to disk; the backup (written before the rename) did.
        File.Delete(Path.Combine(node.BackupDir, "changes.jsonl"));

        await using var restarted = await RunningAgent.StartAsync(node);
        var retry = await RunningAgent.ResultOf(await restarted.ApplyAsync(Aws, request));

        Assert.True(retry.Replayed);
        Assert.Equal(first.BackupId, retry.BackupId);
        Assert.Equal(first.NewSha256, node.Sha(Aws));
        Assert.Single(Directory.GetFiles(node.BackupDir, "*.bak"));
    }

    [Fact]
    public void A_torn_last_line_is_skipped_and_later_records_survive()
    {
        using var node = new TempNode();
        Directory.CreateDirectory(node.BackupDir);
        var journal = new ChangeJournal(node.BackupDir, 100);
        journal.Append(Record("one"));
        File.AppendAllText(Path.Combine(node.BackupDir, "changes.jsonl"), "{\"changeId\":\"torn\",\"reque");

        var reopened = new ChangeJournal(node.BackupDir, 100);
        reopened.Append(Record("two"));
        var third = new ChangeJournal(node.BackupDir, 100);

        Assert.NotNull(third.Find("one"));
        Assert.Null(third.Find("torn"));
        Assert.Equal("bk-two", third.Find("two")!.Result.BackupId);
    }

    [Fact]
    public void Journal_keeps_the_newest_changes_up_to_its_cap_and_compacts_the_file()
    {
        using var node = new TempNode();
        Directory.CreateDirectory(node.BackupDir);
        var journal = new ChangeJournal(node.BackupDir, 3);
        for (var i = 1; i <= 10; i++) journal.Append(Record($"c{i}"));

        var reopened = new ChangeJournal(node.BackupDir, 3);

        Assert.Null(reopened.Find("c7"));
        Assert.NotNull(reopened.Find("c8"));
        Assert.NotNull(reopened.Find("c10"));
        Assert.True(File.ReadAllLines(Path.Combine(node.BackupDir, "changes.jsonl")).Length <= 6);
    }

    [Fact]
    public async Task Oversized_request_body_is_refused_without_writing()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var huge = "{\"changeId\":\"huge\",\"expectedSha256\":\"" + node.Sha(Aws) + "\",\"content\":\"" + new string('x', (int)Http.AgentEndpoints.MaxRequestBodyBytes + 10) + "\"}";

        // Chunked, so the limit is enforced while reading, not from Content-Length.
        using var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/files/{Aws}/apply") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await agent.Http.SendAsync(request, Ct);

        var error = await RunningAgent.ErrorOf(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(AgentErrorCodes.InvalidRequest, error.Code);
        Assert.DoesNotContain("xxxx", node.Read(Aws), StringComparison.Ordinal);
    }
}
