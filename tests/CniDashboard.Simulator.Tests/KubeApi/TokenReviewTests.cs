using System.Buffers.Text;
using System.Text.Json;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Tests.Support;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class TokenReviewTests
{
    private const string AgentAudience = "cni-dashboard-agent";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_valid_pod_bound_token_is_authenticated_with_the_pod_in_extra()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var (pod, token) = BoundDashboardToken(harness);

        var review = await ReviewAsync(harness.AgentClient(), token, AgentAudience);

        Assert.True(review.Status.Authenticated);
        Assert.Null(review.Status.Error);
        Assert.Equal("system:serviceaccount:cni-dashboard:cni-dashboard", review.Status.User.Username);
        Assert.Equal(TokenAuthority.ServiceAccountUid("cni-dashboard", "cni-dashboard"), review.Status.User.Uid);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:cni-dashboard", "system:authenticated"], review.Status.User.Groups);
        Assert.Equal([pod.Metadata.Name], review.Status.User.Extra["authentication.kubernetes.io/pod-name"]);
        Assert.Equal([pod.Metadata.Uid], review.Status.User.Extra["authentication.kubernetes.io/pod-uid"]);
        Assert.StartsWith("JTI=", Assert.Single(review.Status.User.Extra["authentication.kubernetes.io/credential-id"]), StringComparison.Ordinal);
        Assert.Equal([AgentAudience], review.Status.Audiences);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_not_authenticated()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var (_, token) = BoundDashboardToken(harness);

        var review = await ReviewAsync(harness.AgentClient(), token, "some-other-service");

        Assert.NotEqual(true, review.Status.Authenticated);
        Assert.Equal("[invalid bearer token, token audiences [\"cni-dashboard-agent\"] is invalid for the target audiences [\"some-other-service\"]]", review.Status.Error);
        Assert.Null(review.Status.User.Username);
    }

    [Fact]
    public async Task The_token_of_a_deleted_pod_is_not_authenticated_even_if_a_pod_of_that_name_returns()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var (pod, token) = BoundDashboardToken(harness);
        var agent = harness.AgentClient();

        harness.Cluster.Pods.Delete(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        var afterDelete = await ReviewAsync(agent, token, AgentAudience);

        var reborn = harness.AddPod(pod.Metadata.NamespaceProperty, pod.Metadata.Name, "node-a");
        var afterRecreate = await ReviewAsync(agent, token, AgentAudience);

        Assert.NotEqual(true, afterDelete.Status.Authenticated);
        Assert.Equal("[invalid bearer token, service account token has been invalidated]", afterDelete.Status.Error);
        Assert.NotEqual(true, afterRecreate.Status.Authenticated);
        Assert.Equal(
            $"[invalid bearer token, pod UID ({reborn.Metadata.Uid}) does not match service account pod ref claim ({pod.Metadata.Uid})]",
            afterRecreate.Status.Error);
    }

    [Fact]
    public async Task An_expired_token_is_not_authenticated()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false);
        var (_, token) = BoundDashboardToken(harness, TimeSpan.FromMinutes(10));
        harness.Time!.Advance(TimeSpan.FromMinutes(11));

        var review = await ReviewAsync(harness.AgentClient(), token, AgentAudience);

        Assert.NotEqual(true, review.Status.Authenticated);
        Assert.Equal("[invalid bearer token, service account token has expired]", review.Status.Error);
    }

    [Fact]
    public async Task In_process_validation_gives_the_same_answer_as_the_api()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var (pod, token) = BoundDashboardToken(harness);

        var valid = harness.Emulator.Tokens.Validate(token, [AgentAudience]);
        harness.Cluster.Pods.Delete(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        var revoked = harness.Emulator.Authenticate(token, [AgentAudience]);

        Assert.True(valid.Authenticated);
        Assert.Equal(pod.Metadata.Name, Assert.Single(valid.User!.Extra["authentication.kubernetes.io/pod-name"]));
        Assert.False(revoked.Authenticated);
        Assert.Equal("[invalid bearer token, service account token has been invalidated]", revoked.Error);
    }

    [Fact]
    public async Task Issued_tokens_are_jwt_shaped_with_the_real_claims()
    {
        await using var harness = await EmulatorHarness.StartAsync(fakeTime: true, runDaemonSetController: false);
        var node = harness.AddNode("ip-10-0-1-5.ec2.internal");
        var pod = harness.AddPod("kube-system", "linkerd-cni-abcde", node.Metadata.Name);
        var token = harness.Emulator.Tokens.IssueServiceAccountToken(
            "kube-system",
            "linkerd-cni",
            ["https://kubernetes.default.svc"],
            new BoundObjectReference(pod.Metadata.Name, pod.Metadata.Uid),
            TimeSpan.FromHours(24),
            new BoundObjectReference(node.Metadata.Name, node.Metadata.Uid));

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var claims = payload.RootElement;
        var now = harness.Time!.GetUtcNow().ToUnixTimeSeconds();

        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(TokenAuthority.DefaultIssuer, claims.GetProperty("iss").GetString());
        Assert.Equal("system:serviceaccount:kube-system:linkerd-cni", claims.GetProperty("sub").GetString());
        Assert.Equal(["https://kubernetes.default.svc"], claims.GetProperty("aud").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(now, claims.GetProperty("iat").GetInt64());
        Assert.Equal(now, claims.GetProperty("nbf").GetInt64());
        Assert.Equal(now + (24 * 3600), claims.GetProperty("exp").GetInt64());
        var kubernetes = claims.GetProperty("kubernetes.io");
        Assert.Equal("kube-system", kubernetes.GetProperty("namespace").GetString());
        Assert.Equal("linkerd-cni", kubernetes.GetProperty("serviceaccount").GetProperty("name").GetString());
        Assert.Equal(pod.Metadata.Uid, kubernetes.GetProperty("pod").GetProperty("uid").GetString());
        Assert.Equal(node.Metadata.Name, kubernetes.GetProperty("node").GetProperty("name").GetString());
        Assert.Equal(now + 3607, kubernetes.GetProperty("warnafter").GetInt64());

        var read = ServiceAccountTokenClaims.Read(token)!;
        Assert.Equal(new BoundObjectReference(pod.Metadata.Name, pod.Metadata.Uid), read.Pod);
    }

    [Fact]
    public async Task Only_identities_allowed_to_create_token_reviews_may_ask()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var (_, token) = BoundDashboardToken(harness);
        var outsider = harness.ClientWithToken(harness.Emulator.Tokens.IssueServiceAccountToken("default", "default"));

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => ReviewAsync(outsider, token, AgentAudience));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.Response.StatusCode);
        Assert.Equal(
            "tokenreviews.authentication.k8s.io is forbidden: User \"system:serviceaccount:default:default\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope",
            KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message);
    }

    private static (V1Pod Pod, string Token) BoundDashboardToken(EmulatorHarness harness, TimeSpan? lifetime = null)
    {
        var pod = harness.AddPod(KubeIdentities.ProductNamespace, "cni-dashboard-7d9f8-xk2pq", "node-a");
        var token = harness.Emulator.Tokens.IssueServiceAccountToken(
            KubeIdentities.ProductNamespace,
            KubeIdentities.DashboardServiceAccount,
            [AgentAudience],
            new BoundObjectReference(pod.Metadata.Name, pod.Metadata.Uid),
            lifetime);
        return (pod, token);
    }

    private static Task<V1TokenReview> ReviewAsync(Kubernetes client, string token, string audience) =>
        client.AuthenticationV1.CreateTokenReviewAsync(
            new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token, Audiences = [audience] } },
            cancellationToken: Ct);
}
