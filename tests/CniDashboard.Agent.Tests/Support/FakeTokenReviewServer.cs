using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CniDashboard.Agent.Auth;

namespace CniDashboard.Agent.Tests.Support;

/// <summary>
/// A local HTTP endpoint that answers <c>POST /apis/authentication.k8s.io/v1/tokenreviews</c> the
/// way the API server does: it requires the caller's own bearer token, and echoes the requested
/// audiences the reviewed token is valid for.
/// </summary>
internal sealed class FakeTokenReviewServer : IAsyncDisposable
{
    public const string AgentServiceAccountToken = "agent-sa-token-5d2f";
    public const string DashboardToken = "dashboard-sa-token-91ab";
    public const string OtherServiceAccountToken = "other-sa-token-77c1";
    public const string OtherAudienceToken = "dashboard-token-for-another-audience";

    private readonly WebApplication _app;
    private readonly string _root;
    private int _rejectedCallers;

    private FakeTokenReviewServer(WebApplication app, Uri address, string root)
    {
        _app = app;
        Address = address;
        _root = root;
    }

    public Uri Address { get; }
    public ConcurrentQueue<TokenReview> Reviews { get; } = new();
    public int RejectedCallers => _rejectedCallers;
    public volatile bool Failing;

    /// <summary>Starts the endpoint over plain HTTP, or over HTTPS with <paramref name="certificate"/> (with its private key).</summary>
    public static async Task<FakeTokenReviewServer> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null) listen.UseHttps(certificate);
        }));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeTokenReviewServer? server = null;
        app.MapPost("/apis/authentication.k8s.io/v1/tokenreviews", (RequestDelegate)(async context =>
        {
            if (server!.Failing)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }
            if (context.Request.Headers.Authorization.ToString() != "Bearer " + AgentServiceAccountToken)
            {
                Interlocked.Increment(ref server._rejectedCallers);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            var review = (await JsonSerializer.DeserializeAsync(context.Request.Body, TokenReviewJsonContext.Default.TokenReview, context.RequestAborted))!;
            server.Reviews.Enqueue(review);
            var requested = review.Spec?.Audiences ?? [];
            var status = review.Spec?.Token switch
            {
                DashboardToken => Authenticated("system:serviceaccount:cni-dashboard:cni-dashboard", requested),
                OtherServiceAccountToken => Authenticated("system:serviceaccount:default:other", requested),
                OtherAudienceToken => Authenticated("system:serviceaccount:cni-dashboard:cni-dashboard", []),
                _ => new TokenReviewStatus { Authenticated = false, Error = "invalid bearer token" },
            };
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, review with { Status = status }, TokenReviewJsonContext.Default.TokenReview, context.RequestAborted);
        }));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var root = Directory.CreateTempSubdirectory("cni-agent-tokenreview-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "token"), AgentServiceAccountToken + "\n", TestContext.Current.CancellationToken);
        server = new FakeTokenReviewServer(app, new Uri(AgentHost.ListeningAddresses(app).Single()), root);
        return server;
    }

    public string TokenFile => Path.Combine(_root, "token");

    public TokenReviewAuthenticator Authenticator(TimeProvider time, string? caFile = null) =>
        new(new TokenReviewOptions { ApiServer = Address, TokenFile = TokenFile, CaFile = caFile }, time);

    private static TokenReviewStatus Authenticated(string username, IReadOnlyList<string> audiences) => new()
    {
        Authenticated = true,
        User = new TokenReviewUser { Username = username, Uid = Guid.NewGuid().ToString(), Groups = ["system:serviceaccounts", "system:authenticated"] },
        Audiences = audiences,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
