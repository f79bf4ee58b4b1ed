using System.Net;
using System.Net.Sockets;

namespace CniDashboard.Demo;

/// <summary>A port free on 127.0.0.1 now, for a listener whose address must be known before it starts (redirect URIs, the issuer).</summary>
internal static class FreePort
{
    public static int Pick()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
