using System.Text.RegularExpressions;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Shared.Tests.Remediation;

public sealed partial class RemediationKeysTests
{
    // The agent's rule for change ids (NodeAgent.IsId): letters, digits, '.', '_', '-', first a letter or digit, at most 128.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex AgentId();

    // A DNS-1123 label, what a pod name must be.
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [Fact]
    public void Change_ids_are_stable_distinct_per_plan_node_file_and_operation_and_accepted_by_the_agent()
    {
        var longNode = "ip-10-0-12-34." + new string('x', 200) + ".compute.internal";
        var id = RemediationKeys.ChangeId("rp-incident-1", longNode, new string('f', 255), RemediationKeys.ApplyOperation);

        Assert.Equal(id, RemediationKeys.ChangeId("rp-incident-1", longNode, new string('f', 255), RemediationKeys.ApplyOperation));
        Assert.Matches(AgentId(), id);
        Assert.StartsWith("rp-incident-1.apply.", id, StringComparison.Ordinal);
        string[] others =
        [
            RemediationKeys.ChangeId("rp-incident-2", longNode, new string('f', 255), RemediationKeys.ApplyOperation),
            RemediationKeys.ChangeId("rp-incident-1", longNode + "y", new string('f', 255), RemediationKeys.ApplyOperation),
            RemediationKeys.ChangeId("rp-incident-1", longNode, new string('f', 254), RemediationKeys.ApplyOperation),
            RemediationKeys.ChangeId("rp-incident-1", longNode, new string('f', 255), RemediationKeys.RestoreOperation),
        ];
        Assert.Equal(5, others.Append(id).Distinct().Count());
        // Parts are separated, so shifting text between them gives another id.
        Assert.NotEqual(RemediationKeys.ChangeId("rp-1", "ab", "c", "apply"), RemediationKeys.ChangeId("rp-1", "a", "bc", "apply"));
    }

    [Fact]
    public void Probe_pods_and_events_have_names_kubernetes_accepts_and_a_retry_gets_a_new_probe()
    {
        var node = "ip-10-0-12-34.us-west-2.compute.internal";

        Assert.Matches(Dns1123Label(), RemediationKeys.ProbePodName("rp-1", node, 1));
        Assert.NotEqual(RemediationKeys.ProbePodName("rp-1", node, 1), RemediationKeys.ProbePodName("rp-1", node, 2));
        Assert.StartsWith(node + ".", RemediationKeys.EventName("rp-1", node, "started"), StringComparison.Ordinal);
        Assert.NotEqual(RemediationKeys.EventName("rp-1", node, "started"), RemediationKeys.EventName("rp-1", node, "finished"));
        Assert.True(RemediationKeys.EventName("rp-1", new string('n', 253), "started").Length <= 253);
        Assert.Equal("cni-dashboard/0.1.0 (remediation; plan rp-1)", RemediationKeys.UserAgent("0.1.0", "rp-1"));
    }

    [Theory]
    [InlineData("rp-1", true)]
    [InlineData("0a", true)]
    [InlineData("-rp", false)]
    [InlineData("RP-1", false)]
    [InlineData("rp_1", false)]
    [InlineData("rp.1", false)]
    [InlineData("", false)]
    [InlineData("a23456789012345678901234567890123456789012", false)]
    public void Plan_ids_fit_annotations_pod_names_and_change_ids(string id, bool valid)
    {
        Assert.Equal(valid, RemediationKeys.IsPlanId(id));
        if (!valid) Assert.Equal(RefusalCodes.InvalidPlan, Assert.Throws<RemediationRefusal>(() => RemediationPlan.CreateDraft(id, Plans.Author, Plans.T0, Plans.Propose(Plans.Incident()))).Code);
    }
}
