using CniDashboard.Agent;
using CniDashboard.Agent.Configuration;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Options;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Pki;
using k8s;
using k8s.Models;

namespace CniDashboard.Server.Tests.Deploy;

/// <summary>
/// The rendered manifests in deploy/ must run the code in this repository: the agent accepts the
/// DaemonSet's flags (TLS included), the dashboard accepts the Deployment's settings (the agents' CA
/// and name included), the two talk over TLS, and RBAC grants no more than the code uses. A renamed flag or option fails here rather than in someone's cluster.
/// </summary>
public sealed class DeployManifestTests
{
    private static readonly Lazy<IReadOnlyList<object>> Manifests = new(() => KubernetesYaml.LoadAllFromString(File.ReadAllText(ManifestPath())));

    private static string ManifestPath() => Path.Combine(RepoRoot(), "deploy", "manifests", "cni-dashboard.yaml");

    private static T Single<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(Manifests.Value.OfType<T>(), o => o.Metadata.Name == name);

    [Fact]
    public void The_agent_accepts_the_daemonset_flags_and_runs_tokenreview_auth_over_tls()
    {
        using var node = new RenderedNode();

        var settings = node.Parse();

        Assert.Equal(AgentAuthMode.TokenReview, settings.AuthMode);
        Assert.Equal("cni-dashboard-agent", settings.Audience);
        Assert.Equal(["system:serviceaccount:cni-dashboard:cni-dashboard"], settings.AllowedUsernames);
        // The flags point at the folders the volumes mount.
        var mounts = node.Container.VolumeMounts.ToDictionary(m => m.Name);
        Assert.Equal(node.Root + mounts["cni-conf"].MountPath, settings.CniDir);
        Assert.Equal(node.Root + mounts["cni-bin"].MountPath, settings.BinDir);
        Assert.True(mounts["cni-bin"].ReadOnlyProperty);
        Assert.Equal(node.Root + mounts["backups"].MountPath, settings.BackupDir);
        Assert.Equal("/etc/cni/net.d", settings.HostCniDir);
        // TLS from the Secret's tls.crt/tls.key, mounted read-only: tokenreview mode would refuse to start without it.
        Assert.True(settings.ServesTls);
        Assert.False(settings.AllowInsecureHttp);
        Assert.True(mounts["tls"].ReadOnlyProperty);
        var secret = Assert.Single(Single<V1DaemonSet>("cni-dashboard-agent").Spec.Template.Spec.Volumes, v => v.Name == "tls").Secret;
        Assert.Equal(node.Root + $"{mounts["tls"].MountPath}/{secret.Items.Single(i => i.Key == "tls.crt").Path}", settings.TlsCertFile);
        Assert.Equal(node.Root + $"{mounts["tls"].MountPath}/{secret.Items.Single(i => i.Key == "tls.key").Path}", settings.TlsKeyFile);
        Assert.DoesNotContain(secret.Items, i => i.Key == "ca.crt");
    }

    [Fact]
    public void The_agents_certificate_and_the_dashboards_trust_come_from_one_secret_and_only_the_agents_get_its_key()
    {
        var agent = Single<V1DaemonSet>("cni-dashboard-agent").Spec.Template.Spec;
        var dashboard = Single<V1Deployment>("cni-dashboard").Spec.Template.Spec;
        var agentTls = Assert.Single(agent.Volumes, v => v.Name == "tls").Secret;
        var caFile = DeploymentOptions().Poller.AgentCaFile!;
        var caMount = Assert.Single(Assert.Single(dashboard.Containers).VolumeMounts, m => caFile.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        var dashboardTls = Assert.Single(dashboard.Volumes, v => v.Name == caMount.Name).Secret;

        Assert.Equal(agentTls.SecretName, dashboardTls.SecretName);
        var item = Assert.Single(dashboardTls.Items);
        Assert.Equal(("ca.crt", caFile), (item.Key, $"{caMount.MountPath}/{item.Path}"));
        Assert.Equal("cni-dashboard-agent.cni-dashboard.svc", DeploymentOptions().Poller.AgentServerName);
        // The kubelet's probes reach a TLS-only port.
        var probes = Assert.Single(agent.Containers);
        Assert.Equal(("HTTPS", "HTTPS"), (probes.ReadinessProbe.HttpGet.Scheme, probes.LivenessProbe.HttpGet.Scheme));
        // The rendered file is for reading and kubectl apply: no CA or key generated into the repository.
        Assert.Empty(Manifests.Value.OfType<V1Secret>());
        Assert.DoesNotContain("PRIVATE KEY", File.ReadAllText(ManifestPath()), StringComparison.Ordinal);
    }

    /// <summary>
    /// The DaemonSet's flags and the Deployment's settings, as rendered, work together: the agent serves
    /// TLS with a certificate for the name the dashboard checks, the dashboard trusts the CA at the
    /// path it is mounted, and the projected token passes the agent's TokenReview (the emulated API
    /// server, as the agent would call the real one). A poll round over that path stores the node.
    /// </summary>
    [Fact]
    public async Task The_rendered_agent_and_dashboard_poll_over_tls_with_tokenreview()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { RunDaemonSetController = false }, ct);
        using var node = new RenderedNode();
        var apiCa = Path.Combine(node.Root, "kube-ca.crt");
        File.WriteAllText(apiCa, api.CaPem);
        File.WriteAllText(Path.Combine(node.Root, "sa-token"), api.IssueToken(KubeIdentities.AgentServiceAccount));
        var settings = node.Parse("--listen=127.0.0.1:0", $"--kube-api={api.BaseAddress}", $"--kube-ca={apiCa}");
        await using var agent = AgentHost.Build(settings, logging => logging.ClearProviders());
        await agent.StartAsync(ct);
        var port = new Uri(AgentHost.ListeningAddresses(agent).Single()).Port;

        var dashboard = DeploymentEnv().ToDictionary(e => e.Key, e => e.Value);
        dashboard["Dashboard:Poller:AgentCaFile"] = node.Root + dashboard["Dashboard:Poller:AgentCaFile"];
        dashboard["Dashboard:Poller:AgentPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        dashboard["Dashboard:DataDir"] = Path.Combine(node.Root, "data");
        // The projected token, at the path the Deployment mounts it, for the audience it asks for.
        dashboard["Dashboard:Poller:AgentTokenFile"] = node.Root + dashboard["Dashboard:Poller:AgentTokenFile"];
        Directory.CreateDirectory(Path.GetDirectoryName(dashboard["Dashboard:Poller:AgentTokenFile"])!);
        File.WriteAllText(dashboard["Dashboard:Poller:AgentTokenFile"]!, api.Tokens.IssueServiceAccountToken("cni-dashboard", "cni-dashboard", audiences: ["cni-dashboard-agent"]));
        await using var backend = new BackendHarness(dashboard);
        await backend.StartStoreAsync();
        backend.Cluster.UpsertNode(new NodeFacts { Name = "ip-10-0-12-34.us-west-2.compute.internal" });
        backend.Cluster.UpsertPod(new CniPodFacts { Namespace = "cni-dashboard", Name = "cni-dashboard-agent-x7k2p", Component = "cni-dashboard-agent", IsAgent = true, Node = "ip-10-0-12-34.us-west-2.compute.internal", PodIp = "127.0.0.1", Phase = "Running", Ready = true });

        var round = await backend.Poller.PollOnceAsync(ct);

        var polled = backend.Fleet.Get("ip-10-0-12-34.us-west-2.compute.internal")!.Agent;
        Assert.True(round.Failed == 0, polled.Reason);
        Assert.Equal((1, Shared.Dashboard.AgentState.Current), (round.Changed, polled.State));
        await agent.StopAsync(ct);
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
        // The validator reads the agents' CA: put one where the Secret would be mounted.
        using var root = new TempDir();
        using var ca = CertificateAuthority.Create("cni-dashboard-agent CA");
        Assert.Equal("/etc/cni-dashboard/agent-ca/ca.crt", options.Poller.AgentCaFile);
        options.Poller.AgentCaFile = root.Path + options.Poller.AgentCaFile;
        Directory.CreateDirectory(Path.GetDirectoryName(options.Poller.AgentCaFile)!);
        File.WriteAllText(options.Poller.AgentCaFile, ca.CertificatePem);

        Assert.NotNull(options);
        var result = new DashboardOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("/data", options.DataDir);
        Assert.Single(options.Kubernetes.EffectiveComponents, c => c.IsAgent && c.Selector == "app.kubernetes.io/name=cni-dashboard-agent");
    }

    /// <summary>
    /// The chart's default install has no sign-in: the dashboard must then listen on the pod's own
    /// loopback (kubectl port-forward reaches it, the Service does not) and be read-only, while the
    /// kubelet's probes reach the management listener, which serves health and nothing else.
    /// </summary>
    [Fact]
    public void By_default_the_dashboard_listens_on_the_pods_loopback_without_sign_in_and_is_probed_on_the_management_port()
    {
        var options = DeploymentOptions();
        var container = Assert.Single(Single<V1Deployment>("cni-dashboard").Spec.Template.Spec.Containers);
        var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);

        Assert.Equal(AuthMode.None, options.Auth.ParsedMode);
        Assert.True(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(options.ListenAddress)));
        Assert.Equal(ports["http"], options.Port);
        Assert.Equal(ports["management"], options.Management.Port);
        Assert.Equal("0.0.0.0", options.Management.ListenAddress);
        Assert.Equal(("management", "management"), (container.ReadinessProbe.HttpGet.Port.Value, container.LivenessProbe.HttpGet.Port.Value));
        Assert.Equal(("/readyz", "/healthz"), (container.ReadinessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Path));
        var service = Single<V1Service>("cni-dashboard");
        Assert.Equal("http", Assert.Single(service.Spec.Ports).TargetPort.Value);
        Assert.DoesNotContain(container.Env, e => e.Name.Contains("AllowNonLoopbackListen", StringComparison.Ordinal));
    }

    /// <summary>
    /// Every <c>Dashboard__…</c> setting the chart can render in any mode (oidc, proxy, ServiceAccounts)
    /// names an option the dashboard reads, and the OIDC client secret only ever comes from a Secret.
    /// </summary>
    [Fact]
    public void Every_setting_the_chart_can_render_in_any_mode_is_an_option_the_dashboard_reads()
    {
        var templates = Directory.GetFiles(Path.Combine(RepoRoot(), "deploy", "helm", "cni-dashboard", "templates")).Select(File.ReadAllText).ToArray();
        var names = templates.SelectMany(t => System.Text.RegularExpressions.Regex.Matches(t, @"Dashboard__[A-Za-z0-9_]+").Select(m => m.Value.TrimEnd('_'))).Distinct().ToArray();
        var helpers = templates.Single(t => t.Contains("cni-dashboard.authEnv", StringComparison.Ordinal) && t.Contains("define \"cni-dashboard.roleEnv\"", StringComparison.Ordinal));

        Assert.Contains("Dashboard__Auth__Oidc__Authority", names);
        Assert.Contains("Dashboard__Auth__Proxy__TrustedNetworks", names);
        Assert.Contains("Dashboard__Auth__ServiceAccounts__Roles", names);
        foreach (var name in names)
        {
            var type = typeof(DashboardOptions);
            foreach (var segment in name.Split("__").Skip(1).Where(s => !int.TryParse(s, out _)))
            {
                var property = type.GetProperty(segment);
                Assert.True(property is not null, $"{name}: {type.Name} has no {segment}");
                type = property!.PropertyType.IsGenericType ? property.PropertyType.GetGenericArguments()[0] : property.PropertyType;
            }
        }

        // The role helper's role names are RoleGroups' properties.
        foreach (var role in Enum.GetNames<Shared.Security.DashboardRole>())
        {
            Assert.NotNull(typeof(RoleGroups).GetProperty(role));
            Assert.Contains($"\"{role}\" \"{role.ToLowerInvariant()}\"", helpers, StringComparison.Ordinal);
        }

        var secret = helpers[helpers.IndexOf("Dashboard__Auth__Oidc__ClientSecret", StringComparison.Ordinal)..];
        Assert.StartsWith("Dashboard__Auth__Oidc__ClientSecret\n  valueFrom: { secretKeyRef:", secret, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(helpers, "ClientSecret"));
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

    /// <summary>
    /// A node's paths under a temp root, as the DaemonSet mounts them, with the agents' TLS files a
    /// chart-made Secret would hold (a CA and a certificate for the name the Deployment's dashboard checks),
    /// and the dashboard's copy of that CA where the Deployment mounts it.
    /// </summary>
    private sealed class RenderedNode : IDisposable
    {
        private static readonly string[] Mounted = ["--cni-dir=", "--bin-dir=", "--backup-dir=", "--tls-cert=", "--tls-key="];
        private readonly TempDir _root = new();

        public RenderedNode()
        {
            Container = Assert.Single(Single<V1DaemonSet>("cni-dashboard-agent").Spec.Template.Spec.Containers);
            foreach (var mount in Container.VolumeMounts) Directory.CreateDirectory(Root + mount.MountPath);
            File.WriteAllText(Path.Combine(Root, "sa-token"), "in-cluster token");
            using var ca = CertificateAuthority.Create("cni-dashboard-agent CA");
            using var served = ca.Issue("cni-dashboard-agent", [DeploymentOptions().Poller.AgentServerName], []);
            CertificateAuthority.WritePem(served, Root + Flag("--tls-cert="), Root + Flag("--tls-key="));
            var caFile = Root + DeploymentOptions().Poller.AgentCaFile;
            Directory.CreateDirectory(Path.GetDirectoryName(caFile)!);
            File.WriteAllText(caFile, ca.CertificatePem);
        }

        public string Root => _root.Path;

        public V1Container Container { get; }

        /// <summary>The DaemonSet's args with the mounted paths moved under the root, then <paramref name="more"/>; asserts they parse.</summary>
        public AgentSettings Parse(params string[] more)
        {
            var env = new Dictionary<string, string>
            {
                ["NODE_NAME"] = "ip-10-0-12-34.us-west-2.compute.internal",
                ["KUBERNETES_SERVICE_HOST"] = "172.20.0.1",
                ["KUBERNETES_SERVICE_PORT"] = "443",
            };
            var args = Container.Args.Select(a => Mounted.Any(f => a.StartsWith(f, StringComparison.Ordinal)) ? a.Replace("=/", $"={Root}/", StringComparison.Ordinal) : a).ToList();
            args.Add($"--kube-token-file={Root}/sa-token");
            args.AddRange(more);
            var settings = AgentSettings.Parse(args, n => env.GetValueOrDefault(n), out var error);
            Assert.Null(error);
            return settings;
        }

        public void Dispose() => _root.Dispose();

        private string Flag(string prefix) => Container.Args.Single(a => a.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];
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
