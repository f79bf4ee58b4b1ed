using CniDashboard.Server.Audit;
using CniDashboard.Server.Options;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Auth;

/// <summary>
/// <c>proxy</c> mode: a request carrying the proxy's identity headers from an address outside
/// <see cref="ProxyAuthOptions.TrustedNetworks"/> is someone pretending to be the proxy. It is
/// refused with 401 whatever it asked for, and recorded in the audit log.
/// </summary>
internal sealed class ForgedProxyHeaders(RequestDelegate next, IOptions<DashboardOptions> options)
{
    private readonly TrustedNetworks _trusted = TrustedNetworks.Parse(options.Value.Auth.Proxy.TrustedNetworks);
    private readonly ProxyHeaders _headers = new(ProxyHeaderSets.Prefix(options.Value.Auth.Proxy.Headers)!);

    public async Task InvokeAsync(HttpContext context)
    {
        var present = _headers.PresentOn(context.Request);
        var peer = ConnectionPeer.Of(context);
        if (present.Count == 0 || _trusted.Contains(peer))
        {
            await next(context);
            return;
        }

        await RequestAudit.AppendAsync(
            context,
            null,
            AuditActions.Denied,
            AuditOutcome.Denied,
            RequestAudit.Target(context),
            RequestAudit.Reason("proxy identity headers from an untrusted address", ("headers", string.Join(", ", present)), ("peer", peer?.ToString())));
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await context.Response.WriteAsync("Identity headers are accepted only from the authenticating proxy.", context.RequestAborted);
    }
}
