using System.Diagnostics;
using System.Net;
using CniDashboard.Agent.Node;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Tests;

public sealed class CrashSafetyTests
{
    private const string Cilium = "05-cilium.conflist";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApplyFileRequest Edit(TempNode node, string changeId) => new()
    {
        ChangeId = changeId,
        ExpectedSha256 = node.Sha(Cilium),
        Content = node.Read(Cilium).Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal),
    };

    /// <summary>What the runtime would load from the folder right now.</summary>
    private static PrimaryConfig RuntimeView(TempNode node) => CniFolder.Read(CniFolderReader.Read(node.CniDir)).Primary;

    [Fact]
    public async Task Agent_killed_between_temp_write_and_rename_leaves_the_old_file_and_nothing_the_runtime_loads()
    {
        using var node = new TempNode("incident");
        var oldBytes = await File.ReadAllBytesAsync(node.PathOf(Cilium), Ct);
        var signal = Path.Combine(node.Root, "paused");
        var port = ChildAgent.FreePort();
        var request = Edit(node, "crash-1");

        using (var agent = StartChild(node, port, signal))
        {
            using var http = ChildAgent.Client(port);
            await ChildAgent.WaitUntilAsync(() => ChildAgent.HealthyAsync(http, Ct), agent, Ct);
            var apply = http.PostAsJsonAsync($"/v1/files/{Cilium}/apply", request, AgentJsonContext.Default.ApplyFileRequest, Ct);
            await ChildAgent.WaitUntilAsync(() => Task.FromResult(File.Exists(signal) && File.ReadAllText(signal).Length > 0), agent, Ct);

            agent.Kill(); // SIGKILL: no finally block, no cleanup, exactly a crash.
            await agent.WaitForExitAsync(Ct);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => apply);
        }

        // The target holds the old bytes, whole.
        Assert.Equal(oldBytes, await File.ReadAllBytesAsync(node.PathOf(Cilium), Ct));
        // The temp file the crash left is one the runtime ignores, and the runtime's view is unchanged.
        var stray = Assert.Single(Directory.GetFiles(node.CniDir, ".cni-dashboard-*"));
        Assert.Equal(CniFileRole.Ignored, CniFileNames.RoleOf(Path.GetFileName(stray)));
        Assert.Equal(await File.ReadAllBytesAsync(stray, Ct), System.Text.Encoding.UTF8.GetBytes(request.Content));
        var primary = RuntimeView(node);
        Assert.Equal(Cilium, primary.FileName);
        Assert.Equal([Cilium, "10-aws.conflist"], primary.Candidates);

        // The next start removes the stray temp file; the same change then goes through once.
        await using var restarted = await RunningAgent.StartAsync(node);
        Assert.Empty(Directory.GetFiles(node.CniDir, ".cni-dashboard-*"));
        var result = await RunningAgent.ResultOf(await restarted.ApplyAsync(Cilium, request));
        Assert.False(result.Replayed);
        Assert.Equal(request.Content, node.Read(Cilium));
    }

    [Fact]
    public async Task Shipped_agent_has_no_switch_that_pauses_writes()
    {
        using var node = new TempNode("incident");
        var signal = Path.Combine(node.Root, "paused");
        var port = ChildAgent.FreePort();
        var request = Edit(node, "no-pause-1");
        // The variable that made earlier builds hang every write before its rename.
        using var agent = ChildAgent.Start(node, port, "shipped-node", environment: new Dictionary<string, string> { ["CNI_AGENT_FAULT_PAUSE_BEFORE_RENAME"] = signal });
        try
        {
            using var http = ChildAgent.Client(port, TimeSpan.FromSeconds(20));
            await ChildAgent.WaitUntilAsync(() => ChildAgent.HealthyAsync(http, Ct), agent, Ct);

            var result = await RunningAgent.ResultOf(await http.PostAsJsonAsync($"/v1/files/{Cilium}/apply", request, AgentJsonContext.Default.ApplyFileRequest, Ct));

            Assert.Equal(TempNode.Sha256Of(request.Content), result.NewSha256);
            Assert.Equal(request.Content, node.Read(Cilium));
            Assert.False(File.Exists(signal));
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task While_paused_before_rename_the_folder_shows_the_old_file_and_an_ignored_temp()
    {
        using var node = new TempNode("incident");
        var oldText = node.Read(Cilium);
        var paused = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hooks = new AtomicWriteHooks
        {
            BeforeRename = async (temp, ct) =>
            {
                paused.SetResult(temp);
                await release.Task.WaitAsync(ct);
            },
        };
        await using var agent = await RunningAgent.StartAsync(node, o => o with { WriteHooks = hooks });
        var request = Edit(node, "paused-1");

        var apply = agent.ApplyAsync(Cilium, request);
        var temp = await paused.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(oldText, node.Read(Cilium));
        Assert.Equal(".cni-dashboard-paused-1.tmp", Path.GetFileName(temp));
        Assert.Equal(request.Content, await File.ReadAllTextAsync(temp, Ct));
        Assert.Equal(File.GetUnixFileMode(node.PathOf(Cilium)), File.GetUnixFileMode(temp));
        Assert.Equal(Cilium, RuntimeView(node).FileName);
        Assert.Equal(oldText, RuntimeView(node).Config!.Text);

        release.SetResult();
        var result = await RunningAgent.ResultOf(await apply);
        Assert.Equal(request.Content, node.Read(Cilium));
        Assert.False(File.Exists(temp));
        Assert.Equal(TempNode.Sha256Of(request.Content), result.NewSha256);
    }

    [Fact]
    public async Task Failure_before_rename_removes_the_temp_and_keeps_the_old_file()
    {
        using var node = new TempNode("incident");
        var oldText = node.Read(Cilium);
        var hooks = new AtomicWriteHooks { BeforeRename = (_, _) => throw new IOException("disk full (injected)") };
        await using var agent = await RunningAgent.StartAsync(node, o => o with { WriteHooks = hooks });

        var response = await agent.ApplyAsync(Cilium, Edit(node, "fails-1"));

        var error = await RunningAgent.ErrorOf(response, HttpStatusCode.InternalServerError);
        Assert.Equal(AgentErrorCodes.WriteFailed, error.Code);
        Assert.Equal(oldText, node.Read(Cilium));
        Assert.Empty(Directory.GetFiles(node.CniDir, ".cni-dashboard-*"));
    }

    [Fact]
    public async Task Stray_temp_files_of_our_naming_are_removed_at_start_and_others_are_left()
    {
        using var node = new TempNode();
        await File.WriteAllTextAsync(node.PathOf(".cni-dashboard-old-change.tmp"), "{\"partial\":", Ct);
        await File.WriteAllTextAsync(node.PathOf("10-aws.conflist.bak"), "keep me", Ct);

        await using var agent = await RunningAgent.StartAsync(node);

        Assert.False(File.Exists(node.PathOf(".cni-dashboard-old-change.tmp")));
        Assert.True(File.Exists(node.PathOf("10-aws.conflist.bak")));
        Assert.Contains(agent.Logs.GetSnapshot(), r => r.Message.Contains(".cni-dashboard-old-change.tmp", StringComparison.Ordinal));
    }

    /// <summary>
    /// The agent's host built by the test-only fault host (tests/CniDashboard.Agent.FaultHost): every
    /// write pauses before its rename and says so in <paramref name="signal"/>. The shipped agent has
    /// no such switch (<see cref="Shipped_agent_has_no_switch_that_pauses_writes"/>).
    /// </summary>
    private static Process StartChild(TempNode node, int port, string signal) =>
        ChildAgent.Start(node, port, "crash-node", ChildAgent.FaultHost, leadingArgs: ["--pause-before-rename", signal]);
}
