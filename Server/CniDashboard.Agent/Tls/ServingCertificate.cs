using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Agent.Tls;

/// <summary>
/// The certificate the agent serves TLS with, read from PEM files (<c>--tls-cert</c>, <c>--tls-key</c>;
/// in a cluster the <c>tls.crt</c> and <c>tls.key</c> of a Secret volume) and read again when they
/// change, so a renewed certificate (cert-manager, <c>helm upgrade</c>) is served without a restart.
/// The files are checked at most once per <see cref="DefaultCheckInterval"/>, on a handshake — an
/// idle agent holds no timer and no watcher for them.
/// </summary>
public sealed class ServingCertificate
{
    /// <summary>How often the files are compared with what is served (the kubelet refreshes Secret volumes about once a minute).</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromMinutes(1);

    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _checkInterval;
    private readonly Lock _reloading = new();
    private volatile Loaded _current;
    private long _nextCheckTicks;

    private ServingCertificate(string certFile, string keyFile, TimeProvider time, ILogger logger, TimeSpan checkInterval, Loaded current)
    {
        _certFile = certFile;
        _keyFile = keyFile;
        _time = time;
        _logger = logger;
        _checkInterval = checkInterval;
        _current = current;
        _nextCheckTicks = time.GetUtcNow().UtcTicks + checkInterval.Ticks;
    }

    /// <summary>The certificate served now (checks the files first when the interval has passed).</summary>
    public X509Certificate2 Certificate => Current().Certificate;

    /// <summary>The handshake options for the certificate served now, shared by every handshake until the files change.</summary>
    public SslServerAuthenticationOptions ServerOptions => Current().Options;

    /// <summary>
    /// Reads the certificate (optionally followed by its intermediates) and its private key.
    /// Throws <see cref="CryptographicException"/> or <see cref="IOException"/> with a message naming
    /// the files when they cannot be served.
    /// </summary>
    public static ServingCertificate Load(string certFile, string keyFile, TimeProvider? time = null, ILogger? logger = null, TimeSpan? checkInterval = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(certFile);
        ArgumentException.ThrowIfNullOrEmpty(keyFile);
        time ??= TimeProvider.System;
        var interval = checkInterval ?? DefaultCheckInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(checkInterval));
        var (certPem, keyPem) = ReadPair(certFile, keyFile);
        return new ServingCertificate(certFile, keyFile, time, logger ?? NullLogger.Instance, interval, Parse(certFile, keyFile, certPem, keyPem));
    }

    /// <summary>A one-line description for the log: subject, DNS names, expiry. Never key material.</summary>
    public static string Describe(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = DnsNames(certificate);
        return $"{certificate.Subject}, DNS names [{string.Join(", ", names)}], valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm}Z";
    }

    private Loaded Current()
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (now >= Interlocked.Read(ref _nextCheckTicks)) CheckFiles(now);
        return _current;
    }

    private void CheckFiles(long now)
    {
        lock (_reloading)
        {
            if (now < Interlocked.Read(ref _nextCheckTicks)) return;
            Interlocked.Exchange(ref _nextCheckTicks, now + _checkInterval.Ticks);
            try
            {
                var (certPem, keyPem) = ReadPair(_certFile, _keyFile);
                if (Fingerprint(certPem, keyPem).SequenceEqual(_current.Fingerprint)) return;
                var loaded = Parse(_certFile, _keyFile, certPem, keyPem);
                // The previous certificate is not disposed: a handshake may still be using it.
                _current = loaded;
                AgentLog.ServingCertificateReloaded(_logger, Describe(loaded.Certificate));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                // Half-written or mismatched files (a rotation in progress, a bad Secret): keep serving the last good pair.
                AgentLog.ServingCertificateNotReloaded(_logger, ex.Message);
            }
        }
    }

    private static (string Cert, string Key) ReadPair(string certFile, string keyFile) => (File.ReadAllText(certFile), File.ReadAllText(keyFile));

    private static Loaded Parse(string certFile, string keyFile, string certPem, string keyPem)
    {
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPem(certPem, keyPem);
            // tls.crt may carry the intermediates after the leaf; they are sent with it.
            chain.ImportFromPem(certPem);
        }
        catch (CryptographicException ex)
        {
            throw new CryptographicException($"TLS certificate {certFile} and key {keyFile} cannot be served: {ex.Message}", ex);
        }

        var intermediates = new X509Certificate2Collection();
        foreach (var extra in chain)
        {
            if (extra.Thumbprint != certificate.Thumbprint) intermediates.Add(extra);
        }

        // Offline: the context is built once per certificate, never by fetching anything.
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
        return new Loaded(certificate, options, Fingerprint(certPem, keyPem));
    }

    private static byte[] Fingerprint(string certPem, string keyPem) =>
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(certPem + "\n" + keyPem));

    private static List<string> DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san) names.AddRange(san.EnumerateDnsNames());
        }
        return names;
    }

    private sealed record Loaded(X509Certificate2 Certificate, SslServerAuthenticationOptions Options, byte[] Fingerprint);
}
