using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CniDashboard.Agent.Auth;

/// <summary>
/// One HTTP/1.1 POST (or PATCH) of a JSON body to the API server, on a connection of its own that is closed
/// once the answer is read (<c>Connection: close</c>). TokenReviews come at most once a minute per
/// caller, so the agent holds no client, pool or connection between them. Speaking this single
/// exchange directly, rather than through <c>HttpClient</c>, also keeps the HTTP client stack out of
/// the agent's resident memory: its code paths depend on timing (an await that completes at once or
/// later runs different code), so they cannot be laid out hot reliably, and each stray one keeps a
/// 64–128 KiB window of cold code resident.
/// </summary>
internal static class ApiServerPost
{
    /// <summary>Longest status line plus header fields accepted.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    /// <summary>Largest body accepted (a TokenReview answer is about 1 KiB).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>
    /// Sends <paramref name="json"/> to <paramref name="path"/> on <paramref name="server"/> (http or
    /// https; with https the certificate is checked against <paramref name="trust"/>, or the system's
    /// roots when null, and the server's name). Returns the status code and body. Throws
    /// <see cref="IOException"/> for an answer that is not HTTP/1.x or too large, and whatever the
    /// connection or handshake throws (<see cref="SocketException"/>, <see cref="System.Security.Authentication.AuthenticationException"/>).
    /// </summary>
    public static Task<(int Status, byte[] Body)> SendAsync(Uri server, string path, string bearerToken, byte[] json, X509ChainPolicy? trust, CancellationToken cancellationToken) =>
        SendAsync(server, "POST", path, "application/json", bearerToken, json, trust, cancellationToken);

    /// <summary>
    /// The same exchange with another method and body type, e.g. <c>PATCH</c> with
    /// <c>application/merge-patch+json</c> for the agent's manifest announcement.
    /// </summary>
    public static async Task<(int Status, byte[] Body)> SendAsync(Uri server, string method, string path, string contentType, string bearerToken, byte[] json, X509ChainPolicy? trust, CancellationToken cancellationToken)
    {
        var https = server.Scheme == Uri.UriSchemeHttps;
        if (!https && server.Scheme != Uri.UriSchemeHttp) throw new IOException($"the API server address must be http or https, not {server.Scheme}");
        // A header value with a line break would let the token write headers of its own.
        if (bearerToken.AsSpan().IndexOfAny('\r', '\n') >= 0) throw new IOException("the agent's own token contains a line break");

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.IdnHost, server.Port, cancellationToken);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        await using var tls = https ? new SslStream(network, leaveInnerStreamOpen: true) : null;
        if (tls is not null)
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = server.IdnHost,
                CertificateChainPolicy = trust,
            }, cancellationToken);
        }
        Stream stream = tls is null ? network : tls;

        var head = string.Create(CultureInfo.InvariantCulture,
            $"{method} {path} HTTP/1.1\r\nHost: {server.Authority}\r\nAuthorization: Bearer {bearerToken}\r\nContent-Type: {contentType}\r\nAccept: application/json\r\nContent-Length: {json.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head), cancellationToken);
        await stream.WriteAsync(json, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        return await new ResponseReader(stream).ReadAsync(cancellationToken);
    }

    /// <summary>Reads one HTTP/1.x response: status line, header fields, then a Content-Length, chunked or read-to-close body.</summary>
    private sealed class ResponseReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[MaxHeadBytes];
        private int _start;
        private int _end;

        public async Task<(int Status, byte[] Body)> ReadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var (status, length, chunked) = ParseHead(await ReadHeadAsync(cancellationToken));
                // 1xx answers (100 Continue, 103 Early Hints) precede the real one.
                if (status < 200) continue;
                if (chunked) return (status, await ReadChunkedAsync(cancellationToken));
                if (length is { } known) return (status, await ReadExactlyAsync(checked((int)known), cancellationToken));
                return (status, await ReadToCloseAsync(cancellationToken));
            }
        }

        private static (int Status, long? Length, bool Chunked) ParseHead(string head)
        {
            var lines = head.Split("\r\n");
            var statusLine = lines[0];
            if (!statusLine.StartsWith("HTTP/1.", StringComparison.Ordinal) || statusLine.Length < 12 || statusLine[8] != ' '
                || !int.TryParse(statusLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 100)
                throw new IOException("the API server's answer is not HTTP/1.x");
            long? length = null;
            var chunked = false;
            foreach (var line in lines.AsSpan(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) throw new IOException("the API server's answer has a malformed header field");
                var name = line.AsSpan(0, colon).Trim();
                var value = line.AsSpan(colon + 1).Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed > MaxBodyBytes)
                        throw new IOException("the API server's answer has an invalid or too large Content-Length");
                    length = parsed;
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = value.EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
                }
            }
            return (status, length, chunked);
        }

        private async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var end = _buffer.AsSpan(_start, _end - _start).IndexOf(HeadEnd);
                if (end >= 0)
                {
                    var head = Encoding.ASCII.GetString(_buffer, _start, end);
                    _start += end + HeadEnd.Length;
                    return head;
                }
                if (!await FillAsync(cancellationToken)) throw new IOException("the API server closed the connection before answering");
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var newline = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (newline >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, newline);
                    _start += newline + 2;
                    return line;
                }
                if (!await FillAsync(cancellationToken)) throw new IOException("the API server's answer ends in the middle of a chunk");
            }
        }

        private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
        {
            using var body = new MemoryStream();
            while (true)
            {
                var sizeLine = await ReadLineAsync(cancellationToken);
                var sizeText = sizeLine.AsSpan();
                var extension = sizeText.IndexOf(';');
                if (extension >= 0) sizeText = sizeText[..extension];
                if (!int.TryParse(sizeText.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
                    throw new IOException("the API server's answer has a malformed chunk size");
                if (size == 0)
                {
                    while ((await ReadLineAsync(cancellationToken)).Length > 0)
                    {
                        // Trailer fields: none expected, none kept.
                    }
                    return body.ToArray();
                }
                if (body.Length + size > MaxBodyBytes) throw new IOException("the API server's answer is too large");
                body.Write(await ReadExactlyAsync(size, cancellationToken));
                if ((await ReadLineAsync(cancellationToken)).Length > 0) throw new IOException("the API server's answer has a malformed chunk");
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var result = new byte[count];
            var copied = 0;
            while (copied < count)
            {
                if (_start == _end && !await FillAsync(cancellationToken)) throw new IOException("the API server's answer is shorter than announced");
                var take = Math.Min(count - copied, _end - _start);
                Array.Copy(_buffer, _start, result, copied, take);
                _start += take;
                copied += take;
            }
            return result;
        }

        private async Task<byte[]> ReadToCloseAsync(CancellationToken cancellationToken)
        {
            using var body = new MemoryStream();
            do
            {
                body.Write(_buffer, _start, _end - _start);
                _start = _end;
                if (body.Length > MaxBodyBytes) throw new IOException("the API server's answer is too large");
            }
            while (await FillAsync(cancellationToken));
            return body.ToArray();
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new IOException("the API server's answer has a header section larger than 16 KiB");
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += read;
            return read > 0;
        }
    }
}
