using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CniDashboard.Shared.Audit;

/// <summary>
/// Walks the audit chain entry by entry (in sequence order, streamed: nothing is kept but the last
/// entry) and then compares the head with a signed checkpoint. Stops at the first disagreement and
/// names the first sequence number concerned:
/// <list type="bullet">
/// <item>a gap in the sequence — a deleted row;</item>
/// <item>a stored hash that does not match the entry's canonical form — an edited row;</item>
/// <item>a previous-hash link that does not match the entry before — an entry rewritten with its hash recomputed;</item>
/// <item>a checkpoint whose signature does not verify — forged;</item>
/// <item>a checkpoint beyond the log's end — a truncated tail;</item>
/// <item>a checkpoint whose hash differs from the entry it names — the log rewritten and re-hashed up to there;</item>
/// <item>a checkpoint older than the newest one the log records writing — the checkpoint rolled back.</item>
/// </list>
/// </summary>
public sealed class AuditChainVerifier
{
    private readonly long? _checkpointSequence;
    private long _expected;
    private string _previousHash;
    private long _previousSequence;
    private string? _hashAtCheckpoint;

    /// <summary>Starts at the beginning of the chain, or after a known entry (to check only what follows it).</summary>
    /// <param name="checkpointSequence">The entry whose hash to remember for a checkpoint comparison.</param>
    /// <param name="afterSequence">The entry the walk starts after (0: the beginning).</param>
    /// <param name="afterHash">That entry's trusted hash.</param>
    public AuditChainVerifier(long? checkpointSequence = null, long afterSequence = 0, string? afterHash = null)
    {
        _checkpointSequence = checkpointSequence;
        _expected = afterSequence + 1;
        _previousSequence = afterSequence;
        _previousHash = afterSequence == 0 ? AuditCanonicalForm.GenesisHash : afterHash ?? throw new ArgumentNullException(nameof(afterHash));
        HeadSequence = afterSequence;
        HeadHash = afterSequence == 0 ? null : afterHash;
    }

    /// <summary>The first disagreement found, or null.</summary>
    public long? FirstBadSequence { get; private set; }

    /// <summary>What disagrees.</summary>
    public string? Problem { get; private set; }

    /// <summary>Entries walked.</summary>
    public long EntriesChecked { get; private set; }

    /// <summary>The last entry walked (or the start).</summary>
    public long HeadSequence { get; private set; }

    /// <summary>Its hash.</summary>
    public string? HeadHash { get; private set; }

    /// <summary>The newest checkpoint the walked entries record writing.</summary>
    public long? RecordedCheckpointSequence { get; private set; }

    /// <summary>The entry recording it.</summary>
    public long? RecordedCheckpointEntry { get; private set; }

    /// <summary>Checks the next entry; false once a disagreement is found (stop walking then).</summary>
    public bool Add(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (FirstBadSequence is not null) return false;
        EntriesChecked++;

        if (entry.Sequence > _expected)
        {
            return Fail(_expected, entry.Sequence == _expected + 1
                ? $"entry {_expected} is missing: it was deleted (entry {entry.Sequence} follows entry {_previousSequence})"
                : $"entries {_expected}–{entry.Sequence - 1} are missing: they were deleted (entry {entry.Sequence} follows entry {_previousSequence})");
        }

        if (entry.Sequence < _expected)
        {
            return Fail(entry.Sequence, $"entry {entry.Sequence} appears again or out of order after entry {_previousSequence}");
        }

        if (!IsCanonical(entry.ActorRoles, requireArray: true) || (entry.Details is not null && !IsCanonical(entry.Details, requireArray: false)))
        {
            return Fail(entry.Sequence, $"entry {entry.Sequence} was edited: its roles or details are not in the form the dashboard writes");
        }

        if (!string.Equals(AuditCanonicalForm.ComputeHash(entry), entry.Hash, StringComparison.Ordinal))
        {
            return Fail(entry.Sequence, $"entry {entry.Sequence} was edited: its content no longer matches its hash");
        }

        if (!string.Equals(entry.PrevHash, _previousHash, StringComparison.Ordinal))
        {
            return _previousSequence == 0
                ? Fail(entry.Sequence, $"entry {entry.Sequence} does not start the chain: its previous hash is not the genesis hash")
                : Fail(_previousSequence, $"entry {_previousSequence} was rewritten: entry {entry.Sequence} recorded a different hash for it");
        }

        if (entry.Sequence == _checkpointSequence) _hashAtCheckpoint = entry.Hash;
        if (entry.Action == AuditCheckpoint.WrittenAction && entry.Outcome == AuditOutcomes.Ok && RecordedSequence(entry.Details) is { } recorded
            && recorded >= (RecordedCheckpointSequence ?? 0))
        {
            RecordedCheckpointSequence = recorded;
            RecordedCheckpointEntry = entry.Sequence;
        }

        _previousHash = entry.Hash;
        _previousSequence = entry.Sequence;
        _expected = entry.Sequence + 1;
        HeadSequence = entry.Sequence;
        HeadHash = entry.Hash;
        return true;
    }

    /// <summary>
    /// The conclusion once every entry has been added: the chain's own result, then the checkpoint's.
    /// </summary>
    /// <param name="checkpoint">The checkpoint read from the cluster (null: none there, or not read).</param>
    /// <param name="trustedKey">The public key checkpoints must be signed with; required with a checkpoint.</param>
    /// <param name="checkpointError">Why no checkpoint could be read, when that was the case.</param>
    /// <param name="checkpointSource">Where the checkpoint came from, for the report.</param>
    /// <param name="checkpointMalformed">Why the value found where the checkpoint is kept is not one (damaged or forged).</param>
    public AuditVerification Complete(AuditCheckpoint? checkpoint, ECDsa? trustedKey, string? checkpointError = null, string? checkpointSource = null, string? checkpointMalformed = null)
    {
        var result = new AuditVerification
        {
            Status = AuditVerificationStatus.Intact,
            EntriesChecked = EntriesChecked,
            HeadSequence = HeadSequence,
            HeadHash = HeadHash,
            Checkpoint = checkpoint,
            CheckpointSource = checkpointSource,
            TrustedKeyId = trustedKey is null ? null : AuditCheckpoint.KeyIdOf(trustedKey),
            RecordedCheckpointSequence = RecordedCheckpointSequence,
        };
        if (FirstBadSequence is not null) return Tampered(result, FirstBadSequence.Value, Problem!);
        if (checkpointMalformed is not null)
        {
            return Tampered(result, (RecordedCheckpointSequence ?? 0) + 1,
                $"the value at {checkpointSource ?? "the checkpoint's place"} is not a valid checkpoint ({checkpointMalformed}): it was damaged or forged");
        }

        if (checkpoint is null)
        {
            if (checkpointError is not null)
                return result with { Status = AuditVerificationStatus.Unanchored, Warning = $"the chain is intact, but the checkpoint was not checked: {checkpointError}" };
            if (RecordedCheckpointSequence is { } written)
            {
                return Tampered(result, 1,
                    $"the log records writing a checkpoint for entry {written} (entry {RecordedCheckpointEntry}), but there is none at {checkpointSource ?? "the checkpoint's place"}: it was deleted");
            }

            return result with
            {
                Status = AuditVerificationStatus.Unanchored,
                Warning = "the chain is intact, but no checkpoint has been written yet: a deleted tail would not show until one is",
            };
        }

        if (trustedKey is null) throw new ArgumentNullException(nameof(trustedKey), "a checkpoint can only be checked against a trusted public key");
        if (checkpoint.KeyId != result.TrustedKeyId)
        {
            return Tampered(result, checkpoint.Sequence,
                $"the checkpoint was signed by key {checkpoint.KeyId}, not the trusted key {result.TrustedKeyId}: it was forged (or the key was replaced)");
        }

        if (!checkpoint.VerifySignature(trustedKey))
        {
            return Tampered(result, checkpoint.Sequence, $"the checkpoint's signature does not verify with the trusted key {result.TrustedKeyId}: it was forged");
        }

        if (checkpoint.Sequence > HeadSequence)
        {
            return Tampered(result, HeadSequence + 1, HeadSequence + 1 == checkpoint.Sequence
                ? $"the signed checkpoint covers entry {checkpoint.Sequence}, but the log ends at entry {HeadSequence}: entry {checkpoint.Sequence} was deleted (truncated tail)"
                : $"the signed checkpoint covers entries up to {checkpoint.Sequence}, but the log ends at entry {HeadSequence}: entries {HeadSequence + 1}–{checkpoint.Sequence} were deleted (truncated tail)");
        }

        if (!string.Equals(_hashAtCheckpoint, checkpoint.HeadHash, StringComparison.Ordinal))
        {
            return Tampered(result, checkpoint.Sequence,
                $"entry {checkpoint.Sequence} does not have the hash the signed checkpoint records: the log up to entry {checkpoint.Sequence} was rewritten");
        }

        if (RecordedCheckpointSequence is { } recordedSequence && recordedSequence > checkpoint.Sequence)
        {
            return Tampered(result, checkpoint.Sequence + 1,
                $"the log records writing a checkpoint for entry {recordedSequence} (entry {RecordedCheckpointEntry}), but the checkpoint in the cluster is for entry {checkpoint.Sequence}: it was rolled back");
        }

        return result;
    }

    private static AuditVerification Tampered(AuditVerification result, long sequence, string problem) =>
        result with { Status = AuditVerificationStatus.Tampered, FirstBadSequence = sequence, Problem = problem };

    private bool Fail(long sequence, string problem)
    {
        FirstBadSequence = sequence;
        Problem = problem;
        return false;
    }

    private static bool IsCanonical(string json, bool requireArray)
    {
        try
        {
            var node = JsonNode.Parse(json);
            return (!requireArray || node is JsonArray) && string.Equals(JsonCanonicalizer.Canonicalize(node), json, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static long? RecordedSequence(string? details)
    {
        if (details is null) return null;
        try
        {
            return JsonNode.Parse(details)?["sequence"] is JsonValue v && long.TryParse(v.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
