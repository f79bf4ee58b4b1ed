using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CniDashboard.Server.Auth;

/// <summary>
/// The second listener (<c>Dashboard:Management</c>): its connections are marked, and on them only
/// <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> answer; everything else is 404.
/// </summary>
internal static class ManagementListener
{
    private const string Marker = "cni-dashboard.management";
    private static readonly string[] Paths = ["/healthz", "/readyz", "/metrics"];

    /// <summary>Marks every connection accepted on <paramref name="listen"/>.</summary>
    public static void Mark(ListenOptions listen) =>
        listen.Use(next => connection =>
        {
            connection.Items[Marker] = true;
            return next(connection);
        });

    public static IApplicationBuilder UseManagementListener(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
            if (items is null || !items.ContainsKey(Marker) || Paths.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase))) return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
}
