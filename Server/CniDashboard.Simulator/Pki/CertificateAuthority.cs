using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CniDashboard.Simulator.Pki;

/// <summary>
/// A certificate authority of the simulated cluster — the cluster CA that signs the API server's
/// certificate, or the agents' CA the Helm chart would generate — and the serving certificates it
/// issues. ECDSA P-256 throughout, as the chart generates them (cheap handshakes at 5,000 agents).
/// Validity follows the machine's clock, never a test's fake one: TLS stacks judge it by that clock.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>How long a generated CA is valid.</summary>
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);

    /// <summary>How long an issued serving certificate is valid (they are issued again at every start).</summary>
    public static readonly TimeSpan ServingLifetime = TimeSpan.FromDays(365);

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private CertificateAuthority(X509Certificate2 certificate)
    {
        Certificate = certificate;
        PublicCertificate = X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>The CA certificate with its private key (it signs).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate alone, to hand to clients as their trust anchor.</summary>
    public X509Certificate2 PublicCertificate { get; }

    /// <summary>The CA certificate as PEM (what a kubeconfig's <c>certificate-authority-data</c> holds, base64-encoded).</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>A new CA, in memory.</summary>
    public static CertificateAuthority Create(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new CertificateAuthority(request.CreateSelfSigned(now - ClockSkew, now + CaLifetime));
    }

    /// <summary>
    /// The CA kept in <paramref name="certFile"/> and <paramref name="keyFile"/> (PEM; the key readable
    /// by the owner only), or a new one written there when they are missing, unreadable, or within
    /// 30 days of expiry. Returns whether it was created.
    /// </summary>
    public static (CertificateAuthority Authority, bool Created) LoadOrCreate(string certFile, string keyFile, string commonName)
    {
        if (File.Exists(certFile) && File.Exists(keyFile))
        {
            try
            {
                var loaded = X509Certificate2.CreateFromPemFile(certFile, keyFile);
                if (loaded.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddDays(30)) return (new CertificateAuthority(loaded), false);
                loaded.Dispose();
            }
            catch (CryptographicException)
            {
                // A damaged pair is replaced below; every certificate it signed is issued again at start anyway.
            }
        }

        var created = Create(commonName);
        created.Write(certFile, keyFile);
        return (created, true);
    }

    /// <summary>
    /// A serving certificate (serverAuth and clientAuth, as Helm's genSignedCert makes them) for
    /// <paramref name="dnsNames"/> and <paramref name="addresses"/> (its subject alternative names),
    /// with its private key.
    /// </summary>
    public X509Certificate2 Issue(string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        var any = false;
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
            any = true;
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
            any = true;
        }

        // No names at all is a certificate with the CN alone, which a client must refuse: kept possible for tests.
        if (any) request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = now + ServingLifetime < Certificate.NotAfter ? now + ServingLifetime : new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        using var signed = request.Create(Certificate, now - ClockSkew, notAfter, RandomNumberGenerator.GetBytes(16));
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>Writes the CA as PEM files, the key readable by the owner only.</summary>
    public void Write(string certFile, string keyFile) => WritePem(Certificate, certFile, keyFile);

    /// <summary>Writes a certificate and its private key as PEM files (the key readable by the owner only).</summary>
    public static void WritePem(X509Certificate2 certificate, string certFile, string keyFile)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("the certificate has no ECDSA private key", nameof(certificate));
        WriteFile(keyFile, key.ExportPkcs8PrivateKeyPem(), secret: true);
        WriteFile(certFile, certificate.ExportCertificatePem(), secret: false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        PublicCertificate.Dispose();
    }

    private static void WriteFile(string path, string text, bool secret)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            if (!text.EndsWith('\n')) writer.Write('\n');
        }

        // Renamed into place: an agent re-reading its certificate never sees half a file.
        File.Move(temp, path, overwrite: true);
    }
}
