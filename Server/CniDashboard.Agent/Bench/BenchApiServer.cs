using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CniDashboard.Agent.Auth;

namespace CniDashboard.Agent.Bench;

/// <summary>
/// The API server as <c>bench --auth-mode tokenreview</c> needs it: HTTPS on loopback under a
/// throw-away CA (so the agent pays for a real TLS handshake and chain check), answering
/// TokenReviews the way the API server does. It understands exactly what the agent sends: HTTP/1.1
/// POSTs with a Content-Length or chunked body, on keep-alive connections.
/// </summary>
internal sealed class BenchApiServer : IAsyncDisposable
{
    /// <summary>The identity the bench token reviews as: the dashboard's ServiceAccount, allowed by default.</summary>
    public const string Username = TokenReviewOptions.DefaultAllowedUsername;

    private const int MaxHeadBytes = 16 * 1024;
    private const int MaxBodyBytes = 64 * 1024;
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly string _validToken;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _reviews;
    private int _openConnections;

    private BenchApiServer(TcpListener listener, X509Certificate2 certificate, string caFile, string validToken)
    {
        _listener = listener;
        _certificate = certificate;
        _validToken = validToken;
        CaFile = caFile;
        Address = new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>The server's URL (<c>--kube-api</c>).</summary>
    public Uri Address { get; }

    /// <summary>PEM of the CA that signed the server's certificate (<c>--kube-ca</c>).</summary>
    public string CaFile { get; }

    /// <summary>TokenReviews answered so far.</summary>
    public int Reviews => Volatile.Read(ref _reviews);

    /// <summary>Client connections open now (accepted and not yet closed by either side).</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>Starts listening; writes the CA certificate into <paramref name="folder"/>.</summary>
    public static BenchApiServer Start(string folder, string validToken)
    {
        var now = DateTimeOffset.UtcNow;
        // RSA 2048, as clusters' API server certificates usually are.
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=cni-dashboard bench cluster CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, critical: true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        using var signed = serverRequest.Create(ca, now.AddMinutes(-5), now.AddHours(12), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        var caFile = Path.Combine(folder, "bench-ca.crt");
        File.WriteAllText(caFile, ca.ExportCertificatePem());
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new BenchApiServer(listener, certificate, caFile, validToken);
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(cancellationToken);
                connections.Add(ServeAsync(client, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _openConnections);
        try
        {
            using var owned = client;
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, cancellationToken);
            var input = new RequestReader(tls);
            while (await input.ReadRequestBodyAsync(cancellationToken) is { } body)
            {
                var review = JsonSerializer.Deserialize(body, TokenReviewJsonContext.Default.TokenReview);
                Interlocked.Increment(ref _reviews);
                var valid = review?.Spec?.Token == _validToken;
                var answer = (review ?? new TokenReview()) with
                {
                    Spec = review?.Spec is { } spec ? spec with { Token = null } : null,
                    Status = valid
                        ? new TokenReviewStatus { Authenticated = true, User = new TokenReviewUser { Username = Username }, Audiences = review?.Spec?.Audiences }
                        : new TokenReviewStatus { Authenticated = false, Error = "invalid bearer token" },
                };
                var json = JsonSerializer.SerializeToUtf8Bytes(answer, TokenReviewJsonContext.Default.TokenReview);
                var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\n\r\n"));
                await tls.WriteAsync(head, cancellationToken);
                await tls.WriteAsync(json, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException or InvalidDataException or JsonException or FormatException or OverflowException
            or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or spoke something else: close this connection, keep serving.
        }
        finally
        {
            Interlocked.Decrement(ref _openConnections);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _certificate.Dispose();
        _stop.Dispose();
    }

    /// <summary>Reads HTTP/1.1 requests off a stream: head lines, then a Content-Length or chunked body.</summary>
    private sealed class RequestReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[MaxHeadBytes];
        private int _start;
        private int _end;

        /// <summary>The next request's body, or null at the end of the connection.</summary>
        public async Task<byte[]?> ReadRequestBodyAsync(CancellationToken cancellationToken)
        {
            if (await ReadLineAsync(cancellationToken) is not { Length: > 0 }) return null;
            long? length = null;
            var chunked = false;
            while (await ReadLineAsync(cancellationToken) is { Length: > 0 } header)
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) throw new InvalidDataException("bad header line");
                var name = header[..colon].Trim();
                var value = header[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value, CultureInfo.InvariantCulture);
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            if (!chunked) return await ReadBytesAsync(checked((int)Math.Min(length ?? 0, MaxBodyBytes + 1L)), cancellationToken);

            using var body = new MemoryStream();
            while (true)
            {
                var sizeLine = await ReadLineAsync(cancellationToken) ?? throw new InvalidDataException("truncated chunk");
                var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while (await ReadLineAsync(cancellationToken) is { Length: > 0 })
                    {
                        // Trailer fields: none expected, none kept.
                    }
                    return body.ToArray();
                }
                if (body.Length + size > MaxBodyBytes) throw new InvalidDataException("body too large");
                body.Write(await ReadBytesAsync(size, cancellationToken));
                await ReadLineAsync(cancellationToken);
            }
        }

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                    _start = newline + 1;
                    return line;
                }
                if (!await FillAsync(cancellationToken)) return null;
            }
        }

        private async Task<byte[]> ReadBytesAsync(int count, CancellationToken cancellationToken)
        {
            if (count > MaxBodyBytes) throw new InvalidDataException("body too large");
            var result = new byte[count];
            var copied = 0;
            while (copied < count)
            {
                if (_start == _end && !await FillAsync(cancellationToken)) throw new InvalidDataException("truncated body");
                var take = Math.Min(count - copied, _end - _start);
                Array.Copy(_buffer, _start, result, copied, take);
                _start += take;
                copied += take;
            }
            return result;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new InvalidDataException("request head too large");
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += read;
            return read > 0;
        }
    }
}
