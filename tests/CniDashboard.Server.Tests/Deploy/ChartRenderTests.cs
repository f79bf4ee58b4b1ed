using k8s;
using k8s.Models;

namespace CniDashboard.Server.Tests.Deploy;

/// <summary>
/// The chart and the rendered manifests cannot drift apart, and RBAC cannot grow unnoticed: the chart is
/// rendered here with Helm's template engine (deploy/render-chart) and the manifest must be its output
/// byte for byte; every Role and ClusterRole, in both, must grant exactly the rules pinned below.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class ChartRenderTests
{
    /// <summary>The values deploy/manifests/cni-dashboard.yaml is rendered with (see its header and deploy/render-manifests.sh).</summary>
    private static readonly string[] ManifestValues = ["--set", "agent.tls.generate=false"];

    /// <summary>
    /// Everything the product's identities may do, rule by rule, for a release in namespace
    /// <c>{ns}</c>. What the code uses: the dashboard lists and watches nodes, pods, events, DaemonSets and
    /// Cilium's one ConfigMap, and gets and patches its audit checkpoint's ConfigMap; the remediation engine cordons and annotates nodes, restarts CNI pods in
    /// the components' namespaces, records node Events, runs probe pods and holds its one Lease in the
    /// release namespace; replicas elect their leader on one Lease there; the agent creates TokenReviews. Widening any of it must change this list.
    /// </summary>
    private static readonly string[] PinnedRbac =
    [
        "ClusterRole cni-dashboard-agent-{ns}: groups [authentication.k8s.io] resources [tokenreviews] names [] verbs [create]",
        // Announcements: limited to one annotation on the Pod of the agent's own node by the ValidatingAdmissionPolicy.
        "Role {ns}/cni-dashboard-agent-announce: groups [] resources [pods] names [] verbs [patch]",
        "ClusterRole cni-dashboard-{ns}: groups [] resources [events, nodes, pods] names [] verbs [get, list, watch]",
        "ClusterRole cni-dashboard-{ns}: groups [apps] resources [daemonsets] names [] verbs [get, list, watch]",
        RemediationRule("ClusterRole cni-dashboard-{ns}-remediation: groups [] resources [nodes] names [] verbs [patch]"),
        RemediationRule("Role {ns}/cni-dashboard-remediation: groups [] resources [pods] names [] verbs [create, delete]"),
        RemediationRule("Role {ns}/cni-dashboard-remediation: groups [coordination.k8s.io] resources [leases] names [] verbs [create]"),
        RemediationRule("Role {ns}/cni-dashboard-remediation: groups [coordination.k8s.io] resources [leases] names [cni-dashboard-remediation] verbs [get, update]"),
        RemediationRule("Role default/cni-dashboard-{ns}-node-events: groups [] resources [events] names [] verbs [create]"),
        RemediationRule("Role istio-system/cni-dashboard-{ns}-restart-cni-pods: groups [] resources [pods] names [] verbs [delete]"),
        RemediationRule("Role kube-system/cni-dashboard-{ns}-restart-cni-pods: groups [] resources [pods] names [] verbs [delete]"),
        RemediationRule("Role linkerd-cni/cni-dashboard-{ns}-restart-cni-pods: groups [] resources [pods] names [] verbs [delete]"),
        CiliumRule,
        "Role {ns}/cni-dashboard-audit-checkpoint: groups [] resources [configmaps] names [cni-dashboard-audit-checkpoint] verbs [get, patch]",
    ];

    /// <summary>What replicas on PostgreSQL add: the leader Lease by name, and create (which RBAC cannot limit to a name).</summary>
    private static readonly string[] LeaderRbac =
    [
        "Role {ns}/cni-dashboard-leader: groups [coordination.k8s.io] resources [leases] names [] verbs [create]",
        "Role {ns}/cni-dashboard-leader: groups [coordination.k8s.io] resources [leases] names [cni-dashboard-leader] verbs [get, update]",
    ];

    private const string CiliumRule = "Role kube-system/cni-dashboard-{ns}-cilium-config: groups [] resources [configmaps] names [cilium-config] verbs [get, list, watch]";

    /// <summary>Marks a grant only the remediation engine uses (<c>remediation.enabled</c>).</summary>
    private static string RemediationRule(string rule) => RemediationMark + rule;

    private const string RemediationMark = "[remediation] ";

    private static string ManifestBody()
    {
        var lines = File.ReadAllText(ChartRenderer.ManifestPath).Split('\n');
        Assert.All(lines[..3], l => Assert.StartsWith("# ", l, StringComparison.Ordinal));
        Assert.Equal("---", lines[3]);
        return string.Join('\n', lines[3..]);
    }

    [Fact]
    public void The_rendered_manifests_are_the_charts_output_byte_for_byte()
    {
        var rendered = ChartRenderer.Render("cni-dashboard", ManifestValues);

        // On a difference: run deploy/render-manifests.sh and commit the result with the chart change.
        Assert.Equal(rendered, ManifestBody());
        Assert.Contains("--set agent.tls.generate=false", File.ReadAllText(ChartRenderer.ManifestPath).Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_renderer_reads_the_values_so_a_chart_change_shows_as_a_difference()
    {
        var changed = ChartRenderer.Render("cni-dashboard", [.. ManifestValues, "--set", "image.agent=registry.example.com/agent:9.9.9", "--set", "ciliumConfig.enabled=false"]);

        Assert.NotEqual(ManifestBody(), changed);
        Assert.Contains("image: registry.example.com/agent:9.9.9", changed, StringComparison.Ordinal);
        Assert.DoesNotContain(RulesOf(changed), r => r.Contains("cilium-config", StringComparison.Ordinal));
        // With the chart's defaults the agents' TLS Secret is generated (and never lands in the manifests).
        var generated = ChartRenderer.Render("ops");
        var secret = Assert.Single(KubernetesYaml.LoadAllFromString(generated).OfType<V1Secret>());
        Assert.Equal(["ca.crt", "tls.crt", "tls.key"], secret.Data.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Rbac_in_the_manifests_is_exactly_the_pinned_rules()
    {
        Assert.Equal(Pinned("cni-dashboard"), RulesOf(File.ReadAllText(ChartRenderer.ManifestPath)));
    }

    [Theory]
    [InlineData("cni-dashboard")]
    [InlineData("ops")]
    public void Rbac_the_chart_renders_is_exactly_the_pinned_rules_in_any_namespace(string @namespace)
    {
        Assert.Equal(Pinned(@namespace), RulesOf(ChartRenderer.Render(@namespace)));
    }

    [Fact]
    public void Without_cilium_the_chart_grants_no_configmap_at_all()
    {
        var rules = RulesOf(ChartRenderer.Render("cni-dashboard", "--set", "ciliumConfig.enabled=false"));

        Assert.Equal(Pinned("cni-dashboard").Where(r => r != CiliumRule.Replace("{ns}", "cni-dashboard", StringComparison.Ordinal)), rules);
    }

    [Fact]
    public void Without_remediation_the_chart_grants_no_write_at_all()
    {
        var rules = RulesOf(ChartRenderer.Render("cni-dashboard", "--set", "remediation.enabled=false"));

        Assert.Equal(Pinned("cni-dashboard", remediation: false), rules);
        Assert.All(rules.Where(r => !r.Contains("cni-dashboard-agent", StringComparison.Ordinal) && !r.Contains("audit-checkpoint", StringComparison.Ordinal)),
            r => Assert.EndsWith("verbs [get, list, watch]", r, StringComparison.Ordinal));
    }

    [Fact]
    public void With_postgres_replicas_may_also_elect_their_leader_on_one_lease_and_nothing_more()
    {
        var rules = RulesOf(ChartRenderer.Render("ops", "--set", "store.provider=postgres", "--set", "store.postgres.connectionStringSecret.name=pg", "--set", "audit.checkpoint.keySecret=key"));

        Assert.Equal([.. Pinned("ops").Concat(LeaderRbac.Select(r => r.Replace("{ns}", "ops", StringComparison.Ordinal))).Order(StringComparer.Ordinal)], rules);
    }

    private static string[] Pinned(string @namespace, bool remediation = true) =>
    [
        .. PinnedRbac
            .Where(r => remediation || !r.StartsWith(RemediationMark, StringComparison.Ordinal))
            .Select(r => r.Replace(RemediationMark, "", StringComparison.Ordinal).Replace("{ns}", @namespace, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Every rule of every Role and ClusterRole in the YAML, one line each; aggregation and non-resource URLs included if any appear.</summary>
    private static string[] RulesOf(string yaml)
    {
        var objects = KubernetesYaml.LoadAllFromString(yaml);
        var lines = new List<string>();
        foreach (var role in objects.OfType<V1ClusterRole>())
        {
            if (role.AggregationRule is not null) lines.Add($"ClusterRole {role.Metadata.Name}: aggregationRule");
            lines.AddRange(role.Rules.Select(r => $"ClusterRole {role.Metadata.Name}: {Describe(r)}"));
        }

        foreach (var role in objects.OfType<V1Role>())
            lines.AddRange(role.Rules.Select(r => $"Role {role.Metadata.NamespaceProperty}/{role.Metadata.Name}: {Describe(r)}"));
        return [.. lines.Order(StringComparer.Ordinal)];
    }

    private static string Describe(V1PolicyRule rule)
    {
        static string List(IEnumerable<string>? items) => $"[{string.Join(", ", (items ?? []).Where(i => i.Length > 0).Order(StringComparer.Ordinal))}]";
        var text = $"groups {List(rule.ApiGroups)} resources {List(rule.Resources)} names {List(rule.ResourceNames)} verbs {List(rule.Verbs)}";
        return rule.NonResourceURLs is { Count: > 0 } urls ? $"{text} nonResourceURLs {List(urls)}" : text;
    }
}
