using System.Security.Cryptography;
using System.Text;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Shared.Tests.Audit;

public sealed class AuditCheckpointTests
{
    [Fact]
    public void A_signed_checkpoint_round_trips_through_its_json_and_verifies_with_the_public_key_alone()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var checkpoint = AuditCheckpoint.Sign(42, new string('c', 64), new DateTimeOffset(2026, 12, 7, 10, 0, 0, 123, TimeSpan.Zero), key);
        using var publicOnly = ECDsa.Create();
        publicOnly.ImportFromPem(key.ExportSubjectPublicKeyInfoPem());

        var parsed = AuditCheckpoint.Parse(checkpoint.ToJson());

        Assert.Equal(checkpoint, parsed);
        Assert.True(parsed.VerifySignature(publicOnly));
        Assert.StartsWith("""{"algorithm":"ECDSA-P256-SHA256","headHash":"cccc""", checkpoint.ToJson(), StringComparison.Ordinal);
        Assert.Equal($"cni-dashboard-audit-checkpoint/v1\n42\n{new string('c', 64)}\n1796637600123\n{checkpoint.KeyId}", checkpoint.SignedText());
        // DER (RFC 3279) over SHA-256 of the signed text: what openssl dgst -sha256 -verify checks.
        Assert.True(publicOnly.VerifyData(Encoding.UTF8.GetBytes(checkpoint.SignedText()), Convert.FromBase64String(checkpoint.Signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void A_checkpoint_is_read_from_a_configmaps_json_annotation()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var checkpoint = AuditCheckpoint.Sign(3, new string('d', 64), DateTimeOffset.UnixEpoch.AddDays(20000), key);
        var annotation = System.Text.Json.JsonSerializer.Serialize(checkpoint.ToJson());
        var configMap = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"annotations\":{\"a/b\":" + annotation + "}}}";

        Assert.Equal(checkpoint, AuditCheckpoint.Parse(configMap, "a/b"));
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"version":2}""", "version 2")]
    [InlineData("""{"version":1,"algorithm":"RSA","sequence":1}""", "algorithm")]
    [InlineData("""{"version":1,"algorithm":"ECDSA-P256-SHA256","sequence":0,"headHash":"x"}""", "sequence")]
    [InlineData("""{"version":1,"algorithm":"ECDSA-P256-SHA256","sequence":1,"headHash":"XYZ"}""", "headHash")]
    [InlineData("""{"version":1,"algorithm":"ECDSA-P256-SHA256","sequence":1,"headHash":"0000000000000000000000000000000000000000000000000000000000000000","keyId":"k"}""", "keyId")]
    public void Anything_else_is_refused_with_what_is_wrong(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => AuditCheckpoint.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
