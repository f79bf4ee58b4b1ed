using CniDashboard.Shared.Audit;

namespace CniDashboard.Shared.Tests.Audit;

/// <summary>Builds hash-chained entries the way the dashboard writes them, for verifier tests.</summary>
internal static class AuditChainFixture
{
    public static readonly DateTimeOffset Start = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    public static List<AuditEntry> Chain(int count, Func<long, (string Action, string? Details)>? shape = null)
    {
        var entries = new List<AuditEntry>();
        var prev = AuditCanonicalForm.GenesisHash;
        for (long seq = 1; seq <= count; seq++)
        {
            var (action, details) = shape?.Invoke(seq) ?? ("settings.changed", $$"""{"n":{{seq}}}""");
            var entry = Entry(seq, prev, action, details);
            entries.Add(entry);
            prev = entry.Hash;
        }

        return entries;
    }

    public static AuditEntry Entry(long seq, string prev, string action = "settings.changed", string? details = null)
    {
        var entry = new AuditEntry
        {
            Sequence = seq,
            At = Start.AddSeconds(seq),
            ActorSubject = "alice",
            ActorName = "Alice",
            ActorRoles = """["Admin"]""",
            ActorMethod = "oidc",
            Action = action,
            TargetKind = "setting",
            TargetName = "TwoPersonRule",
            Outcome = AuditOutcomes.Ok,
            Details = details,
            PrevHash = prev,
            Hash = "",
        };
        return Rehash(entry);
    }

    public static AuditEntry Rehash(AuditEntry entry) => entry with { Hash = AuditCanonicalForm.ComputeHash(entry) };

    /// <summary>A chain whose entry <paramref name="at"/> records writing a checkpoint for entry <paramref name="covers"/>.</summary>
    public static Func<long, (string, string?)> WithCheckpointEntry(long at, long covers) => seq =>
        seq == at ? (AuditCheckpoint.WrittenAction, $$"""{"sequence":{{covers}}}""") : ("settings.changed", $$"""{"n":{{seq}}}""");
}
