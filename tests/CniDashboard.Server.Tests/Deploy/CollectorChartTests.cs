using k8s;
using k8s.Models;

namespace CniDashboard.Server.Tests.Deploy;

/// <summary>
/// The chart in collector mode (issue 14): one release per cluster of a fleet writes into the shared
/// PostgreSQL under its cluster id and serves no UI; the fleet dashboard is the chart in its default mode.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class CollectorChartTests
{
    private static readonly string[] Collector =
    [
        "--set", "agent.tls.generate=false", "--set", "mode=collector", "--set", "clusterId=prod-eu-1", "--set", "store.provider=postgres",
        "--set", "store.postgres.connectionStringSecret.name=collector-postgres", "--set", "audit.checkpoint.keySecret=cni-dashboard-audit-key",
    ];

    private static V1Container Container(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml).OfType<V1Deployment>().Single(d => d.Metadata.Name == "cni-dashboard").Spec.Template.Spec.Containers.Single(c => c.Name == "dashboard");

    [Fact]
    public void A_collector_writes_its_cluster_into_postgres_from_a_secret_and_serves_no_ui()
    {
        var yaml = ChartRenderer.Render("cni-dashboard", Collector);
        var objects = KubernetesYaml.LoadAllFromString(yaml);
        var container = Container(yaml);
        var env = container.Env.ToDictionary(e => e.Name);

        Assert.Equal(("collector", "prod-eu-1", "postgres"), (env["Dashboard__Mode"].Value, env["Dashboard__Cluster__Id"].Value, env["Dashboard__Store__Provider"].Value));
        Assert.Equal(("collector-postgres", "connection-string"), (env["Dashboard__Store__ConnectionString"].ValueFrom.SecretKeyRef.Name, env["Dashboard__Store__ConnectionString"].ValueFrom.SecretKeyRef.Key));
        // No UI: no Service, no UI port, nothing listening beyond the pod's loopback, no sign-in settings.
        Assert.DoesNotContain(objects, o => o is V1Service s && s.Metadata.Name == "cni-dashboard");
        Assert.Equal(["management"], container.Ports.Select(p => p.Name));
        Assert.Equal("127.0.0.1", env["Dashboard__ListenAddress"].Value);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Dashboard__Auth__", StringComparison.Ordinal));
        Assert.Equal(["management"], objects.OfType<V1NetworkPolicy>().Single().Spec.Ingress.Single().Ports.Select(p => p.Port.Value));
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        // It collects and remediates its cluster as a dashboard does: the same grants, and the leader Lease.
        Assert.Contains(objects, o => o is V1ClusterRole r && r.Rules.Any(rule => rule.Resources.Contains("nodes") && rule.Verbs.Contains("watch")));
        Assert.Contains(objects, o => o is V1Role r && r.Rules.Any(rule => rule.ResourceNames?.Contains("cni-dashboard-leader") == true));
    }

    [Fact]
    public void The_default_is_a_dashboard_of_the_default_cluster_with_its_service()
    {
        var yaml = ChartRenderer.Render("cni-dashboard", "--set", "agent.tls.generate=false");
        var env = Container(yaml).Env.ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal(("dashboard", "default"), (env["Dashboard__Mode"], env["Dashboard__Cluster__Id"]));
        Assert.Contains(KubernetesYaml.LoadAllFromString(yaml), o => o is V1Service s && s.Metadata.Name == "cni-dashboard");
    }

    [Theory]
    [InlineData(new[] { "--set", "store.provider=sqlite" }, "mode=collector needs store.provider=postgres")]
    [InlineData(new[] { "--set", "clusterId=default" }, "mode=collector needs a clusterId of its own")]
    [InlineData(new[] { "--set", "clusterId=Prod_EU" }, "clusterId must be a DNS label")]
    [InlineData(new[] { "--set", "mode=ui" }, "mode must be dashboard or collector")]
    public void A_collector_the_fleet_cannot_use_is_refused_with_the_reason(string[] change, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ChartRenderer.Render("cni-dashboard", [.. Collector, .. change]));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
