using k8s;
using k8s.Models;

namespace CniDashboard.Server.Tests.Deploy;

/// <summary>The chart's store settings: SQLite on a volume with one replica by default, PostgreSQL from a Secret.</summary>
[Collection(DeployCollection.Name)]
public sealed class StoreChartTests
{
    private static readonly string[] Postgres =
    [
        "--set", "agent.tls.generate=false", "--set", "store.provider=postgres",
        "--set", "store.postgres.connectionStringSecret.name=cni-dashboard-postgres", "--set", "audit.checkpoint.keySecret=cni-dashboard-audit-key",
    ];

    private static V1Deployment Dashboard(string yaml) => KubernetesYaml.LoadAllFromString(yaml).OfType<V1Deployment>().Single(d => d.Metadata.Name == "cni-dashboard");

    private static V1Container Container(V1Deployment deployment) => deployment.Spec.Template.Spec.Containers.Single(c => c.Name == "dashboard");

    [Fact]
    public void By_default_the_store_is_sqlite_on_a_volume_with_one_replica_replaced_not_rolled()
    {
        var yaml = ChartRenderer.Render("cni-dashboard", "--set", "agent.tls.generate=false");
        var deployment = Dashboard(yaml);

        Assert.Equal((1, "Recreate"), (deployment.Spec.Replicas, deployment.Spec.Strategy.Type));
        Assert.Equal("sqlite", Container(deployment).Env.Single(e => e.Name == "Dashboard__Store__Provider").Value);
        Assert.DoesNotContain(Container(deployment).Env, e => e.Name == "Dashboard__Store__ConnectionString");
        Assert.Single(KubernetesYaml.LoadAllFromString(yaml).OfType<V1PersistentVolumeClaim>());
        Assert.Equal("cni-dashboard-data", deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "data").PersistentVolumeClaim.ClaimName);
        // One replica: nothing to spread, no budget, no election settings.
        Assert.Null(deployment.Spec.Template.Spec.Affinity);
        Assert.Empty(KubernetesYaml.LoadAllFromString(yaml).OfType<V1PodDisruptionBudget>());
        Assert.DoesNotContain(Container(deployment).Env, e => e.Name.StartsWith("Dashboard__Leadership__", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_replicas_are_spread_over_nodes_kept_up_one_at_a_time_and_elect_a_leader_in_the_release_namespace()
    {
        var yaml = ChartRenderer.Render("ops", [.. Postgres, "--set", "dashboard.replicas=3"]);
        var deployment = Dashboard(yaml);
        var env = Container(deployment).Env.ToDictionary(e => e.Name, e => e.Value);
        var selector = deployment.Spec.Selector.MatchLabels;

        var spread = Assert.Single(deployment.Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", spread.PodAffinityTerm.TopologyKey);
        Assert.Equal(selector, spread.PodAffinityTerm.LabelSelector.MatchLabels);
        var budget = Assert.Single(KubernetesYaml.LoadAllFromString(yaml).OfType<V1PodDisruptionBudget>());
        Assert.Equal(("cni-dashboard", "ops", "1"), (budget.Metadata.Name, budget.Metadata.NamespaceProperty, budget.Spec.MaxUnavailable.Value));
        Assert.Equal(selector, budget.Spec.Selector.MatchLabels);
        Assert.Equal(("00:00:15", "00:00:10", "00:00:02"), (env["Dashboard__Leadership__LeaseDuration"], env["Dashboard__Leadership__RenewDeadline"], env["Dashboard__Leadership__RetryPeriod"]));
        Assert.Equal("ops", env["Dashboard__Remediation__Namespace"]);
        // The timings the chart sets pass the dashboard's own validation.
        var options = new Server.Leadership.LeadershipOptions
        {
            LeaseDuration = TimeSpan.Parse(env["Dashboard__Leadership__LeaseDuration"], System.Globalization.CultureInfo.InvariantCulture),
            RenewDeadline = TimeSpan.Parse(env["Dashboard__Leadership__RenewDeadline"], System.Globalization.CultureInfo.InvariantCulture),
            RetryPeriod = TimeSpan.Parse(env["Dashboard__Leadership__RetryPeriod"], System.Globalization.CultureInfo.InvariantCulture),
        };
        Assert.True(new Server.Leadership.LeadershipOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void With_postgres_the_connection_string_comes_from_the_secret_and_no_volume_is_claimed()
    {
        var yaml = ChartRenderer.Render("cni-dashboard", [.. Postgres, "--set", "dashboard.replicas=2"]);
        var deployment = Dashboard(yaml);
        var env = Container(deployment).Env;

        Assert.Equal((2, "RollingUpdate"), (deployment.Spec.Replicas, deployment.Spec.Strategy.Type));
        Assert.Equal("postgres", env.Single(e => e.Name == "Dashboard__Store__Provider").Value);
        var connection = env.Single(e => e.Name == "Dashboard__Store__ConnectionString");
        Assert.Null(connection.Value);
        Assert.Equal(("cni-dashboard-postgres", "connection-string"), (connection.ValueFrom.SecretKeyRef.Name, connection.ValueFrom.SecretKeyRef.Key));
        Assert.Empty(KubernetesYaml.LoadAllFromString(yaml).OfType<V1PersistentVolumeClaim>());
        Assert.NotNull(deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "data").EmptyDir);
    }

    [Theory]
    [InlineData("dashboard.replicas=2", "dashboard.replicas > 1 needs store.provider=postgres")]
    [InlineData("store.provider=mysql", "store.provider must be sqlite or postgres")]
    public void Settings_the_store_cannot_run_with_are_refused_with_the_reason(string setting, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ChartRenderer.Render("cni-dashboard", "--set", "agent.tls.generate=false", "--set", setting));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("store.postgres.connectionStringSecret.name", "store.postgres.connectionStringSecret.name is required")]
    [InlineData("audit.checkpoint.keySecret", "audit.checkpoint.keySecret is required")]
    public void Postgres_without_its_secrets_is_refused(string missing, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ChartRenderer.Render("cni-dashboard", [.. Postgres, "--set", $"{missing}="]));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
