using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CniDashboard.Agent.Tests.Support;

/// <summary>A throw-away cluster CA and API-server certificates it signs, made in memory for TLS tests.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string name)
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        Authority = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
    }

    /// <summary>The CA certificate, with its key so it can sign; only its public part is ever written out.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>Writes the CA as PEM into <paramref name="folder"/> and returns the path.</summary>
    public string WriteAuthorityPem(string folder)
    {
        var path = Path.Combine(folder, $"ca-{Authority.Thumbprint[..8]}.crt");
        File.WriteAllText(path, Authority.ExportCertificatePem());
        return path;
    }

    /// <summary>A server certificate for <paramref name="address"/>, signed by this CA, with its private key.</summary>
    public X509Certificate2 Server(IPAddress address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={address}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var signed = request.Create(Authority, now.AddMinutes(-5), now.AddMinutes(50), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(key);
        // Re-imported from PKCS#12 so the TLS server can use the key on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// An agent serving certificate shaped like the chart's (Helm's genSignedCertWithKey): ECDSA P-256,
    /// serverAuth and clientAuth, the given DNS name (or none), signed by this CA.
    /// </summary>
    public X509Certificate2 Agent(string? dnsName, string commonName = "cni-dashboard-agent", TimeSpan? lifetime = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        if (dnsName is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var signed = request.Create(Authority, now.AddMinutes(-5), now + (lifetime ?? TimeSpan.FromMinutes(50)), RandomNumberGenerator.GetBytes(8));
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>Writes a certificate and its private key as PEM files (tls.crt / tls.key of a Secret); returns both paths.</summary>
    public static (string Cert, string Key) WritePem(X509Certificate2 certificate, string folder, string name = "tls")
    {
        var cert = Path.Combine(folder, $"{name}.crt");
        var key = Path.Combine(folder, $"{name}.key");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        using var ecdsa = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no ECDSA private key");
        File.WriteAllText(key, ecdsa.ExportECPrivateKeyPem());
        return (cert, key);
    }

    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
    }
}
