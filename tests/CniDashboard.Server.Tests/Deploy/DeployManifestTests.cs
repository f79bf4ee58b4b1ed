using CniDashboard.Agent.Configuration;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Options;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
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
        var options = DeploymentOptions();

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

        foreach (var rule in roles.Values.SelectMany(r => r.Rules).Concat(Manifests.Value.OfType<V1Role>().SelectMany(r => r.Rules)))
        {
            Assert.DoesNotContain("*", rule.Verbs);
            Assert.DoesNotContain("*", rule.Resources);
        }
        Assert.All(dashboard.Rules, r => Assert.Subset(new HashSet<string> { "get", "list", "watch" }, r.Verbs.ToHashSet()));
        // ConfigMaps hold other components' settings: none are readable cluster-wide.
        Assert.DoesNotContain(roles.Values.SelectMany(r => r.Rules), r => r.Resources.Contains("configmaps"));
        var agentRule = Assert.Single(agent.Rules);
        Assert.Equal(["tokenreviews"], agentRule.Resources);
        Assert.Equal(["create"], agentRule.Verbs);
    }

    [Fact]
    public void The_dashboard_may_read_ciliums_configmap_by_name_in_its_namespace_and_no_other()
    {
        var options = DeploymentOptions().Kubernetes.CiliumConfig;
        var role = Assert.Single(Manifests.Value.OfType<V1Role>());
        var binding = Assert.Single(Manifests.Value.OfType<V1RoleBinding>());

        Assert.True(options.Enabled);
        Assert.Equal(options.Namespace, role.Metadata.NamespaceProperty);
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["configmaps"], rule.Resources);
        Assert.Equal([options.Name], rule.ResourceNames);
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order(StringComparer.Ordinal));
        Assert.Equal((role.Metadata.NamespaceProperty, "Role", role.Metadata.Name), (binding.Metadata.NamespaceProperty, binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", Single<V1Deployment>("cni-dashboard").Spec.Template.Spec.ServiceAccountName, "cni-dashboard"), (subject.Kind, subject.Name, subject.NamespaceProperty));
    }

    /// <summary>
    /// The rendered RBAC is enough for every watch the dashboard runs with the Deployment's settings:
    /// an API server that enforces exactly those rules (the emulator; a Role's resourceNames admit a
    /// list or watch only with a metadata.name field selector, as on a real one) serves them all.
    /// </summary>
    [Fact]
    public async Task The_rendered_rbac_admits_every_watch_the_dashboard_runs_including_ciliums_configmap()
    {
        var clusterRole = Manifests.Value.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "cni-dashboard-cni-dashboard");
        var role = Assert.Single(Manifests.Value.OfType<V1Role>());
        var rules = clusterRole.Rules.Select(r => new AccessRule([.. r.Verbs], [.. r.Resources]))
            .Concat(role.Rules.Select(r => new AccessRule([.. r.Verbs], [.. r.Resources]) { Namespaces = [role.Metadata.NamespaceProperty], ResourceNames = [.. r.ResourceNames ?? []] }))
            .ToArray();
        var dashboardUser = KubeIdentities.ServiceAccountUsername("cni-dashboard", Single<V1Deployment>("cni-dashboard").Spec.Template.Spec.ServiceAccountName);
        await using var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions
        {
            RunDaemonSetController = false,
            Identities = [new KubeIdentity(dashboardUser, rules), KubeIdentities.Agent],
        }, TestContext.Current.CancellationToken);
        foreach (var ns in new[] { "kube-system", "linkerd-cni", "istio-system", "cni-dashboard" }) api.Cluster.EnsureNamespace(ns);
        using var dir = new TempDir();
        var kubeconfig = api.WriteKubeconfig(Path.Combine(dir.Path, "kubeconfig"), api.IssueToken(KubeIdentities.DashboardServiceAccount));

        var settings = DeploymentEnv().Where(e => e.Key.StartsWith("Dashboard:Kubernetes:", StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Value);
        settings["Dashboard:Kubernetes:Kubeconfig"] = kubeconfig;
        settings["Dashboard:Kubernetes:InitialBackoff"] = "00:00:00.050";
        settings["Dashboard:Kubernetes:MaxBackoff"] = "00:00:00.200";
        await using var backend = new BackendHarness(settings);
        var watcher = backend.Get<ClusterWatcher>();
        await watcher.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var health = backend.Get<WatchHealthRegistry>();
            api.Cluster.ConfigMaps.Create(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = "cilium-config", NamespaceProperty = "kube-system" },
                Data = new Dictionary<string, string> { ["cni-exclusive"] = "true" },
            });

            await Eventually.WaitAsync(() => health.AllSynced && health.Snapshot().All(w => w.Healthy), "every watch to list and stay up under the rendered RBAC");
            await Eventually.WaitAsync(() => backend.Cluster.CiliumConfig.GetValueOrDefault("cni-exclusive") == "true", "cilium-config to be read");
            Assert.Contains(health.Snapshot(), w => w.Resource == "configmap kube-system/cilium-config");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    private static IEnumerable<KeyValuePair<string, string?>> DeploymentEnv() =>
        Assert.Single(Single<V1Deployment>("cni-dashboard").Spec.Template.Spec.Containers).Env
            .Select(e => KeyValuePair.Create(e.Name.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value));

    private static DashboardOptions DeploymentOptions() =>
        new ConfigurationBuilder().AddInMemoryCollection(DeploymentEnv()).Build().GetSection(DashboardOptions.Section).Get<DashboardOptions>()!;

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CniDashboard.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no CniDashboard.sln above {AppContext.BaseDirectory}");
    }
}
