namespace CniDashboard.Agent.Auth;

/// <summary>How a bearer token fared.</summary>
public enum AgentAuthStatus
{
    /// <summary>Valid and allowed.</summary>
    Allowed,
    /// <summary>Missing, malformed or not valid: 401.</summary>
    Unauthenticated,
    /// <summary>Valid, but the identity is not allowed to use the agent: 403.</summary>
    Forbidden,
    /// <summary>The token could not be checked (API server unreachable): 503, and not cached.</summary>
    Unavailable,
}

/// <summary>The outcome of checking a bearer token.</summary>
/// <param name="Status">Whether the caller may proceed.</param>
/// <param name="Identity">Who the caller is (a username, never the token), when known.</param>
/// <param name="Detail">Why not, for the error body.</param>
public sealed record AgentAuthResult(AgentAuthStatus Status, string? Identity = null, string? Detail = null);

/// <summary>Checks the bearer token of a request to the agent's <c>/v1</c> API.</summary>
public interface IAgentAuthenticator
{
    /// <summary>The mode's name, for the start-up log line.</summary>
    string Mode { get; }

    /// <summary>Checks a bearer token (null when the request had none).</summary>
    ValueTask<AgentAuthResult> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken);
}
