using System.Text.Json.Nodes;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Audit;

/// <summary>Who did something: a person (as signed in), a ServiceAccount, or the dashboard itself.</summary>
/// <param name="Subject">Stable id: the OIDC <c>sub</c>, the proxy's user, the ServiceAccount's username, or <c>system</c>.</param>
/// <param name="DisplayName">Name or e-mail shown in the UI.</param>
/// <param name="Roles">The dashboard roles held when acting.</param>
/// <param name="Method">How they signed in: <c>oidc</c>, <c>bearer</c>, <c>proxy</c>, <c>serviceaccount</c>, <c>none</c>, or <c>system</c>.</param>
public sealed record AuditActor(string Subject, string DisplayName, IReadOnlyList<DashboardRole> Roles, string Method)
{
    /// <summary>The dashboard acting on its own (start-up, checkpoints, the engine between steps).</summary>
    public static AuditActor System { get; } = new("system", "system", [], "system");
}

/// <summary>What an action was about, e.g. <c>("node", "ip-10-0-1-5…")</c>, <c>("plan", "42")</c>, <c>("setting", "TwoPersonRule")</c>.</summary>
public sealed record AuditTarget(string Kind, string Name);

/// <summary>How an action ended.</summary>
public enum AuditOutcome
{
    /// <summary>Done.</summary>
    Ok,

    /// <summary>Refused by authentication or authorization (or antiforgery).</summary>
    Denied,

    /// <summary>Attempted and failed.</summary>
    Failed,
}

/// <summary>One entry to append. <paramref name="Details"/> is JSON and must never hold a secret.</summary>
public sealed record AuditRecord(
    AuditActor Actor,
    string Action,
    AuditTarget? Target,
    AuditOutcome Outcome,
    JsonObject? Details = null,
    string? ClientAddress = null,
    string? RequestId = null);

/// <summary>The person (or caller) behind the current request or circuit, with where they came from.</summary>
public sealed record AuditCaller(AuditActor Actor, string? ClientAddress, string? RequestId)
{
    /// <summary>The dashboard acting on its own, outside any request.</summary>
    public static AuditCaller System { get; } = new(AuditActor.System, null, null);

    /// <summary>An entry for something this caller did, with where they came from.</summary>
    public AuditRecord Record(string action, AuditTarget? target, AuditOutcome outcome, JsonObject? details = null) =>
        new(Actor, action, target, outcome, details, ClientAddress, RequestId);
}
