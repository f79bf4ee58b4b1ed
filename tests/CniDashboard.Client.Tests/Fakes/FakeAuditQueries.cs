using System.Collections.Concurrent;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>
/// <see cref="IAuditQueries"/> over entries in memory (hash-chained the way the server writes them):
/// filters and pages newest first by sequence, records the queries, answers verification with a set
/// result, and fails on demand.
/// </summary>
public sealed class FakeAuditQueries : IAuditQueries
{
    private readonly ConcurrentQueue<AuditQuery> _queries = new();
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);

    /// <summary>The log, oldest first.</summary>
    public List<AuditEntry> Entries { get; } = [];

    /// <summary>What <see cref="VerifyAsync"/> answers.</summary>
    public AuditVerification Verification { get; set; } = new()
    {
        Status = AuditVerificationStatus.Intact,
        EntriesChecked = 0,
        VerifiedAt = DateTimeOffset.UnixEpoch,
    };

    /// <summary>Every page query received.</summary>
    public IReadOnlyList<AuditQuery> Queries => [.. _queries];

    /// <summary>Verifications run.</summary>
    public int Verifications { get; private set; }

    /// <summary>Makes a method throw until <see cref="Recover"/>.</summary>
    public void Fail(string method, string message = "database is locked") => _failures[method] = message;

    /// <summary>Makes every method answer again.</summary>
    public void Recover() => _failures.Clear();

    /// <summary>Appends an entry chained to the last.</summary>
    public AuditEntry Add(string action, string actor = "alice", string? targetKind = "setting", string? target = "TwoPersonRule", string outcome = AuditOutcomes.Ok, string? details = null, DateTimeOffset? at = null)
    {
        var entry = new AuditEntry
        {
            Sequence = Entries.Count + 1,
            At = at ?? SampleCluster.Now.AddMinutes(-60 + Entries.Count),
            ActorSubject = actor + "-sub",
            ActorName = actor,
            ActorRoles = """["Admin"]""",
            ActorMethod = "oidc",
            Action = action,
            TargetKind = targetKind,
            TargetName = target,
            Outcome = outcome,
            Details = details,
            ClientAddress = "10.0.0.7",
            RequestId = "0HN8:" + Entries.Count,
            PrevHash = Entries.Count == 0 ? AuditCanonicalForm.GenesisHash : Entries[^1].Hash,
            Hash = "",
        };
        entry = entry with { Hash = AuditCanonicalForm.ComputeHash(entry) };
        Entries.Add(entry);
        return entry;
    }

    /// <inheritdoc />
    public Task<AuditPage> GetPageAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        _queries.Enqueue(query);
        Throw(nameof(GetPageAsync));
        var matching = Entries.AsEnumerable().Reverse()
            .Where(e => query.Actor is null || e.ActorSubject == query.Actor || e.ActorName == query.Actor)
            .Where(e => query.Action is null || e.Action == query.Action)
            .Where(e => query.TargetKind is null || e.TargetKind == query.TargetKind)
            .Where(e => query.Target is null || e.TargetName == query.Target)
            .Where(e => query.Outcome is null || e.Outcome == query.Outcome)
            .Where(e => query.From is null || e.At >= query.From)
            .Where(e => query.To is null || e.At < query.To)
            .Where(e => query.BeforeSequence is null || e.Sequence < query.BeforeSequence)
            .Take(query.Limit + 1)
            .ToList();
        var more = matching.Count > query.Limit;
        if (more) matching.RemoveAt(matching.Count - 1);
        return Task.FromResult(new AuditPage(matching, more ? matching[^1].Sequence : null, Entries.Count));
    }

    /// <inheritdoc />
    public Task<AuditEntry?> GetEntryAsync(long sequence, CancellationToken cancellationToken) =>
        Task.FromResult(Entries.FirstOrDefault(e => e.Sequence == sequence));

    /// <inheritdoc />
    public Task<AuditFacets> GetFacetsAsync(CancellationToken cancellationToken)
    {
        Throw(nameof(GetFacetsAsync));
        return Task.FromResult(new AuditFacets(
            [.. Entries.Select(e => e.Action).Distinct().Order(StringComparer.Ordinal)],
            [.. Entries.Select(e => e.TargetKind).OfType<string>().Distinct().Order(StringComparer.Ordinal)]));
    }

    /// <inheritdoc />
    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        Throw(nameof(VerifyAsync));
        Verifications++;
        return Task.FromResult(Verification);
    }

    private void Throw(string method)
    {
        if (_failures.TryGetValue(method, out var message)) throw new InvalidOperationException(message);
    }
}
