using System.Security.Cryptography;
using System.Text;

namespace CniDashboard.Agent.Auth;

/// <summary>
/// Mode <c>static</c> (simulated clusters and tests): one shared token, compared in constant time.
/// Both sides are hashed first so the comparison takes the same time whatever the lengths.
/// </summary>
public sealed class StaticTokenAuthenticator : IAgentAuthenticator
{
    private readonly byte[] _expectedHash;
    private readonly string _identity;

    /// <summary>Creates the authenticator; the token must not be empty.</summary>
    public StaticTokenAuthenticator(string token, string identity = "static-token")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        _expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        _identity = identity;
    }

    /// <summary>Reads the token from a file (trailing newline ignored), as mounted from a Secret.</summary>
    public static StaticTokenAuthenticator FromFile(string path) => new(File.ReadAllText(path).Trim());

    /// <inheritdoc />
    public string Mode => "static";

    /// <inheritdoc />
    public ValueTask<AgentAuthResult> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(bearerToken))
            return ValueTask.FromResult(new AgentAuthResult(AgentAuthStatus.Unauthenticated, Detail: "a bearer token is required"));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(bearerToken));
        return ValueTask.FromResult(CryptographicOperations.FixedTimeEquals(given, _expectedHash)
            ? new AgentAuthResult(AgentAuthStatus.Allowed, _identity)
            : new AgentAuthResult(AgentAuthStatus.Unauthenticated, Detail: "the bearer token is not valid"));
    }
}
