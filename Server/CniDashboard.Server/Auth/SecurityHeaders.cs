namespace CniDashboard.Server.Auth;

/// <summary>
/// Headers on every response: a Content-Security-Policy Blazor Server and MudBlazor work under (scripts
/// only from the dashboard; inline styles, which MudBlazor sets on elements; the circuit's WebSocket to
/// the same origin), no framing, no MIME sniffing, no referrer, and HSTS when served over HTTPS.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>The policy, with <paramref name="formTargets"/> (the identity provider's origin, for sign-out's redirect) allowed as form targets.</summary>
    public static string ContentSecurityPolicy(IEnumerable<string> formTargets) => string.Join(
        "; ",
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        string.Join(' ', ["form-action 'self'", .. formTargets]));

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, string contentSecurityPolicy) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = contentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            context.Response.OnStarting(() =>
            {
                // After forwarded headers: an ingress terminating TLS makes this request HTTPS.
                if (context.Request.IsHttps) context.Response.Headers.StrictTransportSecurity = "max-age=31536000";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
