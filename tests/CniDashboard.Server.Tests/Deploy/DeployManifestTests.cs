using System.Net;
using CniDashboard.Agent;
using CniDashboard.Agent.Configuration;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Options;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Pki;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Server.Tests.Deploy;

/// <summary>
/// The rendered manifests in deploy/ must run the code in this repository: the agent accepts the
/// DaemonSet's flags (TLS included), the dashboard accepts the Deployment's settings (the agents' CA
/// and name included), the two talk over TLS, and RBAC grants no more than the code uses. A renamed flag or option fails here rather than in someone's cluster.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class DeployManifestTests
{
    private static readonly Lazy<IReadOnlyList<object>> Manifests = new(() => KubernetesYaml.LoadAllFromString(File.ReadAllText(ManifestPath())));

    private static string ManifestPath() => ChartRenderer.ManifestPath;

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
        // The path is under test here, not its speed: a busy machine may take more than the 2 s default for the handshake and the review.
        dashboard["Dashboard:Poller:RequestTimeout"] = "00:00:15";
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
        var audit = new AuditOptionsValidator().Validate(null, options);
        Assert.True(audit.Succeeded, audit.FailureMessage);
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
        var templates = Directory.GetFiles(Path.Combine(ChartRenderer.ChartDir, "templates")).Select(File.ReadAllText).ToArray();
        var names = templates.SelectMany(t => System.Text.RegularExpressions.Regex.Matches(t, @"Dashboard__[A-Za-z0-9_]+").Select(m => m.Value.TrimEnd('_'))).Distinct().ToArray();
        var helpers = templates.Single(t => t.Contains("cni-dashboard.authEnv", StringComparison.Ordinal) && t.Contains("define \"cni-dashboard.roleEnv\"", StringComparison.Ordinal));

        Assert.Contains("Dashboard__Auth__Oidc__Authority", names);
        Assert.Contains("Dashboard__Auth__Proxy__TrustedNetworks", names);
        Assert.Contains("Dashboard__Auth__ServiceAccounts__Roles", names);
        foreach (var name in names)
        {
            // Remediation and leadership are sections of their own, bound to their own options.
            var (type, skip) = name.Split("__")[1] switch
            {
                "Remediation" => (typeof(Server.Remediation.RemediationEngineOptions), 2),
                "Leadership" => (typeof(Server.Leadership.LeadershipOptions), 2),
                _ => (typeof(DashboardOptions), 1),
            };
            foreach (var segment in name.Split("__").Skip(skip).Where(s => !int.TryParse(s, out _)))
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
    public void The_agent_may_patch_pods_in_its_namespace_only_and_the_admission_policy_narrows_it_to_its_own_announcement()
    {
        var role = Single<V1Role>("cni-dashboard-agent-announce");
        Assert.Equal("cni-dashboard", role.Metadata.NamespaceProperty);
        var rule = Assert.Single(role.Rules);
        Assert.Equal("[] [pods] [patch]", $"[{string.Join(",", rule.ApiGroups)}] [{string.Join(",", rule.Resources)}] [{string.Join(",", rule.Verbs)}]");
        Assert.Null(rule.ResourceNames);
        var binding = Single<V1RoleBinding>("cni-dashboard-agent-announce");
        Assert.Equal(("Role", "cni-dashboard-agent-announce"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "cni-dashboard-agent", "cni-dashboard"), (subject.Kind, subject.Name, subject.NamespaceProperty));

        var policy = Single<V1ValidatingAdmissionPolicy>("cni-dashboard-agent-announce-cni-dashboard");
        Assert.Equal("Fail", policy.Spec.FailurePolicy);
        var match = Assert.Single(policy.Spec.MatchConstraints.ResourceRules);
        Assert.Equal("[] [v1] [UPDATE] [pods]", $"[{string.Join(",", match.ApiGroups)}] [{string.Join(",", match.ApiVersions)}] [{string.Join(",", match.Operations)}] [{string.Join(",", match.Resources)}]");
        Assert.Equal("request.userInfo.username == 'system:serviceaccount:cni-dashboard:cni-dashboard-agent'", Assert.Single(policy.Spec.MatchConditions).Expression);
        var expressions = string.Join("\n", policy.Spec.Validations.Select(v => v.Expression));
        Assert.Contains("object.spec.nodeName == request.userInfo.extra['authentication.kubernetes.io/node-name'][0]", expressions, StringComparison.Ordinal);
        Assert.Contains("object.spec == oldObject.spec", expressions, StringComparison.Ordinal);
        Assert.Contains("variables.after.all(k, k == variables.key || (k in variables.before && variables.before[k] == variables.after[k]))", expressions, StringComparison.Ordinal);
        Assert.Contains("'cni-dashboard.io/manifest-hash'", Assert.Single(policy.Spec.Variables, v => v.Name == "key").Expression, StringComparison.Ordinal);
        Assert.All(policy.Spec.Validations, v => Assert.Equal("Forbidden", v.Reason));
        var policyBinding = Single<V1ValidatingAdmissionPolicyBinding>("cni-dashboard-agent-announce-cni-dashboard");
        Assert.Equal(policy.Metadata.Name, policyBinding.Spec.PolicyName);
        Assert.Equal(["Deny"], policyBinding.Spec.ValidationActions);
    }

    [Fact]
    public void The_rendered_agent_announces_on_the_pod_the_downward_API_names()
    {
        using var agent = new RenderedNode();

        var settings = agent.Parse();

        Assert.True(settings.Announce);
        Assert.Equal(("cni-dashboard-agent-x7k2q", "cni-dashboard"), (settings.PodName, settings.PodNamespace));
        Assert.Equal(new Uri("https://172.20.0.1:443"), settings.KubeApi);
        Assert.Equal("metadata.name", Assert.Single(agent.Container.Env, e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", Assert.Single(agent.Container.Env, e => e.Name == "POD_NAMESPACE").ValueFrom.FieldRef.FieldPath);
        Assert.Equal((PollerMode.Announce, TimeSpan.FromMinutes(10)), (DeploymentOptions().Poller.Mode, DeploymentOptions().Poller.SafetyInterval));
    }

    /// <summary>The emulator's agent identity (what the simulator's agents may do) grants exactly the chart's rules for the agent.</summary>
    [Fact]
    public void The_emulators_agent_identity_mirrors_the_charts_grants()
    {
        var subject = (Kind: "ServiceAccount", Name: "cni-dashboard-agent", Namespace: "cni-dashboard");
        var clusterRules = Manifests.Value.OfType<V1ClusterRoleBinding>().Where(b => b.Subjects.Any(s => (s.Kind, s.Name, s.NamespaceProperty) == subject))
            .SelectMany(b => Single<V1ClusterRole>(b.RoleRef.Name).Rules.Select(r => new AccessRule([.. r.Verbs], [.. r.Resources])));
        var roleRules = Manifests.Value.OfType<V1RoleBinding>().Where(b => b.Subjects.Any(s => (s.Kind, s.Name, s.NamespaceProperty) == subject))
            .SelectMany(b => Single<V1Role>(b.RoleRef.Name).Rules.Select(r => new AccessRule([.. r.Verbs], [.. r.Resources]) { Namespaces = [b.Metadata.NamespaceProperty] }));
        AccessRule[] rendered = [.. clusterRules, .. roleRules];
        var disagreements = new List<string>();
        foreach (var verb in new[] { "get", "list", "watch", "create", "update", "patch", "delete" })
        foreach (var resource in new[] { "nodes", "pods", "leases", "configmaps", "tokenreviews" })
        foreach (var ns in new[] { "cni-dashboard", "kube-system", null })
        {
            var chart = rendered.Any(r => r.Allows(verb, resource, ns));
            var emulator = KubeIdentities.Agent.Rules.Any(r => r.Allows(verb, resource, ns));
            if (chart != emulator) disagreements.Add($"{verb} {resource} in {ns ?? "(cluster)"}: chart {chart}, emulator {emulator}");
        }

        Assert.Empty(disagreements);
    }

    [Fact]
    public void The_dashboard_may_read_ciliums_configmap_by_name_in_its_namespace_and_no_other()
    {
        var options = DeploymentOptions().Kubernetes.CiliumConfig;
        var role = Assert.Single(Manifests.Value.OfType<V1Role>(), r => r.Metadata.NamespaceProperty == options.Namespace && r.Rules.Any(rule => rule.Resources.Contains("configmaps")));
        var binding = Assert.Single(Manifests.Value.OfType<V1RoleBinding>(), b => b.RoleRef.Name == role.Metadata.Name && b.Metadata.NamespaceProperty == role.Metadata.NamespaceProperty);

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
        await using var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions
        {
            RunDaemonSetController = false,
            Identities = [RenderedDashboardIdentity(), KubeIdentities.Agent],
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

    [Fact]
    public void The_dashboard_may_get_and_patch_its_audit_checkpoint_configmap_which_the_chart_creates_and_nothing_more()
    {
        var options = DeploymentOptions().Audit.Checkpoint;
        var map = Single<V1ConfigMap>(options.ConfigMapName);
        var role = Assert.Single(Manifests.Value.OfType<V1Role>(), r => r.Metadata.NamespaceProperty == options.Namespace && r.Rules.Any(rule => rule.Resources.Contains("configmaps")));
        var binding = Assert.Single(Manifests.Value.OfType<V1RoleBinding>(), b => b.RoleRef.Name == role.Metadata.Name && b.Metadata.NamespaceProperty == role.Metadata.NamespaceProperty);

        Assert.Equal((AuditCheckpointOptions.DefaultConfigMapName, "cni-dashboard"), (options.ConfigMapName, options.Namespace));
        Assert.Equal(options.Namespace, map.Metadata.NamespaceProperty);
        Assert.Equal("keep", map.Metadata.Annotations["helm.sh/resource-policy"]);
        Assert.DoesNotContain(AuditCheckpointOptions.Annotation, map.Metadata.Annotations.Keys);
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["configmaps"], rule.Resources);
        Assert.Equal([options.ConfigMapName], rule.ResourceNames);
        Assert.Equal(["get", "patch"], rule.Verbs.Order(StringComparer.Ordinal));
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "cni-dashboard", options.Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        // The simulator's identity table grants the dashboard the same, so the demo and the tests exercise exactly this.
        Assert.Contains(KubeIdentities.Dashboard.Rules, r => r.Verbs.Order(StringComparer.Ordinal).SequenceEqual(rule.Verbs.Order(StringComparer.Ordinal))
            && r.Resources.SequenceEqual(rule.Resources) && r.Namespaces.SequenceEqual([options.Namespace]) && r.ResourceNames.SequenceEqual([options.ConfigMapName]));
        Assert.True(new AuditOptionsValidator().Validate(null, DeploymentOptions()).Succeeded);
    }

    /// <summary>
    /// Under the rendered RBAC, against the ConfigMap as the chart renders it, the dashboard's checkpoint
    /// writer reads and patches the annotation; it may not patch another ConfigMap of its namespace, nor create one.
    /// </summary>
    [Fact]
    public async Task The_rendered_rbac_admits_the_audit_checkpoint_writer_and_nothing_else_in_the_namespace()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions
        {
            RunDaemonSetController = false,
            Identities = [RenderedDashboardIdentity(), KubeIdentities.Agent],
        }, ct);
        var options = DeploymentOptions().Audit.Checkpoint;
        api.Cluster.EnsureNamespace(options.Namespace);
        api.Cluster.ConfigMaps.Create(Single<V1ConfigMap>(options.ConfigMapName));
        api.Cluster.ConfigMaps.Create(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "other", NamespaceProperty = options.Namespace } });
        using var dir = new TempDir();
        var kubeconfig = api.WriteKubeconfig(Path.Combine(dir.Path, "kubeconfig"), api.IssueToken(KubeIdentities.DashboardServiceAccount));
        var settings = DeploymentEnv().Where(e => e.Key.StartsWith("Dashboard:Audit:", StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Value);
        settings["Dashboard:Kubernetes:Kubeconfig"] = kubeconfig;
        await using var backend = new BackendHarness(settings);
        await backend.StartStoreAsync();
        await backend.Get<IAuditLog>().AppendAsync(AuditCaller.System.Record(AuditActions.SettingChanged, null, AuditOutcome.Ok), ct);

        var result = await backend.Get<AuditCheckpointWriter>().WriteOnceAsync(ct);

        Assert.True(result.Outcome == CheckpointWriteOutcome.Written, result.Reason);
        Assert.Contains(AuditCheckpointOptions.Annotation, api.Cluster.ConfigMaps.Get(options.Namespace, options.ConfigMapName)!.Metadata.Annotations.Keys);
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var other = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"annotations":{"x":"y"}}}""", V1Patch.PatchType.MergePatch), "other", options.Namespace, cancellationToken: ct));
        Assert.Equal(HttpStatusCode.Forbidden, other.Response.StatusCode);
        var create = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "new" } }, options.Namespace, cancellationToken: ct));
        Assert.Equal(HttpStatusCode.Forbidden, create.Response.StatusCode);
    }

    /// <summary>The dashboard's ServiceAccount with exactly the rendered rules bound to it.</summary>
    private static KubeIdentity RenderedDashboardIdentity() =>
        new(KubeIdentities.ServiceAccountUsername("cni-dashboard", Single<V1Deployment>("cni-dashboard").Spec.Template.Spec.ServiceAccountName), RenderedDashboardRules(Manifests.Value));

    /// <summary>
    /// The upper bound of what the dashboard's ServiceAccount may do, pinned: every (API group, resource,
    /// verb, namespace, names) the rendered ClusterRoles and Roles bound to it grant. A grant nobody uses
    /// fails here; a new one must be added here, with the code that uses it.
    /// </summary>
    [Fact]
    public void Rbac_grants_the_dashboard_exactly_what_the_watcher_and_the_remediation_engine_use()
    {
        string[] expected =
        [
            // The watcher (and the engine's reads: nodes, replacement pods, probe pods, kured's DaemonSet lock).
            "/nodes get *", "/nodes list *", "/nodes watch *",
            "/pods get *", "/pods list *", "/pods watch *",
            "/events get *", "/events list *", "/events watch *",
            "apps/daemonsets get *", "apps/daemonsets list *", "apps/daemonsets watch *",
            "/configmaps get kube-system cilium-config", "/configmaps list kube-system cilium-config", "/configmaps watch kube-system cilium-config",
            // The audit log's signed checkpoint, on the one ConfigMap the chart creates for it.
            "/configmaps get cni-dashboard cni-dashboard-audit-checkpoint", "/configmaps patch cni-dashboard cni-dashboard-audit-checkpoint",
            // Remediation: cordon, uncordon and annotate the node being fixed.
            "/nodes patch *",
            // Restart the CNI pod on that node, in the components' namespaces only.
            "/pods delete kube-system", "/pods delete linkerd-cni", "/pods delete istio-system",
            // Node Events.
            "/events create default",
            // Probe pods and the remediation Lease, in the dashboard's namespace.
            "/pods create cni-dashboard", "/pods delete cni-dashboard",
            "coordination.k8s.io/leases get cni-dashboard cni-dashboard-remediation", "coordination.k8s.io/leases update cni-dashboard cni-dashboard-remediation",
            "coordination.k8s.io/leases create cni-dashboard",
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), DashboardGrants().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_remediation_grants_are_bound_to_the_dashboards_service_account_only()
    {
        var remediationRoles = Manifests.Value.OfType<V1Role>().Where(r => r.Metadata.Name.Contains("remediation", StringComparison.Ordinal) || r.Metadata.Name.Contains("restart-cni-pods", StringComparison.Ordinal) || r.Metadata.Name.Contains("node-events", StringComparison.Ordinal)).ToArray();
        var bindings = Manifests.Value.OfType<V1RoleBinding>().ToArray();

        Assert.Equal(5, remediationRoles.Length);
        foreach (var role in remediationRoles)
        {
            var binding = Assert.Single(bindings, b => b.RoleRef.Name == role.Metadata.Name && b.Metadata.NamespaceProperty == role.Metadata.NamespaceProperty);
            var subject = Assert.Single(binding.Subjects);
            Assert.Equal(("ServiceAccount", "cni-dashboard", "cni-dashboard"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        }
        var clusterBinding = Single<V1ClusterRoleBinding>("cni-dashboard-cni-dashboard-remediation");
        Assert.Equal(("ClusterRole", "cni-dashboard-cni-dashboard-remediation"), (clusterBinding.RoleRef.Kind, clusterBinding.RoleRef.Name));
        Assert.Equal("cni-dashboard", Assert.Single(clusterBinding.Subjects).Name);
    }

    /// <summary>
    /// The emulator's identity table (what the simulator and every test enforce) and the chart agree on
    /// the dashboard's writes: each write the chart grants the emulator grants, and the emulator grants
    /// no write the chart does not — so the engine's tests cannot pass on a permission a cluster refuses.
    /// </summary>
    [Fact]
    public void The_emulators_dashboard_identity_mirrors_the_charts_grants()
    {
        // Rendered for PostgreSQL, the chart's widest grants (the leader Lease too): the emulator serves both stores' tests.
        var rendered = RenderedDashboardRules([.. KubernetesYaml.LoadAllFromString(ChartRenderer.Render("cni-dashboard", "--set", "agent.tls.generate=false",
            "--set", "store.provider=postgres", "--set", "store.postgres.connectionStringSecret.name=pg", "--set", "audit.checkpoint.keySecret=key"))]);
        var emulated = KubeIdentities.Dashboard.Rules;
        string[] namespaces = ["default", "kube-system", "linkerd-cni", "istio-system", "cni-dashboard", "apps"];
        string[] names = ["cni-dashboard-remediation", "cni-dashboard-leader", "cilium-config", "cni-dashboard-audit-checkpoint", "other"];
        string[] resources = ["nodes", "pods", "events", "daemonsets", "configmaps", "leases", "secrets"];
        string[] verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
        var disagreements = new List<string>();
        foreach (var verb in verbs)
        foreach (var resource in resources)
        foreach (var ns in namespaces.Append(null))
        foreach (var name in names.Append(null))
        {
            var chart = rendered.Any(r => r.Allows(verb, resource, ns, name));
            var emulator = emulated.Any(r => r.Allows(verb, resource, ns, name));
            if (chart != emulator) disagreements.Add($"{verb} {resource} in {ns ?? "(cluster)"} named {name ?? "(any)"}: chart {chart}, emulator {emulator}");
        }

        Assert.Empty(disagreements);
    }

    /// <summary>The rendered rules bound to the dashboard's ServiceAccount, as the emulator's authorizer reads them.</summary>
    private static AccessRule[] RenderedDashboardRules(IReadOnlyList<object> objects)
    {
        var subject = (Kind: "ServiceAccount", Name: "cni-dashboard", Namespace: "cni-dashboard");
        bool Bound(IEnumerable<Rbacv1Subject> subjects) => subjects.Any(s => (s.Kind, s.Name, s.NamespaceProperty) == subject);
        var clusterRoles = objects.OfType<V1ClusterRoleBinding>().Where(b => Bound(b.Subjects))
            .Select(b => Assert.Single(objects.OfType<V1ClusterRole>(), r => r.Metadata.Name == b.RoleRef.Name))
            .SelectMany(r => r.Rules.Select(rule => new AccessRule([.. rule.Verbs], [.. rule.Resources]) { ResourceNames = [.. rule.ResourceNames ?? []] }));
        var roles = objects.OfType<V1RoleBinding>().Where(b => Bound(b.Subjects))
            .Select(b => Assert.Single(objects.OfType<V1Role>(), r => r.Metadata.Name == b.RoleRef.Name && r.Metadata.NamespaceProperty == b.Metadata.NamespaceProperty))
            .SelectMany(r => r.Rules.Select(rule => new AccessRule([.. rule.Verbs], [.. rule.Resources]) { Namespaces = [r.Metadata.NamespaceProperty], ResourceNames = [.. rule.ResourceNames ?? []] }));
        return [.. clusterRoles, .. roles];
    }

    /// <summary>Every grant to the dashboard's ServiceAccount as "group/resource verb namespace-or-* [names]".</summary>
    private static IEnumerable<string> DashboardGrants()
    {
        var bound = Manifests.Value.OfType<V1ClusterRoleBinding>().Where(b => b.Subjects.Any(s => s.Name == "cni-dashboard" && s.Kind == "ServiceAccount")).Select(b => b.RoleRef.Name).ToHashSet();
        var cluster = Manifests.Value.OfType<V1ClusterRole>().Where(r => bound.Contains(r.Metadata.Name)).SelectMany(r => r.Rules.Select(rule => (Rule: rule, Namespace: "*")));
        var boundRoles = Manifests.Value.OfType<V1RoleBinding>().Where(b => b.Subjects.Any(s => s.Name == "cni-dashboard" && s.Kind == "ServiceAccount")).Select(b => (b.Metadata.NamespaceProperty, b.RoleRef.Name)).ToHashSet();
        var namespaced = Manifests.Value.OfType<V1Role>().Where(r => boundRoles.Contains((r.Metadata.NamespaceProperty, r.Metadata.Name))).SelectMany(r => r.Rules.Select(rule => (Rule: rule, Namespace: r.Metadata.NamespaceProperty)));
        foreach (var (rule, ns) in cluster.Concat(namespaced))
        foreach (var group in rule.ApiGroups)
        foreach (var resource in rule.Resources)
        foreach (var verb in rule.Verbs)
            yield return $"{group}/{resource} {verb} {ns}" + (rule.ResourceNames is { Count: > 0 } names ? " " + string.Join(",", names) : "");
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
            // The downward API's values, for the fields the DaemonSet asks for; plain values as written.
            foreach (var variable in Container.Env)
            {
                if (variable.Value is { } value) env[variable.Name] = value;
                else if (variable.ValueFrom?.FieldRef?.FieldPath is "metadata.name") env[variable.Name] = "cni-dashboard-agent-x7k2q";
                else if (variable.ValueFrom?.FieldRef?.FieldPath is "metadata.namespace") env[variable.Name] = "cni-dashboard";
            }

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
}
