using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Fleet;

namespace CniDashboard.Shared.Tests.Fleet;

public sealed class FleetRankingTests
{
    [Fact]
    public void Clusters_rank_by_critical_then_warning_then_stale_then_id()
    {
        var ranked = FleetRanking.WorstFirst([
            new ClusterHealth { Id = "b-healthy", Nodes = 9 },
            new ClusterHealth { Id = "stale", Stale = 4 },
            new ClusterHealth { Id = "warn", Warning = 1 },
            new ClusterHealth { Id = "crit-few", Critical = 1, Warning = 50 },
            new ClusterHealth { Id = "crit-many", Critical = 7 },
            new ClusterHealth { Id = "a-healthy", Nodes = 9 },
        ]);

        Assert.Equal(["crit-many", "crit-few", "warn", "stale", "a-healthy", "b-healthy"], ranked.Select(c => c.Id));
        Assert.Equal(Severity.Critical, ranked[0].Worst);
        Assert.Null(ranked[3].Worst);
    }

    [Fact]
    public void Findings_group_by_rule_worst_and_widest_first_and_read_as_a_sentence()
    {
        var findings = FleetRanking.Findings([
            ("prod-eu-1", "mesh-token-pod-gone", Severity.Critical, 3),
            ("prod-us-2", "mesh-token-pod-gone", Severity.Critical, 40),
            ("prod-us-2", "duplicate-plugin", Severity.Warning, 90),
            ("staging", "kubeconfig-expiring", Severity.Critical, 1),
            ("staging", "empty", Severity.Critical, 0),
        ]);

        Assert.Equal(["mesh-token-pod-gone", "kubeconfig-expiring", "duplicate-plugin"], findings.Select(f => f.Rule));
        Assert.Equal("mesh-token-pod-gone on 40 nodes in prod-us-2, 3 in prod-eu-1", FleetRanking.Describe(findings[0]));
        Assert.Equal("kubeconfig-expiring on 1 node in staging", FleetRanking.Describe(findings[1]));
        Assert.Equal(43, findings[0].TotalNodes);
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("prod-eu-1", true)]
    [InlineData("a", true)]
    [InlineData("Prod", false)]
    [InlineData("prod-", false)]
    [InlineData("prod.eu", false)]
    [InlineData("*", false)]
    [InlineData(null, false)]
    public void Cluster_ids_are_dns_labels(string? id, bool valid) => Assert.Equal(valid, ClusterId.IsValid(id));
}
