using System.Security.Cryptography.X509Certificates;

namespace CniDashboard.Agent.Auth;

/// <summary>
/// The CA that signs the API server's certificate, read once from a PEM file: only it vouches for
/// the API server (TLS still checks the name). Shared by the token reviews and the announcements.
/// </summary>
internal sealed class ClusterCa : IDisposable
{
    private readonly X509Certificate2Collection _certificates;

    private ClusterCa(X509Certificate2Collection certificates) => _certificates = certificates;

    /// <summary>Reads <paramref name="caFile"/>; null when none is given (the system's roots are used).</summary>
    public static ClusterCa? Load(string? caFile)
    {
        if (caFile is null) return null;
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(caFile);
        return new ClusterCa(certificates);
    }

    /// <summary>
    /// A chain policy trusting this CA alone. Giving the handshake this policy (rather than a callback
    /// after a default validation) builds one chain per handshake instead of two. A policy per
    /// connection: a handshake may add to it.
    /// </summary>
    public X509ChainPolicy Policy()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(_certificates);
        return policy;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var certificate in _certificates) certificate.Dispose();
    }
}
