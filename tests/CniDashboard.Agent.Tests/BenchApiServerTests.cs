using CniDashboard.Agent.Auth;
using CniDashboard.Agent.Bench;
using CniDashboard.Agent.Tests.Support;

namespace CniDashboard.Agent.Tests;

/// <summary>The bench's stand-in API server must behave like the real one for the agent's TokenReview client.</summary>
public sealed class BenchApiServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_agent_reviews_tokens_against_it_over_TLS_with_its_CA()
    {
        using var node = new TempNode();
        await using var api = BenchApiServer.Start(node.Root, "the-bench-token");
        var ownToken = Path.Combine(node.Root, "agent-token");
        await File.WriteAllTextAsync(ownToken, "agent-sa-token", Ct);
        // A zero cache TTL makes every call a review: several requests and bodies through one server.
        using var authenticator = new TokenReviewAuthenticator(new TokenReviewOptions
        {
            ApiServer = api.Address, CaFile = api.CaFile, TokenFile = ownToken, CacheTtl = TimeSpan.Zero,
        });

        Assert.Equal("https", api.Address.Scheme);
        for (var i = 0; i < 3; i++)
        {
            var allowed = await authenticator.AuthenticateAsync("the-bench-token", Ct);
            Assert.Equal(AgentAuthStatus.Allowed, allowed.Status);
            Assert.Equal(BenchApiServer.Username, allowed.Identity);
        }
        var refused = await authenticator.AuthenticateAsync("someone-else", Ct);
        Assert.Equal(AgentAuthStatus.Unauthenticated, refused.Status);
        Assert.Equal(4, api.Reviews);
    }

    [Fact]
    public async Task The_agent_holds_no_connection_to_the_api_server_between_reviews()
    {
        using var node = new TempNode();
        await using var api = BenchApiServer.Start(node.Root, "the-bench-token");
        var ownToken = Path.Combine(node.Root, "agent-token");
        await File.WriteAllTextAsync(ownToken, "agent-sa-token", Ct);
        using var authenticator = new TokenReviewAuthenticator(new TokenReviewOptions
        {
            ApiServer = api.Address, CaFile = api.CaFile, TokenFile = ownToken, CacheTtl = TimeSpan.Zero,
        });

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(AgentAuthStatus.Allowed, (await authenticator.AuthenticateAsync("the-bench-token", Ct)).Status);
            // The server sees the agent close its side once the answer is read (a pooled client would keep it for a minute).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (api.OpenConnections > 0 && DateTime.UtcNow < deadline) await Task.Delay(10, Ct);
            Assert.Equal(0, api.OpenConnections);
        }
        Assert.Equal(2, api.Reviews);
    }

    [Fact]
    public async Task Without_its_CA_the_agent_does_not_trust_it()
    {
        using var node = new TempNode();
        await using var api = BenchApiServer.Start(node.Root, "the-bench-token");
        var ownToken = Path.Combine(node.Root, "agent-token");
        await File.WriteAllTextAsync(ownToken, "agent-sa-token", Ct);
        var otherCa = Path.Combine(node.Root, "other-ca.crt");
        using (var other = new TestCertificates("unrelated-ca")) await File.WriteAllTextAsync(otherCa, other.Authority.ExportCertificatePem(), Ct);
        using var authenticator = new TokenReviewAuthenticator(new TokenReviewOptions { ApiServer = api.Address, CaFile = otherCa, TokenFile = ownToken });

        var result = await authenticator.AuthenticateAsync("the-bench-token", Ct);

        Assert.Equal(AgentAuthStatus.Unavailable, result.Status);
        Assert.Equal(0, api.Reviews);
    }
}
