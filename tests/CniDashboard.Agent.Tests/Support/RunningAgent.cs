using System.Net;
using System.Net.Http.Headers;
using CniDashboard.Agent.Auth;
using CniDashboard.Agent.Http;
using CniDashboard.Agent.Node;
using CniDashboard.Shared.Agent;
using Microsoft.Extensions.Logging.Testing;

namespace CniDashboard.Agent.Tests.Support;

/// <summary>
/// The real agent endpoints over real HTTP (Kestrel on 127.0.0.1:0), wired through the public API
/// the simulator uses: a <see cref="NodeAgent"/>, a resolver, an authenticator.
/// </summary>
internal sealed class RunningAgent : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningAgent(WebApplication app, NodeAgent agent, Uri address)
    {
        _app = app;
        Agent = agent;
        Address = address;
        Http = Client(TempNode.Token);
    }

    public NodeAgent Agent { get; }
    public Uri Address { get; }
    public HttpClient Http { get; }
    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public static async Task<RunningAgent> StartAsync(TempNode node, Func<NodeAgentOptions, NodeAgentOptions>? configure = null,
        TimeProvider? time = null, IAgentAuthenticator? authenticator = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        var app = builder.Build();
        var options = new NodeAgentOptions
        {
            NodeName = "ip-10-0-12-34.us-west-2.compute.internal",
            CniDir = node.CniDir,
            BinDir = node.BinDir,
            BackupDir = node.BackupDir,
        };
        var agent = new NodeAgent(configure?.Invoke(options) ?? options, time, app.Services.GetRequiredService<ILogger<NodeAgent>>());
        app.MapAgentEndpoints(new SingleNodeResolver(agent), authenticator ?? new StaticTokenAuthenticator(TempNode.Token));
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new RunningAgent(app, agent, new Uri(AgentHost.ListeningAddresses(app).Single()));
    }

    public HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = Address };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task<(HttpResponseMessage Response, NodeSnapshot Snapshot)> GetSnapshotAsync()
    {
        var response = await Http.GetAsync("/v1/snapshot", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var snapshot = await response.Content.ReadFromJsonAsync(AgentJsonContext.Default.NodeSnapshot, TestContext.Current.CancellationToken);
        return (response, snapshot!);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> ApplyAsync(string name, ApplyFileRequest request) =>
        Http.PostAsJsonAsync($"/v1/files/{Uri.EscapeDataString(name)}/apply", request, AgentJsonContext.Default.ApplyFileRequest, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> RestoreAsync(string name, RestoreFileRequest request) =>
        Http.PostAsJsonAsync($"/v1/files/{Uri.EscapeDataString(name)}/restore", request, AgentJsonContext.Default.RestoreFileRequest, TestContext.Current.CancellationToken);

    public static async Task<FileChangeResult> ResultOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize(body, AgentJsonContext.Default.FileChangeResult)!;
    }

    public static async Task<AgentError> ErrorOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize(body, AgentJsonContext.Default.AgentError)!;
    }

    /// <summary>Every log line the agent wrote, formatted and with its structured values, as one text.</summary>
    public string AllLogText() => string.Join("\n", Logs.GetSnapshot().Select(r =>
        r.Message + " " + string.Join(" ", r.StructuredState?.Select(kv => $"{kv.Key}={kv.Value}") ?? []) + " " + r.Exception));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        await Agent.DisposeAsync();
    }
}
