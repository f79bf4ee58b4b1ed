using System.Net;

namespace CniDashboard.Server.Auth;

/// <summary>
/// The address at the other end of the TCP connection, kept before forwarded headers rewrite
/// <c>Connection.RemoteIpAddress</c>: trust (proxy identity headers, forwarded headers) is decided on
/// who actually connected, never on what a header claims.
/// </summary>
public sealed class ConnectionPeer(IPAddress? address)
{
    /// <summary>The connecting address.</summary>
    public IPAddress? Address { get; } = address;

    /// <summary>The peer of <paramref name="context"/>: recorded at the start of the pipeline, else the connection's address.</summary>
    public static IPAddress? Of(HttpContext context) =>
        context.Features.Get<ConnectionPeer>()?.Address ?? context.Connection.RemoteIpAddress;

    /// <summary>Records the peer; runs first in the pipeline.</summary>
    public static IApplicationBuilder UseConnectionPeer(IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Features.Set(new ConnectionPeer(context.Connection.RemoteIpAddress));
            return next(context);
        });
}
