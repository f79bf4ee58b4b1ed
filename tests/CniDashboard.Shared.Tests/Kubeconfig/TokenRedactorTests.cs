using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Shared.Tests.Kubeconfig;

public class TokenRedactorTests
{
    [Theory]
    [InlineData("healthy")]
    [InlineData("incident")]
    public void Reference_token_never_survives_and_yaml_still_parses(string node)
    {
        var text = Fixture.Text($"nodes/{node}/ZZZ-linkerd-cni-kubeconfig");
        var token = KubeconfigReaderTests.TokenOf(text);
        var facts = KubeconfigReader.Read(text);

        var redacted = TokenRedactor.Redact(text);

        Assert.DoesNotContain(token, redacted, StringComparison.Ordinal);
        foreach (var part in token.Split('.')) Assert.DoesNotContain(part, redacted, StringComparison.Ordinal);
        Assert.True(TokenRedactor.ContainsNoJwt(redacted));
        Assert.Contains($"token: {TokenRedactor.Marker} sha256:{facts.TokenFingerprint}>", redacted, StringComparison.Ordinal);
        var after = KubeconfigReader.Read(redacted);
        Assert.Null(after.Error);
        Assert.Equal(facts.Server, after.Server);
        Assert.Equal(facts.User, after.User);
        // Everything but the token line is byte-for-byte as before.
        Assert.Equal(
            text.Split('\n').Where(l => !l.Contains("token:", StringComparison.Ordinal)),
            redacted.Split('\n').Where(l => !l.Contains("token:", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Text the redaction patterns need too long to match (a secret key followed by a very long line of
    /// blanks that does not end there: the pattern tries every split of it) hits the match timeout. The
    /// redactor then keeps nothing — not the token elsewhere in the file, not a fragment of it.
    /// </summary>
    [Fact]
    public void Text_too_complex_to_redact_in_time_is_withheld_whole()
    {
        var text = Fixture.Text("nodes/incident/ZZZ-linkerd-cni-kubeconfig");
        var token = KubeconfigReaderTests.TokenOf(text);
        var pathological = text + "    password: x" + new string(' ', 200_000) + "y\n";

        var redacted = TokenRedactor.Redact(pathological);

        Assert.Equal($"{TokenRedactor.Marker}: content withheld, too complex to redact safely>", redacted);
        foreach (var part in token.Split('.')) Assert.DoesNotContain(part, redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redaction_is_stable_and_idempotent()
    {
        var text = Fixture.Text("nodes/healthy/ZZZ-linkerd-cni-kubeconfig");
        var once = TokenRedactor.Redact(text);

        Assert.Equal(once, TokenRedactor.Redact(text));
        Assert.Equal(once, TokenRedactor.Redact(once));
    }

    [Fact]
    public void Crlf_line_endings_are_kept()
    {
        var text = Fixture.Text("nodes/healthy/ZZZ-linkerd-cni-kubeconfig").Replace("\n", "\r\n", StringComparison.Ordinal);

        var redacted = TokenRedactor.Redact(text);

        Assert.Equal(text.Split("\r\n").Length, redacted.Split("\r\n").Length);
        Assert.DoesNotContain("\n", redacted.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(TokenRedactor.ContainsNoJwt(redacted));
    }

    [Theory]
    [InlineData("    token: \"abc123\"\n", "abc123")]
    [InlineData("    token: 'abc123' # old\n", "abc123")]
    [InlineData("  - password: hunter2\n", "hunter2")]
    [InlineData("    client-key-data: LS0tLS1CRUdJTiBSU0E=\n", "LS0tLS1CRUdJTiBSU0E=")]
    [InlineData("{\"k8s_auth_token\": \"sekret-value\"}", "sekret-value")]
    [InlineData("\"policy\": {\"type\": \"k8s\", \"auth_token\": \"s3cr3t\"}", "s3cr3t")]
    public void Every_secret_key_is_redacted(string text, string secret)
    {
        var redacted = TokenRedactor.Redact(text);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains($"{TokenRedactor.Marker} sha256:{TokenRedactor.Fingerprint(secret)}>", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Jwt_shaped_strings_anywhere_are_redacted()
    {
        var jwt = KubeconfigReaderTests.TokenOf(Fixture.Text("nodes/incident/ZZZ-linkerd-cni-kubeconfig"));
        var text = $"{{\"log\": \"Authorization: Bearer {jwt}\"}}";

        var redacted = TokenRedactor.Redact(text);

        Assert.DoesNotContain(jwt, redacted, StringComparison.Ordinal);
        Assert.StartsWith("{\"log\": \"Authorization: Bearer <redacted sha256:", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tokenFile: /var/run/token\n")]
    [InlineData("{\"cniVersion\":\"0.4.0\"}")]
    public void Text_without_secrets_is_unchanged(string text) => Assert.Equal(text, TokenRedactor.Redact(text));

    [Fact]
    public void Fingerprint_is_twelve_hex_characters_of_sha256()
    {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        Assert.Equal("ba7816bf8f01", TokenRedactor.Fingerprint("abc"));
    }
}
