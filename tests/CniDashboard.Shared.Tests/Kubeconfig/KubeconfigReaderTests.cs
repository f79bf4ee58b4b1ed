using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Shared.Tests.Kubeconfig;

public class KubeconfigReaderTests
{
    [Theory]
    [InlineData("healthy", Fixture.HealthyTokenPod, "f3a1c2b4-1d2e-4f5a-9b8c-7d6e5f4a3b2c", 1795132800L, 1826668800L, 1795136407L)]
    [InlineData("incident", Fixture.IncidentTokenPod, "a9b8c7d6-e5f4-4a3b-2c1d-0e9f8a7b6c5d", 1794873600L, 1826409600L, 1794877207L)]
    public void Reference_kubeconfig_facts(string node, string pod, string podUid, long iat, long exp, long warnAfter)
    {
        var facts = KubeconfigReader.Read(Fixture.Text($"nodes/{node}/ZZZ-linkerd-cni-kubeconfig"));

        Assert.Null(facts.Error);
        Assert.Equal("https://[172.20.0.1]:443", facts.Server);
        Assert.True(facts.HasCertificateAuthority);
        Assert.Equal("linkerd-cni", facts.User);
        var token = facts.Token!;
        Assert.Equal(pod, token.PodName);
        Assert.Equal(podUid, token.PodUid);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(iat), token.IssuedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(iat), token.NotBefore);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(exp), token.ExpiresAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(warnAfter), token.WarnAfter);
        Assert.Equal("system:serviceaccount:linkerd-cni:linkerd-cni", token.Subject);
        Assert.Equal("https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF", token.Issuer);
        Assert.Equal(["https://kubernetes.default.svc"], token.Audiences);
        Assert.Equal("linkerd-cni", token.Namespace);
        Assert.Equal("linkerd-cni", token.ServiceAccount);
        Assert.Equal("ip-10-0-12-34.us-west-2.compute.internal", token.NodeName);
        Assert.Matches("^[0-9a-f]{12}$", facts.TokenFingerprint!);
    }

    [Fact]
    public void Facts_keep_no_copy_of_the_token()
    {
        var text = Fixture.Text("nodes/healthy/ZZZ-linkerd-cni-kubeconfig");
        var token = TokenOf(text);
        var facts = KubeconfigReader.Read(text);

        Assert.DoesNotContain(token, facts.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], facts.Token!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_tokens_give_different_fingerprints()
    {
        var healthy = KubeconfigReader.Read(Fixture.Text("nodes/healthy/ZZZ-linkerd-cni-kubeconfig"));
        var incident = KubeconfigReader.Read(Fixture.Text("nodes/incident/ZZZ-linkerd-cni-kubeconfig"));

        Assert.NotEqual(healthy.TokenFingerprint, incident.TokenFingerprint);
    }

    [Fact]
    public void Current_context_selects_cluster_and_user()
    {
        const string Text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: other
              cluster:
                server: https://other:443
            - name: main
              cluster:
                server: https://main:6443
                certificate-authority: /etc/ca.crt
            users:
            - name: u1
              user:
                tokenFile: /var/run/secrets/token
            contexts:
            - name: c
              context:
                cluster: main
                user: u1
            current-context: c
            """;
        var facts = KubeconfigReader.Read(Text);

        Assert.Equal("https://main:6443", facts.Server);
        Assert.True(facts.HasCertificateAuthority);
        Assert.Equal("u1", facts.User);
        Assert.Equal("/var/run/secrets/token", facts.TokenFile);
        Assert.Null(facts.Token);
        Assert.Null(facts.TokenFingerprint);
    }

    [Theory]
    [InlineData("clusters: [unclosed")]
    [InlineData("- just\n- a list\n")]
    [InlineData("key: value\n  bad: indent\n")]
    public void Broken_yaml_is_an_error_not_an_exception(string text)
    {
        var facts = KubeconfigReader.Read(text);
        Assert.NotNull(facts.Error);
    }

    [Fact]
    public void Token_that_is_not_a_jwt_has_no_claims_but_a_fingerprint()
    {
        var facts = KubeconfigReader.Read("apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: u\n  user:\n    token: not-a-jwt\n");

        Assert.Null(facts.Token);
        Assert.Equal(TokenRedactor.Fingerprint("not-a-jwt"), facts.TokenFingerprint);
    }

    [Fact]
    public void Oversized_kubeconfig_is_refused()
    {
        var facts = KubeconfigReader.Read("a: " + new string('x', KubeconfigReader.MaxLength + 1));
        Assert.Contains("1 MiB", facts.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    [InlineData("a.bm90LWpzb24.c")]
    [InlineData("a.WzEsMl0.c")]
    public void Jwt_reader_returns_null_for_non_jwts(string token) => Assert.Null(JwtClaimsReader.Read(token));

    [Fact]
    public void LooksLikeKubeconfig_recognises_the_reference_file_only()
    {
        Assert.True(KubeconfigReader.LooksLikeKubeconfig(Fixture.Text("nodes/healthy/ZZZ-linkerd-cni-kubeconfig")));
        Assert.False(KubeconfigReader.LooksLikeKubeconfig(Fixture.Text("nodes/healthy/10-aws.conflist")));
    }

    internal static string TokenOf(string kubeconfig) =>
        kubeconfig.Split('\n').Single(l => l.TrimStart().StartsWith("token:", StringComparison.Ordinal)).Split("token:")[1].Trim();
}
