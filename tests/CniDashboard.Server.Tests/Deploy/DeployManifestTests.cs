using CniDashboard.Agent.Configuration;
using CniDashboard.Server.Options;
using k8s;
using k8s.Models;

namespace CniDashboard.Server.Tests.Deploy;

/// <summary>
/// The rendered manifests in deploy/ must run the code in this repository: the agent accepts the
/// DaemonSet's flags, the dashboard accepts the Deployment's settings, and RBAC grants no more than
/// the code uses. A renamed flag or option fails here rather than in someone's cluster.
/// </summary>
public sealed class DeployManifestTests
{
    private static readonly Lazy<IReadOnlyList<object>> Manifests = new(() =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(RepoRoot(), "deploy", "manifests", "cni-dashboard.yaml"))));

    private static T Single<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(Manifests.Value.OfType<T>(), o => o.Metadata.Name == name);

    [Fact]
    public void The_agent_accepts_the_daemonset_flags_and_runs_tokenreview_auth()
    {
        var ds = Single<V1DaemonSet>("cni-dashboard-agent");
        var container = Assert.Single(ds.Spec.Template.Spec.Containers);
        var env = new Dictionary<string, string>
        {
            ["NODE_NAME"] = "ip-10-0-12-34.us-west-2.compute.internal",
            ["KUBERNETES_SERVICE_HOST"] = "172.20.0.1",
            ["KUBERNETES_SERVICE_PORT"] = "443",
        };

        // The agent checks its folders and credentials exist: stand the node's paths up under a temp root.
        var root = Directory.CreateTempSubdirectory("deploy-agent-").FullName;
        string[] mounted = ["--cni-dir=", "--bin-dir=", "--backup-dir="];
        var args = container.Args.Select(a => mounted.Any(f => a.StartsWith(f, StringComparison.Ordinal)) ? a.Replace("=/", $"={root}/", StringComparison.Ordinal) : a).ToList();
        foreach (var mount in container.VolumeMounts) Directory.CreateDirectory(root + mount.MountPath);
        File.WriteAllText(Path.Combine(root, "sa-token"), "in-cluster token");
        args.Add($"--kube-token-file={root}/sa-token");

        var settings = AgentSettings.Parse(args, n => env.GetValueOrDefault(n), out var error);

        Assert.Null(error);
        Assert.Equal(AgentAuthMode.TokenReview, settings.AuthMode);
        Assert.Equal("cni-dashboard-agent", settings.Audience);
        Assert.Equal(["system:serviceaccount:cni-dashboard:cni-dashboard"], settings.AllowedUsernames);
        // The flags point at the folders the volumes mount.
        var mounts = container.VolumeMounts.ToDictionary(m => m.Name);
        Assert.Equal(root + mounts["cni-conf"].MountPath, settings.CniDir);
        Assert.Equal(root + mounts["cni-bin"].MountPath, settings.BinDir);
        Assert.True(mounts["cni-bin"].ReadOnlyProperty);
        Assert.Equal(root + mounts["backups"].MountPath, settings.BackupDir);
        Assert.Equal("/etc/cni/net.d", settings.HostCniDir);
    }

    [Fact]
    public void The_agent_starts_on_every_node_even_where_pod_networking_is_broken()
    {
        var spec = Single<V1DaemonSet>("cni-dashboard-agent").Spec.Template.Spec;

        Assert.True(spec.HostNetwork);
        Assert.Contains(spec.Tolerations, t => t.OperatorProperty == "Exists" && t.Key is null);
        var security = Assert.Single(spec.Containers).SecurityContext;
        Assert.False(security.AllowPrivilegeEscalation);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], security.Capabilities.Drop);
    }

    [Fact]
    public void The_dashboard_accepts_the_deployment_settings()
    {
        var container = Assert.Single(Single<V1Deployment>("cni-dashboard").Spec.Template.Spec.Containers);
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(container.Env.Select(e => KeyValuePair.Create(e.Name.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();

        var options = config.GetSection(DashboardOptions.Section).Get<DashboardOptions>();

        Assert.NotNull(options);
        var result = new DashboardOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("/data", options.DataDir);
        Assert.Single(options.Kubernetes.EffectiveComponents, c => c.IsAgent && c.Selector == "app.kubernetes.io/name=cni-dashboard-agent");
    }

    [Fact]
    public void The_dashboard_presents_a_projected_token_only_agents_accept()
    {
        var pod = Single<V1Deployment>("cni-dashboard").Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var tokenFile = container.Env.Single(e => e.Name == "Dashboard__Poller__AgentTokenFile").Value;
        var mount = Assert.Single(container.VolumeMounts, m => tokenFile.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        var projected = Assert.Single(pod.Volumes, v => v.Name == mount.Name).Projected;
        var token = Assert.Single(projected.Sources).ServiceAccountToken;

        Assert.Equal("cni-dashboard-agent", token.Audience);
        Assert.Equal(tokenFile, $"{mount.MountPath}/{token.Path}");
        Assert.Equal("cni-dashboard", pod.ServiceAccountName);
    }

    [Fact]
    public void Rbac_grants_reads_to_the_dashboard_and_only_tokenreviews_to_the_agent()
    {
        var roles = Manifests.Value.OfType<V1ClusterRole>().ToDictionary(r => r.Metadata.Name);
        var dashboard = roles["cni-dashboard-cni-dashboard"];
        var agent = roles["cni-dashboard-agent-cni-dashboard"];

        foreach (var rule in roles.Values.SelectMany(r => r.Rules))
        {
            Assert.DoesNotContain("*", rule.Verbs);
            Assert.DoesNotContain("*", rule.Resources);
        }
        Assert.All(dashboard.Rules, r => Assert.Subset(new HashSet<string> { "get", "list", "watch" }, r.Verbs.ToHashSet()));
        var agentRule = Assert.Single(agent.Rules);
        Assert.Equal(["tokenreviews"], agentRule.Resources);
        Assert.Equal(["create"], agentRule.Verbs);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CniDashboard.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no CniDashboard.sln above {AppContext.BaseDirectory}");
    }
}
