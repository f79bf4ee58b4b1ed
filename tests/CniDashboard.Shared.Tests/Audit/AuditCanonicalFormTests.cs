using CniDashboard.Shared.Audit;

namespace CniDashboard.Shared.Tests.Audit;

public sealed class AuditCanonicalFormTests
{
    /// <summary>
    /// The documented form, checked against an independent implementation: the text and hash below
    /// were produced by a 20-line Python script (json string escaping as RFC 8785, hashlib.sha256),
    /// not by this code.
    /// </summary>
    [Fact]
    public void The_canonical_text_and_hash_match_an_independent_implementation()
    {
        var entry = new AuditEntry
        {
            Sequence = 1,
            At = DateTimeOffset.FromUnixTimeMilliseconds(1765101600123),
            ActorSubject = "alice@example.com",
            ActorName = "Alice Example",
            ActorRoles = """["Viewer","Admin"]""",
            ActorMethod = "oidc",
            Action = "settings.changed",
            TargetKind = "setting",
            TargetName = "ApprovalLifetime",
            Outcome = "ok",
            Details = """{"count":2,"new":"48h","note":"Zoë \"quoted\"\nline","old":"24h","setting":"ApprovalLifetime"}""",
            ClientAddress = "10.0.0.7",
            RequestId = "0HN8:00000001",
            PrevHash = AuditCanonicalForm.GenesisHash,
            Hash = "",
        };

        Assert.Equal(
            """["cni-dashboard.audit.v1",1,1765101600123,"alice@example.com","Alice Example",["Viewer","Admin"],"oidc","settings.changed","setting","ApprovalLifetime","ok",{"count":2,"new":"48h","note":"Zoë \"quoted\"\nline","old":"24h","setting":"ApprovalLifetime"},"10.0.0.7","0HN8:00000001","0000000000000000000000000000000000000000000000000000000000000000"]""",
            AuditCanonicalForm.Text(entry));
        Assert.Equal("b44926b985b2a580824a0e459f3f868ac8f60004c59c07e75fc4fa8fdd5de5dc", AuditCanonicalForm.ComputeHash(entry));
    }

    [Fact]
    public void An_entry_of_another_cluster_than_the_default_is_v2_with_its_cluster_last_and_the_default_stays_v1()
    {
        var entry = AuditChainFixture.Entry(7, new string('a', 64));
        var v1 = AuditCanonicalForm.Text(entry);
        Assert.StartsWith("[\"cni-dashboard.audit.v1\",", v1, StringComparison.Ordinal);

        var fleet = entry with { Cluster = "prod-eu-1" };
        var v2 = AuditCanonicalForm.Text(fleet);
        Assert.Equal("[\"cni-dashboard.audit.v2\"" + v1["[\"cni-dashboard.audit.v1\"".Length..^1] + ",\"prod-eu-1\"]", v2);
        Assert.NotEqual(AuditCanonicalForm.ComputeHash(fleet), AuditCanonicalForm.ComputeHash(fleet with { Cluster = "prod-us-2" }));
    }

    [Fact]
    public void Absent_fields_are_null_and_every_field_changes_the_hash()
    {
        var entry = AuditChainFixture.Entry(7, new string('a', 64)) with { TargetKind = null, TargetName = null, Details = null, ClientAddress = null, RequestId = null };
        Assert.Contains(""","ok",null,null,null,""", AuditCanonicalForm.Text(entry), StringComparison.Ordinal);

        var hash = AuditCanonicalForm.ComputeHash(entry);
        AuditEntry[] variants =
        [
            entry with { Sequence = 8 }, entry with { At = entry.At.AddMilliseconds(1) }, entry with { ActorSubject = "bob" },
            entry with { ActorName = "Bob" }, entry with { ActorRoles = """["Viewer"]""" }, entry with { ActorMethod = "proxy" },
            entry with { Action = "x" }, entry with { TargetKind = "" }, entry with { TargetName = "" }, entry with { Outcome = "failed" },
            entry with { Details = "{}" }, entry with { ClientAddress = "" }, entry with { RequestId = "" }, entry with { PrevHash = new string('b', 64) },
        ];
        Assert.All(variants, v => Assert.NotEqual(hash, AuditCanonicalForm.ComputeHash(v)));
        Assert.Equal(variants.Length, variants.Select(AuditCanonicalForm.ComputeHash).Distinct().Count());
    }
}
