using CniDashboard.Shared.Agent;

namespace CniDashboard.Server.Polling;

/// <summary>
/// How one call to an agent's write or backup API went, as a value the caller switches on (never an
/// exception for an answer the agent gave): the result, the file changed under the caller's feet,
/// a refusal with the agent's reason, or no answer at all.
/// </summary>
/// <typeparam name="T">What a successful call returns.</typeparam>
public abstract record AgentCall<T>
{
    /// <summary>200: done (or, for a change id sent before, what it did then: <see cref="FileChangeResult.Replayed"/>).</summary>
    /// <param name="Value">The agent's answer.</param>
    public sealed record Ok(T Value) : AgentCall<T>;

    /// <summary>
    /// 409 <c>sha-mismatch</c>: the file is not what the caller expected it to be — it changed since
    /// the caller looked. Nothing was written.
    /// </summary>
    /// <param name="CurrentSha256">The file's SHA-256 now; null when it does not exist.</param>
    /// <param name="Message">The agent's sentence.</param>
    public sealed record ShaMismatch(string? CurrentSha256, string Message) : AgentCall<T>;

    /// <summary>Any other refusal (4xx/5xx): nothing was written.</summary>
    /// <param name="StatusCode">The HTTP status.</param>
    /// <param name="Code">The agent's stable code (<see cref="AgentErrorCodes"/>), or <c>http-&lt;status&gt;</c> for a body that is not the agent's.</param>
    /// <param name="Message">The agent's sentence.</param>
    public sealed record Refused(int StatusCode, string Code, string Message) : AgentCall<T>;

    /// <summary>
    /// No answer (refused connection, timeout, a certificate the dashboard does not trust, a body it
    /// cannot read): whether a change happened is unknown — retry with the same change id.
    /// </summary>
    /// <param name="Reason">Why, in a line.</param>
    public sealed record Unreachable(string Reason) : AgentCall<T>;
}
