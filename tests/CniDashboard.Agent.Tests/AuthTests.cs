using System.Net;
using System.Text.Json;
using CniDashboard.Agent.Auth;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Agent.Tests;

public sealed class AuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Static_mode_401_without_or_with_a_wrong_token_200_with_the_right_one_health_open()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);

        foreach (var token in new string?[] { null, "wrong-token", TempNode.Token + "x" })
        {
            using var client = agent.Client(token);
            foreach (var path in new[] { "/v1/snapshot", "/v1/backups" })
            {
                var response = await client.GetAsync(path, Ct);
                var error = await RunningAgent.ErrorOf(response, HttpStatusCode.Unauthorized);
                Assert.Equal(AgentErrorCodes.Unauthorized, error.Code);
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            }
            var write = await client.PostAsync("/v1/files/10-aws.conflist/apply", new StringContent("{}"), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        }

        using var anonymous = agent.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/v1/snapshot", Ct)).StatusCode);
    }

    [Fact]
    public async Task TokenReview_mode_401_403_200_against_an_api_server_speaking_TokenReview_json()
    {
        await using var api = await FakeTokenReviewServer.StartAsync();
        using var node = new TempNode();
        using var authenticator = api.Authenticator(TimeProvider.System);
        await using var agent = await RunningAgent.StartAsync(node, authenticator: authenticator);

        using (var dashboard = agent.Client(FakeTokenReviewServer.DashboardToken))
            Assert.Equal(HttpStatusCode.OK, (await dashboard.GetAsync("/v1/snapshot", Ct)).StatusCode);

        using (var other = agent.Client(FakeTokenReviewServer.OtherServiceAccountToken))
        {
            var error = await RunningAgent.ErrorOf(await other.GetAsync("/v1/snapshot", Ct), HttpStatusCode.Forbidden);
            Assert.Equal(AgentErrorCodes.Forbidden, error.Code);
            Assert.Contains("system:serviceaccount:default:other", error.Message, StringComparison.Ordinal);
        }

        foreach (var token in new[] { "forged-token", FakeTokenReviewServer.OtherAudienceToken })
        {
            using var forged = agent.Client(token);
            var error = await RunningAgent.ErrorOf(await forged.GetAsync("/v1/snapshot", Ct), HttpStatusCode.Unauthorized);
            Assert.Equal(AgentErrorCodes.Unauthorized, error.Code);
        }

        // The review carried the agent's own ServiceAccount token and the agent's audience.
        Assert.All(api.Reviews, r => Assert.Equal(["cni-dashboard-agent"], r.Spec!.Audiences!));
        Assert.Equal(0, api.RejectedCallers);
    }

    [Fact]
    public async Task TokenReview_answers_are_cached_for_at_most_60_seconds()
    {
        await using var api = await FakeTokenReviewServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var authenticator = api.Authenticator(time);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(AgentAuthStatus.Allowed, (await authenticator.AuthenticateAsync(FakeTokenReviewServer.DashboardToken, Ct)).Status);
            Assert.Equal(AgentAuthStatus.Unauthenticated, (await authenticator.AuthenticateAsync("forged-token", Ct)).Status);
        }
        Assert.Equal(2, api.Reviews.Count);

        time.Advance(TimeSpan.FromSeconds(59));
        await authenticator.AuthenticateAsync(FakeTokenReviewServer.DashboardToken, Ct);
        Assert.Equal(2, api.Reviews.Count);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(AgentAuthStatus.Allowed, (await authenticator.AuthenticateAsync(FakeTokenReviewServer.DashboardToken, Ct)).Status);
        Assert.Equal(AgentAuthStatus.Unauthenticated, (await authenticator.AuthenticateAsync("forged-token", Ct)).Status);
        Assert.Equal(4, api.Reviews.Count);
    }

    [Fact]
    public async Task TokenReview_over_TLS_trusts_the_cluster_CA_alone_and_checks_the_server_name()
    {
        using var cluster = new TestCertificates("test-cluster-ca");
        using var stranger = new TestCertificates("some-other-ca");
        using var rightName = cluster.Server(IPAddress.Loopback);
        using var wrongName = cluster.Server(IPAddress.Parse("10.100.0.1"));
        using var foreign = stranger.Server(IPAddress.Loopback);
        using var node = new TempNode();
        var caFile = cluster.WriteAuthorityPem(node.Root);

        // Signed by the cluster CA for the address the agent dials: the review goes through.
        await using (var api = await FakeTokenReviewServer.StartAsync(rightName))
        {
            Assert.Equal("https", api.Address.Scheme);
            using var authenticator = api.Authenticator(TimeProvider.System, caFile);
            var result = await authenticator.AuthenticateAsync(FakeTokenReviewServer.DashboardToken, Ct);
            Assert.Equal(AgentAuthStatus.Allowed, result.Status);
            Assert.Single(api.Reviews);
        }

        // Another CA's certificate, or the cluster CA's for another name: the agent never sends the
        // caller's token there and answers "unavailable", not "allowed".
        foreach (var certificate in new[] { foreign, wrongName })
        {
            await using var api = await FakeTokenReviewServer.StartAsync(certificate);
            using var authenticator = api.Authenticator(TimeProvider.System, caFile);
            var result = await authenticator.AuthenticateAsync(FakeTokenReviewServer.DashboardToken, Ct);
            Assert.Equal(AgentAuthStatus.Unavailable, result.Status);
            Assert.Empty(api.Reviews);
        }
    }

    [Fact]
    public async Task Unreachable_api_server_is_503_and_not_cached()
    {
        await using var api = await FakeTokenReviewServer.StartAsync();
        using var node = new TempNode();
        using var authenticator = api.Authenticator(TimeProvider.System);
        await using var agent = await RunningAgent.StartAsync(node, authenticator: authenticator);
        api.Failing = true;

        using var dashboard = agent.Client(FakeTokenReviewServer.DashboardToken);
        var error = await RunningAgent.ErrorOf(await dashboard.GetAsync("/v1/snapshot", Ct), HttpStatusCode.ServiceUnavailable);
        Assert.Equal(AgentErrorCodes.AuthUnavailable, error.Code);

        api.Failing = false;
        Assert.Equal(HttpStatusCode.OK, (await dashboard.GetAsync("/v1/snapshot", Ct)).StatusCode);
    }

    [Fact]
    public async Task Tokens_are_never_logged()
    {
        await using var api = await FakeTokenReviewServer.StartAsync();
        using var node = new TempNode("healthy");
        using var authenticator = api.Authenticator(TimeProvider.System);
        await using var agent = await RunningAgent.StartAsync(node, authenticator: authenticator);
        using var dashboard = agent.Client(FakeTokenReviewServer.DashboardToken);
        using var forged = agent.Client(TempNode.ReferenceToken);

        await forged.GetAsync("/v1/snapshot", Ct);
        await dashboard.GetStringAsync("/v1/snapshot", Ct);
        var content = (await File.ReadAllTextAsync(node.PathOf("10-aws.conflist"), Ct)).Replace("\"mtu\": \"9001\"", "\"mtu\": \"1500\"", StringComparison.Ordinal);
        var apply = new ApplyFileRequest { ChangeId = "log-check", ExpectedSha256 = node.Sha("10-aws.conflist"), Content = content, Reason = "rotating " + TempNode.ReferenceToken };
        var response = await dashboard.PostAsync("/v1/files/10-aws.conflist/apply",
            new StringContent(JsonSerializer.Serialize(apply, AgentJsonContext.Default.ApplyFileRequest), System.Text.Encoding.UTF8, "application/json"), Ct);
        var result = await RunningAgent.ResultOf(response);
        await dashboard.PostAsync("/v1/files/ZZZ-linkerd-cni-kubeconfig/apply",
            new StringContent(JsonSerializer.Serialize(apply with { ChangeId = "kc", ExpectedSha256 = node.Sha("ZZZ-linkerd-cni-kubeconfig") }, AgentJsonContext.Default.ApplyFileRequest), System.Text.Encoding.UTF8, "application/json"), Ct);

        var logs = agent.AllLogText();
        Assert.Contains(result.NewSha256!, logs, StringComparison.Ordinal);
        Assert.Contains("system:serviceaccount:cni-dashboard:cni-dashboard", logs, StringComparison.Ordinal);
        foreach (var secret in new[] { TempNode.ReferenceToken, TempNode.ReferenceTokenSignature, FakeTokenReviewServer.DashboardToken, FakeTokenReviewServer.AgentServiceAccountToken })
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        // Backup metadata on disk holds no token either: the one backup the apply made records the
        // reason the token was sent in, redacted. (An empty folder would prove nothing, so it must be there.)
        var meta = Assert.Single(Directory.GetFiles(node.BackupDir, "*.json"));
        Assert.Equal(result.BackupId + ".json", Path.GetFileName(meta));
        var metadata = await File.ReadAllTextAsync(meta, Ct);
        Assert.Contains("rotating ", metadata, StringComparison.Ordinal);
        foreach (var secret in new[] { TempNode.ReferenceToken, TempNode.ReferenceTokenSignature })
            Assert.DoesNotContain(secret, metadata, StringComparison.Ordinal);
    }
}
