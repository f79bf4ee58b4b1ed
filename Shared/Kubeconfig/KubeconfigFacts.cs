namespace CniDashboard.Shared.Kubeconfig;

/// <summary>What a plugin's kubeconfig says, without its secrets.</summary>
public sealed record KubeconfigFacts
{
    /// <summary>The API server URL of the current context's cluster, as written (e.g. <c>https://[172.20.0.1]:443</c>).</summary>
    public string? Server { get; init; }

    /// <summary>True when the cluster has <c>certificate-authority-data</c> or <c>certificate-authority</c>.</summary>
    public bool HasCertificateAuthority { get; init; }

    /// <summary>The current context's user name.</summary>
    public string? User { get; init; }

    /// <summary>The claims of the user's bearer token, decoded from its payload. The token itself is never kept.</summary>
    public TokenClaims? Token { get; init; }

    /// <summary>
    /// A short fingerprint of the token (first 12 hex characters of its SHA-256) so two snapshots can
    /// tell whether the token changed without either holding it.
    /// </summary>
    public string? TokenFingerprint { get; init; }

    /// <summary>A <c>tokenFile</c> path the user reads instead of an inline token.</summary>
    public string? TokenFile { get; init; }

    /// <summary>Why the file could not be read as a kubeconfig, when it could not.</summary>
    public string? Error { get; init; }
}

/// <summary>Claims of a Kubernetes service-account token (JWT payload).</summary>
public sealed record TokenClaims
{
    /// <summary><c>iss</c>.</summary>
    public string? Issuer { get; init; }
    /// <summary><c>sub</c>, e.g. <c>system:serviceaccount:linkerd-cni:linkerd-cni</c>.</summary>
    public string? Subject { get; init; }
    /// <summary><c>aud</c>.</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];
    /// <summary><c>iat</c>.</summary>
    public DateTimeOffset? IssuedAt { get; init; }
    /// <summary><c>nbf</c>.</summary>
    public DateTimeOffset? NotBefore { get; init; }
    /// <summary><c>exp</c>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary><c>kubernetes.io.warnafter</c>: when the token should have been refreshed.</summary>
    public DateTimeOffset? WarnAfter { get; init; }
    /// <summary><c>kubernetes.io.namespace</c>.</summary>
    public string? Namespace { get; init; }
    /// <summary><c>kubernetes.io.serviceaccount.name</c>.</summary>
    public string? ServiceAccount { get; init; }
    /// <summary><c>kubernetes.io.pod.name</c>: the pod the token is bound to; it is revoked when that pod is deleted.</summary>
    public string? PodName { get; init; }
    /// <summary><c>kubernetes.io.pod.uid</c>.</summary>
    public string? PodUid { get; init; }
    /// <summary><c>kubernetes.io.node.name</c>.</summary>
    public string? NodeName { get; init; }
}
