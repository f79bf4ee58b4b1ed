using System.Text.Json;
using System.Text.Json.Nodes;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>
/// The incident's remediation as the planner proposes it: each incident node loses the stale
/// linkerd-cni object from both conflists (the edits are worked out from this project's copies of the
/// node files), the finding is predicted gone, and the approver must acknowledge two risks.
/// </summary>
public static class SampleRemediation
{
    /// <summary>The risk that new pods are not meshed for a while.</summary>
    public const string UnmeshedRisk = "unmeshed:linkerd-cni";

    /// <summary>The risk that the old installer breaks more nodes.</summary>
    public const string InstallerRisk = "installer:linkerd-cni";

    /// <summary>The proposal for the incident nodes (the canary — most sandbox errors — first).</summary>
    public static PlanProposal Proposal(RemediationOptions? options = null) => new()
    {
        Rule = SampleCluster.IncidentRule,
        Plugin = "linkerd-cni",
        Component = new RemediationComponent("linkerd-cni", "linkerd-cni"),
        Options = options ?? new RemediationOptions(),
        Nodes = [.. SampleCluster.IncidentNodes.Select((n, i) => Node(n, sandboxErrors: i == 1 ? 40 : 10 + i))
            .OrderByDescending(n => n.SandboxErrors)],
        Excluded = [new ExcludedNode(SampleCluster.HealthyNode, "no mesh-token-pod-gone finding on the node now")],
        Risks =
        [
            new RiskNote(UnmeshedRisk, "Removing linkerd-cni from the chain: new pods on these nodes are not meshed until linkerd-cni re-installs its entry.", SampleCluster.IncidentNodes, 3),
            new RiskNote(InstallerRisk, "The linkerd-cni v1.6.0 installer still runs on 9 nodes: when the rollout replaces those pods, their cleanup leaves the same stale entry.", ["ip-10-0-1-11.us-west-2.compute.internal"], 9),
        ],
    };

    /// <summary>One incident node's remediation: both conflists lose the linkerd-cni object.</summary>
    public static NodeRemediation Node(string node, int sandboxErrors = 10, bool addsCritical = false) => new()
    {
        Node = node,
        SandboxErrors = sandboxErrors,
        Edits = [Edit("05-cilium.conflist"), Edit("10-aws.conflist")],
        Targets = [new FindingTarget(SampleCluster.IncidentRule, "05-cilium.conflist", "linkerd-cni", Severity.Critical, "linkerd-cni's token names a pod that no longer exists")],
        Prediction = new PredictedOutcome
        {
            Resolved = [new PredictedFinding(SampleCluster.IncidentRule, Severity.Critical, "05-cilium.conflist", "linkerd-cni", "linkerd-cni's token names a pod that no longer exists")],
            Introduced = addsCritical
                ? [new PredictedFinding("no-primary-config", Severity.Critical, null, null, "No loadable CNI configuration would be left")]
                : [],
            Remaining = [new PredictedFinding("mesh-token-past-warnafter", Severity.Info, "ZZZ-linkerd-cni-kubeconfig", "linkerd-cni", "linkerd-cni's token is past its warnafter time")],
            PrimaryBefore = "05-cilium.conflist",
            PrimaryAfter = "05-cilium.conflist",
            ChainBefore = ["cilium-cni", "portmap", "linkerd-cni"],
            ChainAfter = ["cilium-cni", "portmap"],
        },
    };

    private static PlannedEdit Edit(string file)
    {
        var old = Fixture.Read("incident", file);
        var content = JsonNode.Parse(old)!.AsObject();
        var plugins = content["plugins"]!.AsArray();
        foreach (var plugin in plugins.Where(p => (string?)p!["type"] == "linkerd-cni").ToList())
        {
            plugins.Remove(plugin);
        }

        var updated = content.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        return new PlannedEdit
        {
            File = file,
            Kind = FileEditKind.Replace,
            ExpectedSha256 = PlannedEdit.Sha256Of(old),
            OldContent = old,
            NewContent = updated,
            NewSha256 = PlannedEdit.Sha256Of(updated),
            Summary = $"Remove the stale linkerd-cni entry from {file}",
            RemovedPlugins = ["linkerd-cni"],
        };
    }
}
