using System.Net;
using System.Net.Sockets;
using System.Text;
using CniDashboard.Agent.Auth;

namespace CniDashboard.Agent.Tests;

/// <summary>The agent's one-request HTTP/1.1 client to the API server: what it sends and every answer shape it must read.</summary>
public sealed class ApiServerPostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sends_one_POST_with_the_token_the_body_and_Connection_close()
    {
        await using var server = CannedServer.Start("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");

        var (status, body) = await ApiServerPost.SendAsync(server.Address, "/apis/x", "own-token", "{\"a\":1}"u8.ToArray(), null, Ct);

        Assert.Equal(201, status);
        Assert.Equal("{}", Encoding.UTF8.GetString(body));
        var request = await server.RequestAsync();
        Assert.StartsWith("POST /apis/x HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"\r\nHost: 127.0.0.1:{server.Address.Port}\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nAuthorization: Bearer own-token\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 7\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"a\":1}", request, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ok\"\r\n3;ext=1\r\n:1}\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 8\r\n\r\n{\"ok\":1}")]
    [InlineData("HTTP/1.0 201 Created\r\n\r\n{\"ok\":1}")]
    [InlineData("HTTP/1.1 201 Created\r\ncontent-length:  8 \r\n\r\n{\"ok\":1}trailing bytes after the body are not read")]
    public async Task Reads_chunked_informational_and_read_to_close_answers(string answer)
    {
        await using var server = CannedServer.Start(answer);

        var (status, body) = await ApiServerPost.SendAsync(server.Address, "/", "t", [], null, Ct);

        Assert.Equal(201, status);
        Assert.Equal("{\"ok\":1}", Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("")]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n\r\n")]
    [InlineData("HTTP/1.1 201 Created\r\nno colon here\r\n\r\n")]
    [InlineData("HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{\"short\":1}")]
    [InlineData("HTTP/1.1 201 Created\r\nContent-Length: 99999999999\r\n\r\n")]
    [InlineData("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    [InlineData("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ok\"")]
    public async Task A_broken_or_truncated_answer_is_an_IOException(string answer)
    {
        await using var server = CannedServer.Start(answer);

        await Assert.ThrowsAsync<IOException>(() => ApiServerPost.SendAsync(server.Address, "/", "t", [], null, Ct));
    }

    [Fact]
    public async Task A_header_section_beyond_16_KiB_is_refused()
    {
        await using var server = CannedServer.Start("HTTP/1.1 201 Created\r\nX-Padding: " + new string('a', 20_000) + "\r\n\r\n");

        var error = await Assert.ThrowsAsync<IOException>(() => ApiServerPost.SendAsync(server.Address, "/", "t", [], null, Ct));
        Assert.Contains("16 KiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_a_line_break_is_never_sent()
    {
        await using var server = CannedServer.Start("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");

        await Assert.ThrowsAsync<IOException>(() => ApiServerPost.SendAsync(server.Address, "/", "t\r\nX-Injected: 1", [], null, Ct));
    }

    /// <summary>Accepts one connection, reads the request (head and Content-Length body), answers with fixed bytes and closes.</summary>
    internal sealed class CannedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task<string> _request;

        private CannedServer(TcpListener listener, string answer)
        {
            _listener = listener;
            Address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
            _request = ServeAsync(answer);
        }

        public Uri Address { get; }

        public static CannedServer Start(string answer)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new CannedServer(listener, answer);
        }

        public Task<string> RequestAsync() => _request;

        private async Task<string> ServeAsync(string answer)
        {
            using var client = await _listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var received = new MemoryStream();
            var buffer = new byte[4096];
            while (true)
            {
                var text = Encoding.UTF8.GetString(received.ToArray());
                var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headEnd >= 0)
                {
                    var lengthLine = text[..headEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.Ordinal));
                    var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    if (received.Length >= headEnd + 4 + length) break;
                }
                var read = await stream.ReadAsync(buffer);
                if (read == 0) break;
                received.Write(buffer, 0, read);
            }
            await stream.WriteAsync(Encoding.UTF8.GetBytes(answer));
            client.Client.Shutdown(SocketShutdown.Send);
            return Encoding.UTF8.GetString(received.ToArray());
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _request;
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
                // The client under test gave up (the line-break case never connects).
            }
        }
    }
}
