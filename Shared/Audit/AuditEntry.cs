namespace CniDashboard.Shared.Audit;

/// <summary>
/// One stored entry of the audit log, exactly as its row holds it: the fields its hash covers (see
/// <see cref="AuditCanonicalForm"/>) and the hashes that chain it to the entry before.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>Position in the chain: 1, 2, 3, … with no gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>When it was written (whole milliseconds, UTC).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Who acted: OIDC <c>sub</c>, the proxy's user, a ServiceAccount, or <c>system</c>.</summary>
    public required string ActorSubject { get; init; }

    /// <summary>The actor's name or e-mail as shown.</summary>
    public required string ActorName { get; init; }

    /// <summary>The dashboard roles the actor held, as the canonical JSON array stored, e.g. <c>["Viewer","Admin"]</c>.</summary>
    public required string ActorRoles { get; init; }

    /// <summary>How they signed in: <c>oidc</c>, <c>bearer</c>, <c>proxy</c>, <c>serviceaccount</c>, <c>none</c>, <c>system</c>.</summary>
    public required string ActorMethod { get; init; }

    /// <summary>What was done, <c>area.verb</c> (e.g. <c>settings.changed</c>).</summary>
    public required string Action { get; init; }

    /// <summary>The kind of thing acted on (<c>node</c>, <c>plan</c>, <c>setting</c>, …), or null.</summary>
    public string? TargetKind { get; init; }

    /// <summary>Its name, or null.</summary>
    public string? TargetName { get; init; }

    /// <summary><c>ok</c>, <c>denied</c> or <c>failed</c> (<see cref="AuditOutcomes"/>).</summary>
    public required string Outcome { get; init; }

    /// <summary>Details as canonical JSON text (RFC 8785), or null. Never holds a secret.</summary>
    public string? Details { get; init; }

    /// <summary>The caller's address, when there was a request.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>The request's id, when there was one.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// The cluster acted on (or whose process acted): <see cref="Fleet.ClusterId.Default"/> in a
    /// single-cluster install. Covered by the hash when it is not the default (<see cref="AuditCanonicalForm.VersionWithCluster"/>).
    /// </summary>
    public string Cluster { get; init; } = Fleet.ClusterId.Default;

    /// <summary>The previous entry's <see cref="Hash"/> (<see cref="AuditCanonicalForm.GenesisHash"/> for the first).</summary>
    public required string PrevHash { get; init; }

    /// <summary>Lower-case hex SHA-256 of <see cref="AuditCanonicalForm.Encode"/>.</summary>
    public required string Hash { get; init; }
}

/// <summary>The stored outcome words.</summary>
public static class AuditOutcomes
{
    /// <summary>Done.</summary>
    public const string Ok = "ok";

    /// <summary>Refused by authentication, authorization or antiforgery.</summary>
    public const string Denied = "denied";

    /// <summary>Attempted and failed.</summary>
    public const string Failed = "failed";

    /// <summary>Every outcome word.</summary>
    public static IReadOnlyList<string> All { get; } = [Ok, Denied, Failed];
}
