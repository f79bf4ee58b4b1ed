using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CniDashboard.Server.Polling;

/// <summary>
/// Whom the poller believes to be an agent over TLS: a server whose certificate chains to the agents'
/// CA (<c>Dashboard:Poller:AgentCaFile</c>, and no other root) and is issued for the fixed name
/// <c>Dashboard:Poller:AgentServerName</c>. Agents listen on node IPs nobody can know when the
/// certificate is made, so the name checked is that DNS name, never the address dialled. Each agent's
/// TLS session is kept under a name of its own (<see cref="SessionName"/>), so a connection resumes
/// only with the agent that issued the session, and a resumed connection is judged like a new one:
/// its certificate's chain is built again under the CA trusted now and its name checked again. The CA file is re-read when it changes (at most once a minute), so a rotated CA is
/// picked up without a restart. A refused certificate fails the connection with
/// <see cref="AgentTlsException"/>, whose message says why.
/// </summary>
public sealed partial class AgentTrust
{
    private static readonly TimeSpan CaCheckInterval = TimeSpan.FromMinutes(1);
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private const int MaxDnsNameLength = 253;

    private readonly string _caFile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _reloading = new();
    private volatile TrustAnchors _anchors;

    /// <summary>Reads the CA file; throws <see cref="CryptographicException"/> or <see cref="IOException"/> when it holds no usable certificate.</summary>
    public AgentTrust(string caFile, string serverName, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(caFile);
        ArgumentException.ThrowIfNullOrEmpty(serverName);
        _caFile = caFile;
        ServerName = serverName;
        _time = time;
        _logger = logger;
        _anchors = Read(caFile, time.GetUtcNow());
    }

    /// <summary>The DNS name every agent's certificate must carry.</summary>
    public string ServerName { get; }

    /// <summary>The certificates in a CA file, or an exception naming the file when there are none.</summary>
    public static X509Certificate2Collection ReadCaFile(string caFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        if (roots.Count == 0) throw new CryptographicException($"{caFile} holds no PEM certificate");
        return roots;
    }

    /// <summary>
    /// <see cref="SocketsHttpHandler.ConnectCallback"/>: connects to the agent and completes the TLS
    /// handshake under this trust, so the handler sends the request over an already-verified stream.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await ConnectAsync(context.DnsEndPoint, cancellationToken);
    }

    /// <summary>
    /// Connects to the agent at <paramref name="endPoint"/> and completes the TLS handshake under this
    /// trust; throws <see cref="AgentTlsException"/> saying why when the agent is not believed.
    /// </summary>
    public async ValueTask<SslStream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        string? refusal = null;
        var options = new SslClientAuthenticationOptions
        {
            // .NET keeps one TLS session per TargetHost and offers it to the next connection with that
            // TargetHost. Every agent answers to ServerName, so that as TargetHost would offer agent A's
            // session to agent B; a name per agent keeps each session for the agent that issued it. The
            // certificate is still checked against ServerName (Judge), never against this name.
            TargetHost = SessionName(endPoint, ServerName),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(),
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => (refusal = Judge(certificate, chain, errors)) is null,
        };
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken);
            return tls;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await tls.DisposeAsync();
            throw new AgentTlsException(
                refusal is not null
                    ? $"TLS: refused the agent's certificate: {refusal}"
                    : $"TLS handshake failed: {ex.Message} (does the agent serve TLS? It needs --tls-cert and --tls-key)",
                ex);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The TLS name used for the agent at <paramref name="endPoint"/>: a label naming its address and
    /// port under <paramref name="serverName"/> (<c>a0a00010a-9440.cni-dashboard-agent.cni-dashboard.svc</c>
    /// for 10.0.1.10:9440). It keys the TLS session cache and is sent as SNI (agents ignore SNI); it is
    /// never what the certificate is checked against.
    /// </summary>
    public static string SessionName(DnsEndPoint endPoint, string serverName)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentException.ThrowIfNullOrEmpty(serverName);
        // An address as hex (IPv6 has colons, which no DNS label may hold); anything else by its hash.
        var label = IPAddress.TryParse(endPoint.Host, out var address)
            ? $"a{Convert.ToHexStringLower(address.GetAddressBytes())}-{endPoint.Port}"
            : $"h{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{endPoint.Host}:{endPoint.Port}")))[..32]}";
        var name = $"{label}.{serverName}";
        // A server name too long to carry a label falls back to itself: one session shared by all agents, still verified.
        return name.Length <= MaxDnsNameLength ? name : serverName;
    }

    /// <summary>Why a certificate is refused, or null when it is the agents' certificate.</summary>
    private string? Judge(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        try
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return "the agent presented no certificate";
            // SslStream hands over the X509Certificate2 it keeps as RemoteCertificate: read it, never copy or dispose it.
            var shown = certificate as X509Certificate2;
            using var copy = shown is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
            shown ??= copy!;
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            {
                var statuses = chain?.ChainStatus.Select(s => s.Status.ToString()).Distinct().ToArray() ?? [];
                return $"{shown.Subject} is not issued by the agent CA in {_caFile} ({(statuses.Length == 0 ? "chain error" : string.Join(", ", statuses))})";
            }

            // The platform checked the per-agent SessionName, which no certificate carries: the name that counts
            // is ServerName, as a SAN (no CN fallback, no wildcard).
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
            if (!shown.MatchesHostname(ServerName, allowWildcards: false, allowCommonName: false))
            {
                var names = DnsNames(shown);
                return $"{shown.Subject} (DNS names: {(names.Count == 0 ? "none" : string.Join(", ", names))}) is not issued for {ServerName}";
            }

            return errors == SslPolicyErrors.None ? null : errors.ToString();
        }
        finally
        {
            // With a validation callback SslStream leaves the chain's certificates and the ones it added to the
            // policy's ExtraStore to the finalizer; every poll builds a chain, so release them here.
            Release(chain, certificate);
        }
    }

    private static void Release(X509Chain? chain, X509Certificate? kept)
    {
        if (chain is null) return;
        foreach (var element in chain.ChainElements)
        {
            if (!ReferenceEquals(element.Certificate, kept)) element.Certificate.Dispose();
        }

        // The policy is this connection's own (ChainPolicy()): whatever its ExtraStore holds, SslStream put there.
        foreach (var extra in chain.ChainPolicy.ExtraStore)
        {
            if (!ReferenceEquals(extra, kept)) extra.Dispose();
        }
    }

    private X509ChainPolicy ChainPolicy()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.ApplicationPolicy.Add(ServerAuthentication);
        policy.CustomTrustStore.AddRange(Anchors());
        return policy;
    }

    private X509Certificate2Collection Anchors()
    {
        var anchors = _anchors;
        var now = _time.GetUtcNow();
        if (now - anchors.CheckedAt < CaCheckInterval) return anchors.Roots;
        lock (_reloading)
        {
            anchors = _anchors;
            if (now - anchors.CheckedAt < CaCheckInterval) return anchors.Roots;
            try
            {
                var fresh = Read(_caFile, now);
                if (fresh.Fingerprint.AsSpan().SequenceEqual(anchors.Fingerprint))
                {
                    _anchors = anchors with { CheckedAt = now };
                    return anchors.Roots;
                }

                _anchors = fresh;
                LogCaReloaded(_caFile, fresh.Roots.Count);
                return fresh.Roots;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                // A rotation caught half-way or a removed file: keep trusting what was read last.
                LogCaNotReloaded(_caFile, ex.Message);
                _anchors = anchors with { CheckedAt = now };
                return anchors.Roots;
            }
        }
    }

    private static TrustAnchors Read(string caFile, DateTimeOffset now)
    {
        var bytes = File.ReadAllBytes(caFile);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(System.Text.Encoding.UTF8.GetString(bytes));
        if (roots.Count == 0) throw new CryptographicException($"{caFile} holds no PEM certificate");
        return new TrustAnchors(roots, SHA256.HashData(bytes), now);
    }

    private static List<string> DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san) names.AddRange(san.EnumerateDnsNames());
        }
        return names;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent CA {CaFile} changed; now trusting its {Count} certificate(s)")]
    private partial void LogCaReloaded(string caFile, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent CA {CaFile} could not be read again ({Error}); still trusting the previous one")]
    private partial void LogCaNotReloaded(string caFile, string error);

    private sealed record TrustAnchors(X509Certificate2Collection Roots, byte[] Fingerprint, DateTimeOffset CheckedAt);
}

/// <summary>An agent's TLS connection could not be established or its certificate was refused; the message says why.</summary>
public sealed class AgentTlsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentTlsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a reason (serialization and tooling).</summary>
    public AgentTlsException()
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public AgentTlsException(string message)
        : base(message)
    {
    }
}
