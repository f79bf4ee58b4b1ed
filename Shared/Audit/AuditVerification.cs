namespace CniDashboard.Shared.Audit;

/// <summary>What a verification of the audit log concluded.</summary>
public enum AuditVerificationStatus
{
    /// <summary>Every entry hashes and chains, and the signed checkpoint in the cluster agrees.</summary>
    Intact,

    /// <summary>
    /// Every entry hashes and chains, but no checkpoint was compared (none written yet, or it could not
    /// be read): a deleted tail, or a log rewritten and re-hashed throughout, would not show.
    /// </summary>
    Unanchored,

    /// <summary>The chain or the checkpoint disagrees: see <see cref="AuditVerification.FirstBadSequence"/>.</summary>
    Tampered,
}

/// <summary>The result of walking the audit chain and comparing it with the latest checkpoint.</summary>
public sealed record AuditVerification
{
    /// <summary>The conclusion.</summary>
    public required AuditVerificationStatus Status { get; init; }

    /// <summary>The first entry where the chain or the checkpoint disagrees; null unless tampered.</summary>
    public long? FirstBadSequence { get; init; }

    /// <summary>What disagrees, in a sentence; null unless tampered.</summary>
    public string? Problem { get; init; }

    /// <summary>Why the result is weaker than intact (no checkpoint, checkpoint unreadable); null otherwise.</summary>
    public string? Warning { get; init; }

    /// <summary>Entries walked.</summary>
    public long EntriesChecked { get; init; }

    /// <summary>The last entry's sequence number (0 for an empty log).</summary>
    public long HeadSequence { get; init; }

    /// <summary>The last entry's hash, or null for an empty log.</summary>
    public string? HeadHash { get; init; }

    /// <summary>The checkpoint compared, when one was read.</summary>
    public AuditCheckpoint? Checkpoint { get; init; }

    /// <summary>Where the checkpoint was read from, e.g. <c>configmap cni-dashboard/cni-dashboard-audit-checkpoint</c>.</summary>
    public string? CheckpointSource { get; init; }

    /// <summary>The key id the checkpoint's signature was checked with.</summary>
    public string? TrustedKeyId { get; init; }

    /// <summary>The newest checkpoint the log records having written (its sequence), if any.</summary>
    public long? RecordedCheckpointSequence { get; init; }

    /// <summary>When the verification ran.</summary>
    public DateTimeOffset VerifiedAt { get; init; }

    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }
}
