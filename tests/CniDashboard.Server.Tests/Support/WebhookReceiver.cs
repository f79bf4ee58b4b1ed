using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CniDashboard.Server.Tests.Support;

/// <summary>A webhook endpoint on loopback (real HTTP): records every POST's path, content type and JSON body.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The base URL (ends with '/').</summary>
    public Uri Url { get; }

    /// <summary>What was posted, in arrival order.</summary>
    public ConcurrentQueue<(string Path, string? ContentType, JsonNode? Body)> Received { get; } = new();

    /// <summary>Starts listening on 127.0.0.1 on a free port.</summary>
    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body);
            receiver!.Received.Enqueue((context.Request.Path.Value ?? "/", context.Request.ContentType, body));
            return Results.NoContent();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address.TrimEnd('/') + "/"));
        return receiver;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
