using System.Security.Cryptography;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Shared.Tests.Audit;

public sealed class AuditChainVerifierTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private AuditVerification Verify(IEnumerable<AuditEntry> entries, AuditCheckpoint? checkpoint, string? error = null)
    {
        var verifier = new AuditChainVerifier(checkpoint?.Sequence);
        foreach (var entry in entries)
        {
            if (!verifier.Add(entry)) break;
        }

        return verifier.Complete(checkpoint, _key, error, "test");
    }

    private AuditCheckpoint CheckpointAt(IReadOnlyList<AuditEntry> chain, long sequence, ECDsa? key = null) =>
        AuditCheckpoint.Sign(sequence, chain[(int)sequence - 1].Hash, AuditChainFixture.Start.AddHours(1), key ?? _key);

    [Fact]
    public void An_untouched_chain_with_its_checkpoint_is_intact()
    {
        var chain = AuditChainFixture.Chain(20);

        var result = Verify(chain, CheckpointAt(chain, 18));

        Assert.Equal(AuditVerificationStatus.Intact, result.Status);
        Assert.Null(result.FirstBadSequence);
        Assert.Equal((20L, 20L, chain[^1].Hash), (result.EntriesChecked, result.HeadSequence, result.HeadHash));
        Assert.Equal(AuditCheckpoint.KeyIdOf(_key), result.TrustedKeyId);
    }

    [Fact]
    public void Without_a_checkpoint_an_intact_chain_is_reported_unanchored_with_why()
    {
        var chain = AuditChainFixture.Chain(3);

        var none = Verify(chain, null);
        var unreadable = Verify(chain, null, "the Kubernetes API could not be reached");

        Assert.Equal(AuditVerificationStatus.Unanchored, none.Status);
        Assert.Contains("no checkpoint has been written yet", none.Warning, StringComparison.Ordinal);
        Assert.Equal(AuditVerificationStatus.Unanchored, unreadable.Status);
        Assert.Contains("could not be reached", unreadable.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_entry_is_reported_at_its_sequence_number()
    {
        var chain = AuditChainFixture.Chain(10);
        chain[5] = chain[5] with { Details = """{"n":999}""" };

        var result = Verify(chain, CheckpointAt(AuditChainFixture.Chain(10), 10));

        Assert.Equal((AuditVerificationStatus.Tampered, 6L), (result.Status, result.FirstBadSequence));
        Assert.Contains("entry 6 was edited", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Details_rewritten_in_another_json_form_are_an_edit_too()
    {
        var chain = AuditChainFixture.Chain(4);
        chain[1] = AuditChainFixture.Rehash(chain[1] with { Details = """{ "n": 2 }""" });

        var result = Verify(chain, null);

        Assert.Equal((AuditVerificationStatus.Tampered, 2L), (result.Status, result.FirstBadSequence));
    }

    [Fact]
    public void An_entry_rewritten_with_its_hash_recomputed_is_reported_at_that_entry()
    {
        var chain = AuditChainFixture.Chain(10);
        chain[3] = AuditChainFixture.Rehash(chain[3] with { ActorSubject = "mallory" });

        var result = Verify(chain, null);

        Assert.Equal((AuditVerificationStatus.Tampered, 4L), (result.Status, result.FirstBadSequence));
        Assert.Contains("entry 4 was rewritten: entry 5 recorded a different hash for it", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void A_deleted_entry_is_reported_at_its_sequence_number(int deleted)
    {
        var chain = AuditChainFixture.Chain(10);
        chain.RemoveAt(deleted - 1);

        var result = Verify(chain, null);

        Assert.Equal((AuditVerificationStatus.Tampered, (long)deleted), (result.Status, result.FirstBadSequence));
        Assert.Contains($"entry {deleted} is missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_tail_is_reported_at_the_first_missing_entry_when_the_checkpoint_covers_it()
    {
        var chain = AuditChainFixture.Chain(10);
        var checkpoint = CheckpointAt(chain, 9);

        var result = Verify(chain.Take(6), checkpoint);

        Assert.Equal((AuditVerificationStatus.Tampered, 7L), (result.Status, result.FirstBadSequence));
        Assert.Contains("entries 7–9 were deleted (truncated tail)", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_rewritten_and_rehashed_throughout_disagrees_with_the_checkpoint()
    {
        var original = AuditChainFixture.Chain(8);
        var checkpoint = CheckpointAt(original, 8);
        var forgedChain = AuditChainFixture.Chain(8, seq => ("settings.changed", seq == 3 ? """{"n":-3}""" : $$"""{"n":{{seq}}}"""));

        var result = Verify(forgedChain, checkpoint);

        Assert.Equal((AuditVerificationStatus.Tampered, 8L), (result.Status, result.FirstBadSequence));
        Assert.Contains("the log up to entry 8 was rewritten", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_signed_by_another_key_or_altered_after_signing_is_forged()
    {
        var chain = AuditChainFixture.Chain(5);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var byOther = CheckpointAt(chain, 5, other);
        var genuine = CheckpointAt(chain, 5);
        var altered = genuine with { SignedAt = genuine.SignedAt.AddDays(1) };
        var otherIdClaimed = byOther with { KeyId = genuine.KeyId };

        foreach (var forged in new[] { byOther, altered, otherIdClaimed })
        {
            var result = Verify(chain, forged);
            Assert.Equal((AuditVerificationStatus.Tampered, 5L), (result.Status, result.FirstBadSequence));
            Assert.Contains("forged", result.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_checkpoint_older_than_the_one_the_log_records_writing_was_rolled_back()
    {
        // Entry 9 records that a checkpoint of entry 8 was written; the cluster shows the one of entry 4.
        var chain = AuditChainFixture.Chain(12, AuditChainFixture.WithCheckpointEntry(at: 9, covers: 8));

        var result = Verify(chain, CheckpointAt(chain, 4));
        var current = Verify(chain, CheckpointAt(chain, 8));

        Assert.Equal((AuditVerificationStatus.Tampered, 5L), (result.Status, result.FirstBadSequence));
        Assert.Contains("rolled back", result.Problem, StringComparison.Ordinal);
        Assert.Equal(8, result.RecordedCheckpointSequence);
        Assert.Equal(AuditVerificationStatus.Intact, current.Status);
    }

    [Fact]
    public void A_deleted_checkpoint_the_log_records_writing_is_reported()
    {
        var chain = AuditChainFixture.Chain(6, AuditChainFixture.WithCheckpointEntry(at: 4, covers: 3));

        var result = Verify(chain, null);

        Assert.Equal((AuditVerificationStatus.Tampered, 1L), (result.Status, result.FirstBadSequence));
        Assert.Contains("it was deleted", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_chain_is_checked_before_the_checkpoint_and_the_first_problem_wins()
    {
        var chain = AuditChainFixture.Chain(10);
        var checkpoint = CheckpointAt(chain, 10);
        chain[2] = chain[2] with { Outcome = "denied" };
        chain.RemoveAt(6);

        var result = Verify(chain.Take(8), checkpoint);

        Assert.Equal(3L, result.FirstBadSequence);
        Assert.Equal(3L, result.EntriesChecked);
    }

    [Fact]
    public void A_walk_can_start_after_a_trusted_entry()
    {
        var chain = AuditChainFixture.Chain(10);
        var verifier = new AuditChainVerifier(afterSequence: 6, afterHash: chain[5].Hash);
        foreach (var entry in chain.Skip(6)) Assert.True(verifier.Add(entry));
        Assert.Equal((10L, 4L), (verifier.HeadSequence, verifier.EntriesChecked));

        var wrongAnchor = new AuditChainVerifier(afterSequence: 6, afterHash: chain[4].Hash);
        Assert.False(wrongAnchor.Add(chain[6]));
        Assert.Equal(6L, wrongAnchor.FirstBadSequence);
    }

    public void Dispose() => _key.Dispose();
}
