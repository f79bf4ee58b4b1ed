using System.Globalization;
using System.Security.Cryptography;
using CniDashboard.Server.Polling;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Server.Tests.Polling;

/// <summary>
/// The dashboard's typed client for the agents' write and backup API, against real agents (the
/// product's agent code) serving TLS under the agent CA, with the dashboard's real transport and token.
/// </summary>
public sealed class AgentFileClientTests : IAsyncLifetime
{
    private const string Node = "ip-10-0-12-34";
    private const string Cilium = "05-cilium.conflist";
    private readonly AgentCertificates _agentCa = new();
    private readonly AgentCertificates _otherCa = new("some other CA");
    private AgentFarm _farm = null!;
    private BackendHarness _backend = null!;
    private string _ip = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AgentFileClient Client => _backend.Get<AgentFileClient>();

    public async ValueTask InitializeAsync()
    {
        _farm = new AgentFarm(certificate: _agentCa.Issue());
        _ip = await _farm.AddAsync(Node, "incident");
        _backend = new BackendHarness(Settings(), agentToken: _farm.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        await _farm.DisposeAsync();
        _agentCa.Dispose();
        _otherCa.Dispose();
    }

    private string PathOf(string file) => Path.Combine(_farm.Folder(Node), file);

    private string Sha(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(PathOf(file))));

    private static T OkValue<T>(AgentCall<T> call) => Assert.IsType<AgentCall<T>.Ok>(call).Value;

    private ApplyFileRequest Edit(string changeId, string mtu) => new()
    {
        ChangeId = changeId,
        ExpectedSha256 = Sha(Cilium),
        Content = File.ReadAllText(PathOf(Cilium)).Replace("\"mtu\": \"9001\"", $"\"mtu\": \"{mtu}\"", StringComparison.Ordinal),
        Reason = "plan-1 step 1",
    };

    [Fact]
    public async Task Apply_over_tls_returns_the_result_and_a_retry_the_same_result_replayed()
    {
        var request = Edit("plan-1-node-1-cilium", "1500");

        var result = OkValue(await Client.ApplyAsync(_ip, Cilium, request, Ct));

        Assert.Equal(request.Content, await File.ReadAllTextAsync(PathOf(Cilium), Ct));
        Assert.Equal((request.ExpectedSha256, Sha(Cilium), "apply", false), (result.PreviousSha256, result.NewSha256, result.Operation, result.Replayed));
        var replay = OkValue(await Client.ApplyAsync(_ip, Cilium, request, Ct));
        Assert.True(replay.Replayed);
        Assert.Equal(result.BackupId, replay.BackupId);
    }

    [Fact]
    public async Task A_file_changed_since_review_is_a_typed_sha_mismatch_with_the_current_hash_not_an_exception()
    {
        var request = Edit("plan-1-node-1-cilium", "1500");
        await _farm.EditAsync(Node, Cilium, text => text.Replace("\"mtu\": \"9001\"", "\"mtu\": \"1400\"", StringComparison.Ordinal));
        var current = Sha(Cilium);

        var call = await Client.ApplyAsync(_ip, Cilium, request, Ct);

        var mismatch = Assert.IsType<AgentCall<FileChangeResult>.ShaMismatch>(call);
        Assert.Equal(current, mismatch.CurrentSha256);
        Assert.Contains(request.ExpectedSha256, mismatch.Message, StringComparison.Ordinal);
        Assert.Equal(current, Sha(Cilium));
    }

    [Fact]
    public async Task Delete_then_restore_of_the_deleted_file_through_the_typed_calls()
    {
        const string Stray = "00-backup.conflist";
        var bytes = await File.ReadAllBytesAsync(PathOf(Cilium), Ct);
        await File.WriteAllBytesAsync(PathOf(Stray), bytes, Ct);
        _farm.Invalidate(Node);

        var deleted = OkValue(await Client.DeleteAsync(_ip, Stray, new DeleteFileRequest { ChangeId = "plan-2-node-1-stray", ExpectedSha256 = Sha(Stray) }, Ct));
        Assert.False(File.Exists(PathOf(Stray)));
        Assert.Null(deleted.NewSha256);

        var missing = await Client.DeleteAsync(_ip, Stray, new DeleteFileRequest { ChangeId = "plan-2-again", ExpectedSha256 = deleted.PreviousSha256! }, Ct);
        Assert.Equal((404, AgentErrorCodes.NotFound), (Assert.IsType<AgentCall<FileChangeResult>.Refused>(missing).StatusCode, ((AgentCall<FileChangeResult>.Refused)missing).Code));

        var restored = OkValue(await Client.RestoreAsync(_ip, Stray,
            new RestoreFileRequest { ChangeId = "plan-2-rollback", BackupId = deleted.BackupId!, ExpectedSha256 = deleted.NewSha256 }, Ct));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(PathOf(Stray), Ct));
        Assert.Equal(deleted.PreviousSha256, restored.NewSha256);
    }

    [Fact]
    public async Task Backups_are_listed_pinned_and_unpinned_with_typed_refusals()
    {
        var applied = OkValue(await Client.ApplyAsync(_ip, Cilium, Edit("plan-3-edit", "1500"), Ct));

        var pinned = OkValue(await Client.PinBackupAsync(_ip, applied.BackupId!, "plan-3", Ct));
        Assert.Equal(["plan-3"], pinned.PinnedBy);
        var listed = Assert.Single(OkValue(await Client.ListBackupsAsync(_ip, Ct)));
        Assert.Equal((applied.BackupId, applied.NewSha256), (listed.Id, listed.NewSha256));
        Assert.Equal(["plan-3"], listed.PinnedBy);
        Assert.Empty(OkValue(await Client.UnpinBackupAsync(_ip, applied.BackupId!, "plan-3", Ct)).PinnedBy);

        var unknown = Assert.IsType<AgentCall<BackupInfo>.Refused>(await Client.PinBackupAsync(_ip, "20990101T000000000Z-nope", "plan-3", Ct));
        Assert.Equal((404, AgentErrorCodes.BackupNotFound), (unknown.StatusCode, unknown.Code));
        var badOwner = Assert.IsType<AgentCall<BackupInfo>.Refused>(await Client.PinBackupAsync(_ip, applied.BackupId!, "plan 3", Ct));
        Assert.Equal((400, AgentErrorCodes.InvalidRequest), (badOwner.StatusCode, badOwner.Code));
    }

    [Fact]
    public async Task A_wrong_token_is_a_typed_401_and_nothing_is_written()
    {
        await File.WriteAllTextAsync(_backend.TokenFile, "not-the-farm-token\n", Ct);
        var before = Sha(Cilium);

        var call = Assert.IsType<AgentCall<FileChangeResult>.Refused>(await Client.ApplyAsync(_ip, Cilium, Edit("c1", "1500"), Ct));

        Assert.Equal((401, AgentErrorCodes.Unauthorized), (call.StatusCode, call.Code));
        Assert.Equal(before, Sha(Cilium));
    }

    [Fact]
    public async Task An_agent_that_is_down_or_not_trusted_is_unreachable_with_the_reason()
    {
        await _farm.StopAsync(Node);
        var down = Assert.IsType<AgentCall<IReadOnlyList<BackupInfo>>.Unreachable>(await Client.ListBackupsAsync(_ip, Ct));
        Assert.Contains("connection refused", down.Reason, StringComparison.Ordinal);

        await _farm.StartAsync(Node, _otherCa.Issue());
        var before = Sha(Cilium);
        var untrusted = Assert.IsType<AgentCall<FileChangeResult>.Unreachable>(await Client.ApplyAsync(_ip, Cilium, Edit("c1", "1500"), Ct));
        Assert.Contains("is not issued by the agent CA", untrusted.Reason, StringComparison.Ordinal);
        Assert.Equal(before, Sha(Cilium));
        Assert.IsType<AgentCall<FileChangeResult>.Unreachable>(await Client.ApplyAsync("not-an-ip", Cilium, Edit("c2", "1500"), Ct));
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Dashboard:Poller:AgentPort"] = _farm.Port.ToString(CultureInfo.InvariantCulture),
        ["Dashboard:Poller:AgentCaFile"] = _agentCa.CaFile,
        ["Dashboard:Poller:AgentServerName"] = AgentCertificates.ServerName,
    };
}
