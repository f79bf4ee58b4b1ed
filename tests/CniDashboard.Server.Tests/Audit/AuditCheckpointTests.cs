using System.Security.Cryptography;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Server.Tests.Audit;

/// <summary>Signed checkpoints written to the Kubernetes API emulator with the dashboard's own identity, and what verification makes of them.</summary>
public sealed class AuditCheckpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_checkpoint_of_the_head_is_signed_written_to_the_configmap_and_recorded_as_an_entry()
    {
        await using var audit = await AuditHarness.StartAsync();
        await audit.AppendAsync(5);

        var result = await audit.Writer.WriteOnceAsync(Ct);

        Assert.Equal(CheckpointWriteOutcome.Written, result.Outcome);
        var checkpoint = audit.ClusterCheckpoint()!;
        var head5 = await audit.Reader.GetAsync(5, Ct);
        Assert.Equal((5L, head5!.Hash), (checkpoint.Sequence, checkpoint.HeadHash));
        using var publicKey = AuditCheckpointKey.Read(audit.PublicKeyPath);
        Assert.True(checkpoint.VerifySignature(publicKey));
        var recorded = (await audit.Reader.GetHeadAsync(Ct))!;
        Assert.Equal((6L, AuditActions.CheckpointWritten, "ok", "system"), (recorded.Sequence, recorded.Action, recorded.Outcome, recorded.ActorSubject));
        Assert.Equal(("configmap", "cni-dashboard/cni-dashboard-audit-checkpoint"), (recorded.TargetKind, recorded.TargetName));
        // The whole signed checkpoint is in the entry, so it can be restored from the log.
        Assert.Equal(checkpoint, AuditCheckpoint.Parse(recorded.Details!));
        Assert.Equal(AuditVerificationStatus.Intact, (await audit.Verifier.VerifyAsync(Ct)).Status);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_key_is_made_once_in_the_data_dir_readable_by_its_owner_only()
    {
        await using var audit = await AuditHarness.StartAsync();
        await audit.AppendAsync(1);
        await audit.Writer.WriteOnceAsync(Ct);
        var signer = audit.Backend.Get<AuditCheckpointSigner>();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(signer.KeyPath));
        Assert.Contains("PRIVATE KEY", await File.ReadAllTextAsync(signer.KeyPath, Ct), StringComparison.Ordinal);
        Assert.Equal(signer.PublicKeyPem.Trim(), (await File.ReadAllTextAsync(audit.PublicKeyPath, Ct)).Trim());
        using var again = AuditCheckpointKey.ReadOrCreate(signer.KeyPath);
        Assert.Equal(signer.KeyId, AuditCheckpoint.KeyIdOf(again));
    }

    [Fact]
    public async Task An_idle_log_gets_no_new_checkpoint_and_no_new_entry()
    {
        await using var audit = await AuditHarness.StartAsync();
        await audit.AppendAsync(3);
        Assert.Equal(CheckpointWriteOutcome.Written, (await audit.Writer.WriteOnceAsync(Ct)).Outcome);

        var again = await audit.Writer.WriteOnceAsync(Ct);

        Assert.Equal(CheckpointWriteOutcome.Unchanged, again.Outcome);
        Assert.Equal(4L, (await audit.Reader.GetHeadAsync(Ct))!.Sequence);
        await audit.AppendAsync(1);
        Assert.Equal(CheckpointWriteOutcome.Written, (await audit.Writer.WriteOnceAsync(Ct)).Outcome);
        Assert.Equal(5L, audit.ClusterCheckpoint()!.Sequence);
    }

    [Fact]
    public async Task A_forged_checkpoint_is_detected_and_never_overwritten()
    {
        await using var audit = await AuditHarness.StartAsync();
        await audit.AppendAsync(4);
        await audit.Writer.WriteOnceAsync(Ct);
        await audit.AppendAsync(2);
        var genuine = audit.ClusterCheckpoint()!;
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = AuditCheckpoint.Sign(6, (await audit.Reader.GetAsync(6, Ct))!.Hash, DateTimeOffset.UtcNow, attacker);
        audit.SetClusterCheckpoint(forged.ToJson());

        var verification = await audit.Verifier.VerifyAsync(Ct);
        var write = await audit.Writer.WriteOnceAsync(Ct);

        Assert.Equal((AuditVerificationStatus.Tampered, 6L), (verification.Status, verification.FirstBadSequence));
        Assert.Contains("forged", verification.Problem, StringComparison.Ordinal);
        Assert.Equal(CheckpointWriteOutcome.Refused, write.Outcome);
        Assert.Equal(forged, audit.ClusterCheckpoint());
        var refusal = (await audit.Reader.GetHeadAsync(Ct))!;
        Assert.Equal((AuditActions.CheckpointWritten, "failed"), (refusal.Action, refusal.Outcome));
        Assert.Contains("not signed by this dashboard's key", refusal.Details, StringComparison.Ordinal);

        // A genuine checkpoint altered after signing (a later sequence claimed) is forged as well.
        audit.SetClusterCheckpoint((genuine with { Sequence = 6, HeadHash = forged.HeadHash }).ToJson());
        Assert.Equal(AuditVerificationStatus.Tampered, (await audit.Verifier.VerifyAsync(Ct)).Status);
        audit.SetClusterCheckpoint("{\"not\":\"a checkpoint\"}");
        var malformed = await audit.Verifier.VerifyAsync(Ct);
        Assert.Equal((AuditVerificationStatus.Tampered, 5L), (malformed.Status, malformed.FirstBadSequence));
        Assert.Contains("not a valid checkpoint", malformed.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rolled_back_checkpoint_is_detected_at_the_first_entry_it_no_longer_covers()
    {
        await using var audit = await AuditHarness.StartAsync();
        await audit.AppendAsync(3);
        await audit.Writer.WriteOnceAsync(Ct);
        var old = audit.ClusterCheckpoint()!;
        await audit.AppendAsync(5);
        await audit.Writer.WriteOnceAsync(Ct);
        Assert.Equal(9L, audit.ClusterCheckpoint()!.Sequence);

        audit.SetClusterCheckpoint(old.ToJson());
        var result = await audit.Verifier.VerifyAsync(Ct);

        Assert.Equal((AuditVerificationStatus.Tampered, 4L), (result.Status, result.FirstBadSequence));
        Assert.Contains("rolled back", result.Problem, StringComparison.Ordinal);

        audit.SetClusterCheckpoint(null);
        var deleted = await audit.Verifier.VerifyAsync(Ct);
        Assert.Equal((AuditVerificationStatus.Tampered, 1L), (deleted.Status, deleted.FirstBadSequence));
        Assert.Equal(CheckpointWriteOutcome.Refused, (await audit.Writer.WriteOnceAsync(Ct)).Outcome);
        Assert.Null(audit.ClusterCheckpoint());
    }

    [Fact]
    public async Task A_checkpoint_ahead_of_a_truncated_log_is_kept_as_evidence()
    {
        await using var audit = await AuditHarness.StartAsync();
        await audit.AppendAsync(8);
        await audit.Writer.WriteOnceAsync(Ct);
        await audit.TamperAsync("DELETE FROM audit_log WHERE seq > 5");

        var result = await audit.Verifier.VerifyAsync(Ct);
        var write = await audit.Writer.WriteOnceAsync(Ct);

        Assert.Equal(CheckpointWriteOutcome.Refused, write.Outcome);
        Assert.Equal(8L, audit.ClusterCheckpoint()!.Sequence);
        Assert.Equal((AuditVerificationStatus.Tampered, 6L), (result.Status, result.FirstBadSequence));
        Assert.Contains("truncated tail", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_edited_since_the_last_checkpoint_stops_the_next_one()
    {
        await using var audit = await AuditHarness.StartAsync();
        await audit.AppendAsync(3);
        await audit.Writer.WriteOnceAsync(Ct);
        await audit.AppendAsync(3);
        await audit.TamperAsync("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 6");

        var write = await audit.Writer.WriteOnceAsync(Ct);

        Assert.Equal(CheckpointWriteOutcome.Refused, write.Outcome);
        Assert.Contains("entry 6 was edited", write.Reason, StringComparison.Ordinal);
        Assert.Equal(3L, audit.ClusterCheckpoint()!.Sequence);
    }

    [Fact]
    public async Task Without_the_configmap_the_write_fails_and_is_audited_once_per_reason()
    {
        await using var audit = await AuditHarness.StartAsync(createConfigMap: false);
        await audit.AppendAsync(2);

        var first = await audit.Writer.WriteOnceAsync(Ct);
        var second = await audit.Writer.WriteOnceAsync(Ct);

        Assert.Equal((CheckpointWriteOutcome.Failed, CheckpointWriteOutcome.Failed), (first.Outcome, second.Outcome));
        Assert.Contains("does not exist (the Helm chart creates it", first.Reason, StringComparison.Ordinal);
        var failures = await audit.Backend.ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.checkpoint' AND outcome = 'failed'");
        Assert.Equal(1, failures);
        var verification = await audit.Verifier.VerifyAsync(Ct);
        Assert.Equal(AuditVerificationStatus.Unanchored, verification.Status);
        Assert.Contains("does not exist", verification.Warning, StringComparison.Ordinal);
    }

    /// <summary>The background writer: at start, after each interval while the log grows, and once more on shutdown.</summary>
    [Fact]
    public async Task The_writer_runs_at_start_every_interval_and_on_shutdown()
    {
        await using var audit = await AuditHarness.StartAsync(new Dictionary<string, string?> { ["Dashboard:Audit:Checkpoint:Interval"] = "00:01:00" }, fakeTime: true);
        var time = audit.Backend.Time!;
        await audit.AppendAsync(2);
        var writer = audit.Writer;

        await writer.StartAsync(Ct);
        await Eventually.WaitAsync(() => audit.ClusterCheckpoint()?.Sequence == 2, "the checkpoint at start");
        await audit.AppendAsync(2);
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.WaitAsync(() => audit.ClusterCheckpoint()?.Sequence == 5, "the checkpoint after one interval");
        await audit.AppendAsync(1);
        await writer.StopAsync(Ct);

        Assert.Equal(7L, audit.ClusterCheckpoint()!.Sequence);
        Assert.Equal(8L, (await audit.Reader.GetHeadAsync(Ct))!.Sequence);
    }
}
