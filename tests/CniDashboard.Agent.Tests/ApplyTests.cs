using System.Net;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Agent.Tests;

public sealed class ApplyTests
{
    private const string Cilium = "05-cilium.conflist";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The incident fix: the primary conflist without its stale linkerd-cni entry.</summary>
    private static string WithoutLinkerd(string conflist)
    {
        var start = conflist.IndexOf(",\n    {\n      \"name\": \"linkerd-cni\"", StringComparison.Ordinal);
        var end = conflist.LastIndexOf("\n  ]", StringComparison.Ordinal);
        return conflist[..start] + conflist[end..];
    }

    private static ApplyFileRequest Fix(TempNode node, string changeId = "fix-incident-1") => new()
    {
        ChangeId = changeId,
        ExpectedSha256 = node.Sha(Cilium),
        Content = WithoutLinkerd(node.Read(Cilium)),
        Reason = "remove stale linkerd-cni entry",
    };

    [Fact]
    public async Task Apply_writes_the_file_keeps_its_mode_backs_up_the_old_bytes_and_logs_one_line()
    {
        using var node = new TempNode("incident");
        await using var agent = await RunningAgent.StartAsync(node);
        var before = node.Read(Cilium);
        var oldSha = node.Sha(Cilium);
        var request = Fix(node);

        var result = await RunningAgent.ResultOf(await agent.ApplyAsync(Cilium, request));

        Assert.Equal(request.Content, node.Read(Cilium));
        Assert.Equal(TempNode.Sha256Of(request.Content), result.NewSha256);
        Assert.Equal(oldSha, result.PreviousSha256);
        Assert.False(result.Replayed);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(node.PathOf(Cilium)));
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(node.BackupDir, result.BackupId + ".bak"), Ct));
        Assert.DoesNotContain(Directory.GetFiles(node.CniDir), f => Path.GetFileName(f).StartsWith(".cni-dashboard-", StringComparison.Ordinal));

        var (_, snapshot) = await agent.GetSnapshotAsync();
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni"], snapshot.Chain);

        var line = Assert.Single(agent.Logs.GetSnapshot(), r => r.Category == typeof(Node.NodeAgent).FullName && r.Id.Id == 1);
        Assert.Contains("fix-incident-1", line.Message, StringComparison.Ordinal);
        Assert.Contains(oldSha, line.Message, StringComparison.Ordinal);
        Assert.Contains(result.NewSha256!, line.Message, StringComparison.Ordinal);
        Assert.Contains("static-token", line.Message, StringComparison.Ordinal);
        Assert.Contains(Cilium, line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cniVersion", agent.AllLogText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("%2Fetc%2Fcni%2Fnet.d%2F05-cilium.conflist")]
    [InlineData("sub%2F05-cilium.conflist")]
    [InlineData("a%5Cb.conflist")]
    [InlineData("..")]
    [InlineData("%2E%2E")]
    public async Task Names_that_are_not_plain_file_names_are_refused_with_400(string encodedName)
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);

        var response = await agent.PostAsync($"/v1/files/{encodedName}/apply", """{"changeId":"c1","expectedSha256":"0000000000000000000000000000000000000000000000000000000000000000","content":"{}"}""");

        // ".." may be collapsed by the server before routing; then no route matches at all.
        if (response.StatusCode == HttpStatusCode.NotFound && encodedName is ".." or "%2E%2E")
        {
            Assert.Empty(await response.Content.ReadAsStringAsync(Ct));
            return;
        }
        var error = await RunningAgent.ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal(AgentErrorCodes.InvalidName, error.Code);
    }

    [Fact]
    public async Task Symlinks_are_refused_with_400_whether_they_leave_the_folder_or_not()
    {
        using var node = new TempNode();
        var outside = Path.Combine(node.Root, "outside.conflist");
        File.Copy(node.PathOf("10-aws.conflist"), outside);
        File.CreateSymbolicLink(node.PathOf("01-out.conflist"), outside);
        File.CreateSymbolicLink(node.PathOf("02-in.conflist"), node.PathOf("10-aws.conflist"));
        await using var agent = await RunningAgent.StartAsync(node);

        foreach (var link in new[] { "01-out.conflist", "02-in.conflist" })
        {
            var request = new ApplyFileRequest { ChangeId = "link-" + link[..2], ExpectedSha256 = node.Sha("10-aws.conflist"), Content = node.Read("10-aws.conflist") };
            var error = await RunningAgent.ErrorOf(await agent.ApplyAsync(link, request), HttpStatusCode.BadRequest);
            Assert.Equal(AgentErrorCodes.InvalidName, error.Code);
            Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        }
        Assert.Equal(File.ReadAllText(node.PathOf("10-aws.conflist")), File.ReadAllText(outside));
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public async Task Directory_is_refused_with_400()
    {
        using var node = new TempNode();
        Directory.CreateDirectory(node.PathOf("99-dir.conflist"));
        await using var agent = await RunningAgent.StartAsync(node);
        var request = new ApplyFileRequest { ChangeId = "dir", ExpectedSha256 = new string('0', 64), Content = node.Read("10-aws.conflist") };

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync("99-dir.conflist", request), HttpStatusCode.BadRequest);

        Assert.Equal(AgentErrorCodes.InvalidName, error.Code);
    }

    [Fact]
    public async Task Missing_file_is_404_and_nothing_is_created()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var request = new ApplyFileRequest { ChangeId = "new-file", ExpectedSha256 = new string('0', 64), Content = node.Read("10-aws.conflist") };

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync("01-new.conflist", request), HttpStatusCode.NotFound);

        Assert.Equal(AgentErrorCodes.NotFound, error.Code);
        Assert.False(File.Exists(node.PathOf("01-new.conflist")));
    }

    [Fact]
    public async Task Kubeconfig_is_not_writable()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var request = new ApplyFileRequest { ChangeId = "kc", ExpectedSha256 = node.Sha("ZZZ-linkerd-cni-kubeconfig"), Content = "apiVersion: v1\n" };

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync("ZZZ-linkerd-cni-kubeconfig", request), HttpStatusCode.BadRequest);

        Assert.Equal(AgentErrorCodes.NotWritable, error.Code);
        Assert.Contains(TempNode.ReferenceTokenSignature, node.Read("ZZZ-linkerd-cni-kubeconfig"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("05-cilium.conflist", "{\"cniVersion\": \"0.4.0\", \"name\": \"aws-cni\", \"plugins\": [", "line")]
    [InlineData("05-cilium.conflist", "{\"cniVersion\": \"0.4.0\", \"name\": \"aws-cni\"}", "no 'plugins' key")]
    [InlineData("05-cilium.conflist", "{\"cniVersion\": \"0.4.0\", \"name\": \"aws-cni\", \"plugins\": []}", "plugins")]
    [InlineData("05-cilium.conflist", "[1, 2]", "cannot unmarshal")]
    [InlineData("10-single.conf", "{\"cniVersion\": \"0.4.0\", \"name\": \"x\", \"plugins\": [{\"type\": \"aws-cni\"}]}", "type")]
    public async Task Content_the_runtime_would_not_load_is_refused_with_422(string name, string content, string expectedInMessage)
    {
        using var node = new TempNode();
        if (name == "10-single.conf") await File.WriteAllTextAsync(node.PathOf(name), "{\"cniVersion\": \"0.4.0\", \"name\": \"x\", \"type\": \"bridge\"}", Ct);
        await using var agent = await RunningAgent.StartAsync(node);
        var before = node.Read(name);
        var request = new ApplyFileRequest { ChangeId = "bad-content", ExpectedSha256 = node.Sha(name), Content = content };

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync(name, request), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(AgentErrorCodes.InvalidContent, error.Code);
        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, node.Read(name));
        Assert.False(Directory.Exists(node.BackupDir) && Directory.GetFiles(node.BackupDir, "*.bak").Length > 0);
    }

    [Fact]
    public async Task Content_with_a_redaction_placeholder_is_refused_with_422()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var content = node.Read("10-aws.conflist").Replace("\"log_level\": \"info\"", "\"k8s_auth_token\": \"<redacted sha256:0123456789ab>\"", StringComparison.Ordinal);
        var request = new ApplyFileRequest { ChangeId = "redacted", ExpectedSha256 = node.Sha("10-aws.conflist"), Content = content };

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync("10-aws.conflist", request), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(AgentErrorCodes.RedactedContent, error.Code);
    }

    [Fact]
    public async Task Content_over_the_cap_is_refused_with_422()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node, o => o with { ReadOptions = new Shared.Cni.CniFolderReadOptions { MaxContentBytes = 4096 } });
        var padded = node.Read("10-aws.conflist").Replace("\"snat\": true", "\"snat\": true, \"pad\": \"" + new string('x', 5000) + "\"", StringComparison.Ordinal);
        var request = new ApplyFileRequest { ChangeId = "too-big", ExpectedSha256 = node.Sha("10-aws.conflist"), Content = padded };

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync("10-aws.conflist", request), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(AgentErrorCodes.InvalidContent, error.Code);
        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_expected_sha_is_409_with_the_current_sha_and_nothing_is_written()
    {
        using var node = new TempNode("incident");
        await using var agent = await RunningAgent.StartAsync(node);
        var request = Fix(node) with { ExpectedSha256 = TempNode.Sha256Of("something else") };

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync(Cilium, request), HttpStatusCode.Conflict);

        Assert.Equal(AgentErrorCodes.ShaMismatch, error.Code);
        Assert.Equal(node.Sha(Cilium), error.CurrentSha256);
        Assert.Contains("linkerd-cni", node.Read(Cilium), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_409_refreshes_the_snapshot_so_the_callers_next_read_shows_the_bytes_it_was_refused_for()
    {
        using var node = new TempNode("incident");
        // No watcher and no rescan: only the agent's own reads can tell it the folder changed.
        await using var agent = await RunningAgent.StartAsync(node, o => o with { WatchFolder = false, RescanInterval = Timeout.InfiniteTimeSpan });
        var request = Fix(node);
        var (_, before) = await agent.GetSnapshotAsync();
        await File.AppendAllTextAsync(node.PathOf(Cilium), "\n", TestContext.Current.CancellationToken);

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync(Cilium, request), HttpStatusCode.Conflict);
        var (_, after) = await agent.GetSnapshotAsync();

        Assert.Equal(node.Sha(Cilium), error.CurrentSha256);
        Assert.NotEqual(before.Files.Single(f => f.Name == Cilium).Sha256, error.CurrentSha256);
        Assert.Equal(error.CurrentSha256, after.Files.Single(f => f.Name == Cilium).Sha256);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"changeId\": \"x\"}")]
    [InlineData("{\"changeId\": \"../../x\", \"expectedSha256\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"content\": \"{}\"}")]
    [InlineData("{\"changeId\": \"ok\", \"expectedSha256\": \"ABC\", \"content\": \"{}\"}")]
    [InlineData("")]
    public async Task Malformed_requests_are_400(string body)
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);

        var error = await RunningAgent.ErrorOf(await agent.PostAsync($"/v1/files/{Cilium}/apply", body), HttpStatusCode.BadRequest);

        Assert.Equal(AgentErrorCodes.InvalidRequest, error.Code);
    }

    [Fact]
    public async Task Retrying_a_change_id_returns_the_first_result_and_writes_nothing_also_after_a_restart()
    {
        using var node = new TempNode("incident");
        var request = Fix(node);
        FileChangeResult first;
        await using (var agent = await RunningAgent.StartAsync(node))
        {
            first = await RunningAgent.ResultOf(await agent.ApplyAsync(Cilium, request));

            // Someone edits the file afterwards: a replay must not overwrite it.
            await File.AppendAllTextAsync(node.PathOf(Cilium), "\n", Ct);
            var edited = node.Sha(Cilium);
            var again = await RunningAgent.ResultOf(await agent.ApplyAsync(Cilium, request));

            Assert.True(again.Replayed);
            Assert.Equal(first with { Replayed = true }, again);
            Assert.Equal(edited, node.Sha(Cilium));
            Assert.Single(Directory.GetFiles(node.BackupDir, "*.bak"));
        }

        await using (var restarted = await RunningAgent.StartAsync(node))
        {
            var replay = await RunningAgent.ResultOf(await restarted.ApplyAsync(Cilium, request));
            Assert.True(replay.Replayed);
            Assert.Equal(first.NewSha256, replay.NewSha256);
            Assert.Equal(first.BackupId, replay.BackupId);
            Assert.Single(Directory.GetFiles(node.BackupDir, "*.bak"));
        }
    }

    [Fact]
    public async Task Reusing_a_change_id_for_a_different_change_is_409()
    {
        using var node = new TempNode("incident");
        await using var agent = await RunningAgent.StartAsync(node);
        var first = await RunningAgent.ResultOf(await agent.ApplyAsync(Cilium, Fix(node, "same-id")));

        var other = new ApplyFileRequest { ChangeId = "same-id", ExpectedSha256 = first.NewSha256!, Content = node.Read(Cilium).Replace("9001", "1500", StringComparison.Ordinal) };
        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync(Cilium, other), HttpStatusCode.Conflict);

        Assert.Equal(AgentErrorCodes.ChangeIdReused, error.Code);
        Assert.Equal(first.NewSha256, node.Sha(Cilium));
    }

    [Fact]
    public async Task Two_concurrent_applies_expecting_the_same_sha_one_wins_one_gets_409()
    {
        using var node = new TempNode("incident");
        await using var agent = await RunningAgent.StartAsync(node);
        var a = Fix(node, "race-a");
        var b = Fix(node, "race-b") with { Content = node.Read(Cilium).Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal) };

        var responses = await Task.WhenAll(agent.ApplyAsync(Cilium, a), agent.ApplyAsync(Cilium, b));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        var winner = await RunningAgent.ResultOf(responses.Single(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(winner.NewSha256, node.Sha(Cilium));
    }
}
