using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace CniDashboard.Agent.Tls;

/// <summary>
/// How an agent endpoint serves TLS — the same for a real node (<see cref="AgentHost"/>) and for the
/// simulated cluster's agents, so the demo and every test exercise the production path.
/// </summary>
public static class AgentTls
{
    /// <summary>
    /// The DNS name an agent's certificate carries, for agents in <paramref name="namespace"/>. Agents
    /// listen on node IPs that no certificate can list in advance, so the dashboard checks this fixed
    /// name instead of the address it connects to.
    /// </summary>
    public static string ServerName(string @namespace) => $"cni-dashboard-agent.{@namespace}.svc";

    /// <summary>Time a client has to finish its handshake before the connection is dropped.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Serves HTTP/1.1 over TLS on this endpoint with <paramref name="certificate"/> (re-read when its files change).</summary>
    public static ListenOptions UseAgentTls(this ListenOptions listen, ServingCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(certificate);
        // HTTP/1.1 only: the poller and the tools speak it, and no ALPN means nothing to negotiate.
        listen.Protocols = HttpProtocols.Http1;
        return listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(certificate.ServerOptions),
            HandshakeTimeout = HandshakeTimeout,
        });
    }
}
