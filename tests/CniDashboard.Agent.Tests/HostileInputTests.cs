using System.Net;
using System.Text.Json;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Cni;
using CniDashboard.Tests.Common;

namespace CniDashboard.Agent.Tests;

/// <summary>
/// What a process with write access to the node's folders can put there to stall, blind or read
/// through the agent: named pipes, links out of the folder, hard links to host files, oversized ids.
/// </summary>
public sealed class HostileInputTests
{
    private const string Cilium = "05-cilium.conflist";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A client that gives up after 10 s, so an agent stuck in <c>open</c> fails the test instead of hanging it.</summary>
    private static HttpClient Impatient(RunningAgent agent)
    {
        var http = agent.Client(TempNode.Token);
        http.Timeout = TimeSpan.FromSeconds(10);
        return http;
    }

    private static async Task<NodeSnapshot> SnapshotOf(HttpClient http)
    {
        using var response = await http.GetAsync("/v1/snapshot", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize(body, AgentJsonContext.Default.NodeSnapshot)!;
    }

    [Fact]
    public async Task Fifo_in_the_cni_folder_is_listed_with_its_kind_and_never_opened()
    {
        using var node = new TempNode("incident");
        HostFiles.MakeFifo(node.PathOf("60-fifo.conf"));
        HostFiles.MakeFifo(node.PathOf("00-first.conflist"));
        await using var agent = await RunningAgent.StartAsync(node, o => o with { RescanInterval = Timeout.InfiniteTimeSpan });
        using var http = Impatient(agent);

        var snapshot = await SnapshotOf(http);

        foreach (var name in new[] { "00-first.conflist", "60-fifo.conf" })
        {
            var fifo = snapshot.Files.Single(f => f.Name == name);
            Assert.Equal(SpecialFileKind.Fifo, fifo.SpecialKind);
            Assert.Equal(ContentOmission.SpecialFile, fifo.ContentOmitted);
            Assert.Null(fifo.Content);
            Assert.Null(fifo.Sha256);
        }
        // A pipe that sorts first is what the runtime would try (and block on): the node's config is unknown.
        Assert.Equal("00-first.conflist", snapshot.PrimaryFile);
        Assert.Equal(PrimaryStatus.Unknown, snapshot.PrimaryStatus);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz", Ct)).StatusCode);

        // Removing the pipes is seen like any other change.
        File.Delete(node.PathOf("00-first.conflist"));
        File.Delete(node.PathOf("60-fifo.conf"));
        agent.Agent.Invalidate();
        var after = await SnapshotOf(http);
        Assert.Equal(Cilium, after.PrimaryFile);
        Assert.Equal(PrimaryStatus.Loaded, after.PrimaryStatus);
    }

    [Fact]
    public async Task Fifo_in_the_bin_folder_is_listed_with_its_kind_and_never_opened()
    {
        using var node = new TempNode("incident");
        File.Delete(Path.Combine(node.BinDir, "linkerd-cni"));
        HostFiles.MakeFifo(Path.Combine(node.BinDir, "linkerd-cni"));
        await using var agent = await RunningAgent.StartAsync(node);
        using var http = Impatient(agent);

        var snapshot = await SnapshotOf(http);

        var fifo = snapshot.Binaries!.Single(b => b.Name == "linkerd-cni");
        Assert.Equal(SpecialFileKind.Fifo, fifo.SpecialKind);
        Assert.Null(fifo.Sha256);
        Assert.NotNull(snapshot.Binaries!.Single(b => b.Name == "portmap").Sha256);
    }

    [Fact]
    public async Task Writes_to_a_fifo_or_a_hard_linked_file_are_refused_without_reading_it()
    {
        using var node = new TempNode("incident");
        HostFiles.MakeFifo(node.PathOf("60-fifo.conf"));
        var outside = Path.Combine(node.Root, "host-file.conflist");
        await File.WriteAllTextAsync(outside, node.Read("10-aws.conflist"), Ct);
        HostFiles.HardLink(outside, node.PathOf("20-linked.conflist"));
        await using var agent = await RunningAgent.StartAsync(node);
        using var http = Impatient(agent);
        var content = node.Read("10-aws.conflist");

        foreach (var name in new[] { "60-fifo.conf", "20-linked.conflist" })
        {
            using var response = await http.PostAsJsonAsync($"/v1/files/{name}/apply",
                new ApplyFileRequest { ChangeId = "c-" + name[..2], ExpectedSha256 = new string('0', 64), Content = content },
                AgentJsonContext.Default.ApplyFileRequest, Ct);
            var error = await RunningAgent.ErrorOf(response, HttpStatusCode.BadRequest);
            Assert.Equal(AgentErrorCodes.NotWritable, error.Code);
            // Refused before reading: no hash of the file comes back, and nothing was backed up.
            Assert.Null(error.CurrentSha256);
        }
        Assert.Empty(Directory.Exists(node.BackupDir) ? Directory.GetFiles(node.BackupDir, "*.bak") : []);
        Assert.Equal(content, await File.ReadAllTextAsync(outside, Ct));
    }

    [Fact]
    public async Task Sigterm_stops_the_agent_after_a_snapshot_of_a_folder_holding_a_fifo()
    {
        using var node = new TempNode("incident");
        HostFiles.MakeFifo(node.PathOf("60-fifo.conf"));
        var port = ChildAgent.FreePort();
        using var agent = ChildAgent.Start(node, port, "fifo-node");
        try
        {
            using var http = ChildAgent.Client(port, TimeSpan.FromSeconds(10));
            await ChildAgent.WaitUntilAsync(() => ChildAgent.HealthyAsync(http, Ct), agent, Ct);
            // The client gives up after 10 s: an agent stuck opening the pipe leaves no answer.
            HttpStatusCode? answered = null;
            try
            {
                using var snapshot = await http.GetAsync("/v1/snapshot", Ct);
                answered = snapshot.StatusCode;
            }
            catch (TaskCanceledException) when (!Ct.IsCancellationRequested)
            {
            }

            // Whatever the snapshot request did, SIGTERM must stop the process.
            await ChildAgent.TerminateAsync(agent, Ct);
            try
            {
                await agent.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            }
            catch (TimeoutException)
            {
            }
            Assert.True(agent.HasExited, $"the agent did not stop within 30 s of SIGTERM (snapshot answer: {answered?.ToString() ?? "none"})");
            Assert.Equal(0, agent.ExitCode);
            Assert.Equal(HttpStatusCode.OK, answered);
        }
        finally
        {
            if (!agent.HasExited) agent.Kill();
        }
    }

    [Fact]
    public async Task A_folder_read_past_the_deadline_answers_503_and_fails_readyz_until_it_completes()
    {
        using var node = new TempNode("incident");
        using var stuck = new ManualResetEventSlim(false);
        var hooks = new Node.SnapshotReadHooks { BeforeRead = _ => stuck.Wait() };
        await using var agent = await RunningAgent.StartAsync(node, o => o with
        {
            ReadHooks = hooks,
            SnapshotDeadline = TimeSpan.FromMilliseconds(300),
            WatchFolder = false,
            RescanInterval = Timeout.InfiniteTimeSpan,
        });
        using var http = Impatient(agent);

        // The read hangs (as on a hung mount): every request answers within the deadline, none piles up behind it.
        for (var i = 0; i < 3; i++)
        {
            var error = await RunningAgent.ErrorOf(await http.GetAsync("/v1/snapshot", Ct), HttpStatusCode.ServiceUnavailable);
            Assert.Equal(AgentErrorCodes.SnapshotTimeout, error.Code);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz", Ct)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", Ct)).StatusCode);

        stuck.Set();
        var snapshot = await SnapshotOf(http);
        Assert.Equal(Cilium, snapshot.PrimaryFile);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz", Ct)).StatusCode);
    }

    [Fact]
    public async Task Symlink_leaving_the_folder_reports_the_link_itself_never_its_target()
    {
        using var node = new TempNode("incident");
        var outside = Path.Combine(node.Root, "host-secret.conflist");
        await File.WriteAllTextAsync(outside, "{\"outside\": \"do-not-serve\"}", Ct);
        File.SetUnixFileMode(outside, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetLastWriteTimeUtc(outside, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.CreateSymbolicLink(node.PathOf("01-out.conflist"), outside);
        File.CreateSymbolicLink(node.PathOf("02-dangling.conflist"), "/nonexistent/cni-dashboard-probe.conflist");
        await using var agent = await RunningAgent.StartAsync(node, o => o with { WatchFolder = false, RescanInterval = Timeout.InfiniteTimeSpan });
        using var http = Impatient(agent);

        var first = await SnapshotOf(http);
        var link = first.Files.Single(f => f.Name == "01-out.conflist");
        var dangling = first.Files.Single(f => f.Name == "02-dangling.conflist");
        // Linux links are 0777 whatever they point at; the target's 0600 and its 2001 mtime stay unknown.
        Assert.Equal("0777", link.Mode);
        Assert.Equal("0777", dangling.Mode);
        Assert.NotEqual(2001, link.ModifiedAt!.Value.Year);
        Assert.Equal(outside.Length, link.Size);
        Assert.True(link.SymlinkLeavesFolder);
        Assert.True(dangling.SymlinkLeavesFolder);

        // Change, then remove the target: nothing the agent serves about the link changes.
        File.SetUnixFileMode(outside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await File.AppendAllTextAsync(outside, "\n\n\n", Ct);
        agent.Agent.Invalidate();
        var changed = await SnapshotOf(http);
        File.Delete(outside);
        agent.Agent.Invalidate();
        var removed = await SnapshotOf(http);

        Assert.Equal(first.ManifestHash, changed.ManifestHash);
        Assert.Equal(first.ManifestHash, removed.ManifestHash);
        Assert.Equal(link, changed.Files.Single(f => f.Name == "01-out.conflist"));
        Assert.Equal(link, removed.Files.Single(f => f.Name == "01-out.conflist"));
    }

    [Fact]
    public async Task Hard_linked_file_is_listed_with_its_content_withheld()
    {
        using var node = new TempNode("incident");
        var outside = Path.Combine(node.Root, "host-file.conflist");
        await File.WriteAllTextAsync(outside, """{"cniVersion":"0.4.0","name":"host","plugins":[{"type":"do-not-serve"}]}""", Ct);
        HostFiles.HardLink(outside, node.PathOf("20-linked.conflist"));
        await using var agent = await RunningAgent.StartAsync(node);
        using var http = Impatient(agent);

        var body = await http.GetStringAsync("/v1/snapshot", Ct);
        var snapshot = JsonSerializer.Deserialize(body, AgentJsonContext.Default.NodeSnapshot)!;

        Assert.DoesNotContain("do-not-serve", body, StringComparison.Ordinal);
        Assert.DoesNotContain(TempNode.Sha256Of(await File.ReadAllTextAsync(outside, Ct)), body, StringComparison.Ordinal);
        var linked = snapshot.Files.Single(f => f.Name == "20-linked.conflist");
        Assert.Equal(ContentOmission.HardLinked, linked.ContentOmitted);
        Assert.Equal(2, linked.LinkCount);
        Assert.Null(linked.Content);
        Assert.Null(linked.Sha256);
        // A file of the folder with one link is served as before.
        Assert.NotNull(snapshot.Files.Single(f => f.Name == Cilium).Content);
        Assert.Null(snapshot.Files.Single(f => f.Name == Cilium).LinkCount);
    }

    [Fact]
    public async Task Error_bodies_cap_the_input_they_echo()
    {
        using var node = new TempNode("incident");
        await using var agent = await RunningAgent.StartAsync(node);
        using var http = Impatient(agent);
        var longId = new string('b', 5000);
        var longName = new string('n', 240) + ".conflist";

        var responses = new List<HttpResponseMessage>
        {
            await http.PostAsJsonAsync($"/v1/files/{Cilium}/restore",
                new RestoreFileRequest { ChangeId = "r1", BackupId = longId, ExpectedSha256 = node.Sha(Cilium) }, AgentJsonContext.Default.RestoreFileRequest, Ct),
            await http.PostAsJsonAsync($"/v1/files/{longName}/apply",
                new ApplyFileRequest { ChangeId = "a1", ExpectedSha256 = node.Sha(Cilium), Content = "{}" }, AgentJsonContext.Default.ApplyFileRequest, Ct),
            await agent.PostAsync($"/v1/files/{Cilium}/apply", "{\"changeId\": \"a2\", \"" + new string('p', 5000) + "\": [1, 2,"),
            await agent.PostAsync($"/v1/files/{Cilium}/apply", "{\"changeId\": {\"" + new string('q', 5000) + "\": 1}}"),
        };

        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.False(response.IsSuccessStatusCode, body);
            var error = JsonSerializer.Deserialize(body, AgentJsonContext.Default.AgentError)!;
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
            Assert.True(body.Length < 600, $"a {body.Length}-character error body: {body[..Math.Min(body.Length, 300)]}…");
            foreach (var c in "bnpq") Assert.DoesNotContain(new string(c, 100), body, StringComparison.Ordinal);
            response.Dispose();
        }
    }
}
