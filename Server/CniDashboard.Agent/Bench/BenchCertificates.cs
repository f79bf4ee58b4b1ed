using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CniDashboard.Agent.Tls;

namespace CniDashboard.Agent.Bench;

/// <summary>
/// The bench's TLS material for the agent's own endpoint, shaped as the Helm chart generates it
/// (ECDSA P-256 CA and serving certificate for the agents' fixed name), and a client that checks
/// the agent as the dashboard does: this CA only, the fixed name, whatever address was dialled.
/// </summary>
internal static class BenchCertificates
{
    /// <summary>The name in the bench agent's certificate (the chart's default namespace).</summary>
    public static readonly string ServerName = AgentTls.ServerName("cni-dashboard");

    /// <summary>Writes <c>tls.crt</c> and <c>tls.key</c> into <paramref name="folder"/>; returns the CA certificate (no key).</summary>
    public static X509Certificate2 WriteAgentPair(string folder)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=cni-dashboard-agent bench CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, critical: true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=cni-dashboard-agent", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(ServerName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var signed = request.Create(ca, now.AddMinutes(-5), now.AddHours(12), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(Path.Combine(folder, "tls.crt"), signed.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "tls.key"), key.ExportECPrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(ca.RawData);
    }

    /// <summary>A handler for the bench's client; with <paramref name="authority"/>, it accepts only the agent's certificate.</summary>
    public static SocketsHttpHandler ClientHandler(X509Certificate2? authority)
    {
        var handler = new SocketsHttpHandler();
        if (authority is null) return handler;
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(authority);
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = policy,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                // Dialled by IP, named by the fixed DNS name: the IP's absence is the one error allowed.
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) != SslPolicyErrors.None) return false;
                using var shown = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return shown.MatchesHostname(ServerName, allowWildcards: false, allowCommonName: false);
            },
        };
        return handler;
    }
}
