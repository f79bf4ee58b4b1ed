using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Server.Store;

/// <summary>
/// The store's last line of defence: agents redact tokens before they leave the node, and anything
/// that still looks like a JWT is refused here rather than written to disk.
/// </summary>
public static class TokenGuard
{
    /// <summary>Throws <see cref="TokenLeakException"/> when <paramref name="text"/> holds a JWT-shaped string.</summary>
    public static void EnsureNoToken(string? text, string what)
    {
        if (text is not null && !TokenRedactor.ContainsNoJwt(text))
            throw new TokenLeakException(what);
    }
}

/// <summary>Refusal to store something that contains a bearer token. The message never holds the value.</summary>
public sealed class TokenLeakException(string what)
    : InvalidOperationException($"Refusing to store {what}: it contains a JWT-shaped string (a bearer token must never reach the database).")
{
    /// <summary>What was refused, e.g. <c>file ZZZ-linkerd-cni-kubeconfig of node ip-10-0-1-2</c>.</summary>
    public string What { get; } = what;
}
