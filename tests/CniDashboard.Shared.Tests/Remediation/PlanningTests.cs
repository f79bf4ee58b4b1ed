using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Tests.Analysis;

namespace CniDashboard.Shared.Tests.Remediation;

public sealed class PlanningTests
{
    [Fact]
    public void The_incident_node_gets_both_edits_and_the_prediction_shows_the_stale_entry_resolved()
    {
        var node = Plans.Incident();
        var finding = CniAnalyzer.Default.Analyze(node.Files, null, node.Context, Plans.T0).Findings.First(f => f.Rule == Plans.Rule && f.File == Scenario.CiliumConflist);

        var proposal = RemediationPlanner.Default.ForFinding(node, finding, Plans.T0);

        var planned = Assert.Single(proposal.Nodes);
        Assert.Equal([Scenario.CiliumConflist, Scenario.AwsConflist], planned.Edits.Select(e => e.File).Order(StringComparer.Ordinal));
        foreach (var edit in planned.Edits)
        {
            var file = node.Files.Single(f => f.Name == edit.File);
            Assert.Equal(FileEditKind.Replace, edit.Kind);
            Assert.Equal(file.Sha256, edit.ExpectedSha256);
            Assert.Equal(file.Content, edit.OldContent);
            Assert.Equal(Scenario.WithoutLinkerd(file.Content!), edit.NewContent);
            Assert.Equal(PlannedEdit.Sha256Of(edit.NewContent!), edit.NewSha256);
            Assert.Equal(["linkerd-cni"], edit.RemovedPlugins);
        }
        Assert.Equal(2, planned.Prediction.Resolved.Count(f => f.Rule == Plans.Rule));
        Assert.DoesNotContain(planned.Prediction.Remaining.Concat(planned.Prediction.Introduced), f => f.Rule == Plans.Rule);
        Assert.False(planned.Prediction.AddsCritical);
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni"], planned.Prediction.ChainAfter);
        Assert.Equal((Scenario.CiliumConflist, Scenario.CiliumConflist), (planned.Prediction.PrimaryBefore, planned.Prediction.PrimaryAfter));
        Assert.Equal(2, planned.Targets.Count);
        Assert.Equal(27, planned.SandboxErrors);
        Assert.Equal(new RemediationComponent("linkerd-cni", "linkerd-cni"), proposal.Component);
        Assert.Equal(("linkerd-cni", Plans.Rule), (proposal.Plugin, proposal.Rule));
    }

    [Fact]
    public void The_risk_notes_say_pods_are_unmeshed_until_the_restart_and_count_nodes_still_on_the_broken_installer()
    {
        var fleet = Enumerable.Range(0, 9)
            .Select(i => new NodeClusterContext
            {
                Node = $"healthy-{i}",
                Pods = [new ContextPod { Namespace = "linkerd-cni", Name = $"linkerd-cni-{i}", DaemonSet = "linkerd-cni", Image = i < 7 ? "cr.l5d.io/linkerd/cni-plugin:v1.6.0" : "cr.l5d.io/linkerd/cni-plugin:v1.6.2", Ready = true }],
            })
            .Append(Plans.Incident().Context)
            .ToArray();

        var proposal = RemediationPlanner.Default.Propose(new PlanRequest { Rule = Plans.Rule, Nodes = Plans.ThreeIncidentNodes(), Fleet = fleet, Now = Plans.T0 });

        var unmeshed = Assert.Single(proposal.Risks, r => r.Id == "unmeshed:linkerd-cni");
        Assert.Contains("new pods on these nodes are not meshed until linkerd-cni re-installs its entry", unmeshed.Text, StringComparison.Ordinal);
        Assert.Contains("restarts the linkerd-cni/linkerd-cni pod", unmeshed.Text, StringComparison.Ordinal);
        Assert.Equal(3, unmeshed.NodeCount);
        var installer = Assert.Single(proposal.Risks, r => r.Id == "bad-installer:linkerd-cni");
        Assert.Equal("The linkerd-cni v1.6.0 installer still runs on 7 node(s): when the rollout replaces those pods, their cleanup leaves the same stale entry.", installer.Text);
        Assert.Equal(7, installer.NodeCount);
        Assert.DoesNotContain(proposal.Risks, r => r.Id is "primary-changes" or "still-critical");
    }

    [Fact]
    public void The_canary_is_the_node_with_the_most_sandbox_errors_and_ties_keep_the_order_asked()
    {
        var nodes = new[] { Plans.Incident("node-a", 5), Plans.Incident("node-b", 40), Plans.Incident("node-c", 5), Plans.Incident("node-d", 12) };

        Assert.Equal(["node-b", "node-d", "node-a", "node-c"], Plans.Propose(nodes).Nodes.Select(n => n.Node));
        Assert.Equal(["node-a", "node-b", "node-c", "node-d"], Plans.Propose(new RemediationOptions { CanaryFirst = false }, nodes).Nodes.Select(n => n.Node));
    }

    [Fact]
    public void Nodes_without_the_finding_or_with_two_edits_to_one_file_are_left_out_with_the_reason()
    {
        var duplicate = Scenario.HealthyWith(Scenario.HealthyContext, (Scenario.CiliumConflist, DuplicateTwoPlugins(Scenario.HealthyCilium)));
        var twoEdits = new PlanNodeInput { Node = "node-dup", Files = duplicate.Files, Context = Scenario.HealthyContext };

        var proposal = RemediationPlanner.Default.Propose(new PlanRequest { Rule = "duplicate-plugin", Nodes = [Plans.Healthy("node-ok"), twoEdits], Now = Plans.T0 });

        Assert.Empty(proposal.Nodes);
        Assert.Equal("no duplicate-plugin finding on the node now", Assert.Single(proposal.Excluded, e => e.Node == "node-ok").Reason);
        Assert.StartsWith("two duplicate-plugin edits to 05-cilium.conflist", Assert.Single(proposal.Excluded, e => e.Node == "node-dup").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delete_that_makes_a_stale_entry_primary_is_predicted_to_add_a_critical_finding_and_cannot_be_submitted()
    {
        // A backup copy of the healthy primary sorts first; behind it the real primary holds the incident's stale entry (a warning while it is not loaded).
        var files = Fixture.Folder(
            ("00-backup.conflist", Scenario.HealthyCilium),
            (Scenario.CiliumConflist, Fixture.Text($"nodes/incident/{Scenario.CiliumConflist}")),
            (Scenario.KubeconfigFile, Scenario.IncidentKubeconfig));
        var node = new PlanNodeInput { Node = "node-stray", Files = files, Context = Scenario.IncidentContext };

        var proposal = RemediationPlanner.Default.Propose(new PlanRequest { Rule = "stray-config-loaded-first", Nodes = [node], Now = Plans.T0 });

        var planned = Assert.Single(proposal.Nodes);
        Assert.Equal(FileEditKind.Delete, Assert.Single(planned.Edits).Kind);
        Assert.Null(planned.Edits[0].NewSha256);
        var worse = Assert.Single(planned.Prediction.Introduced, f => f.Rule == Plans.Rule);
        Assert.Equal(Severity.Critical, worse.Severity);
        Assert.True(proposal.AddsCritical);
        Assert.Contains(proposal.Risks, r => r.Id == "primary-changes" && r.Text.Contains("00-backup.conflist → 05-cilium.conflist", StringComparison.Ordinal));
        Assert.Null(proposal.Component);

        var draft = RemediationPlan.CreateDraft("rp-stray", Plans.Author, Plans.T0, proposal);
        var refusal = Assert.Throws<RemediationRefusal>(() => draft.Submit(Plans.Author, null, new ApprovalPolicy(), Plans.T0));
        Assert.Equal(RefusalCodes.AddsCritical, refusal.Code);
        Assert.Contains("node-stray", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predicting_applies_the_edits_in_memory_only()
    {
        var node = Plans.Incident();
        var before = node.Files.Select(f => (f.Name, f.Sha256, f.Content)).ToArray();

        var planned = Assert.Single(Plans.Propose(node).Nodes);
        var after = OutcomePredictor.Apply(node.Files, planned.Edits);

        Assert.Equal(before, node.Files.Select(f => (f.Name, f.Sha256, f.Content)));
        Assert.All(planned.Edits, e => Assert.Equal(e.NewSha256, after.Single(f => f.Name == e.File).Sha256));
        Assert.Equal(node.Files.Single(f => f.Name == Scenario.KubeconfigFile), after.Single(f => f.Name == Scenario.KubeconfigFile));
    }

    private static string DuplicateTwoPlugins(string conflist)
    {
        var config = Shared.Cni.CniConfigParser.Load("x.conflist", conflist).Config!;
        var portmap = config.Plugins.Single(p => p.Type == "portmap").Span;
        var linkerd = config.Plugins.Single(p => p.Type == "linkerd-cni").Span;
        var withLinkerd = conflist.Insert(linkerd.Start, conflist.Substring(linkerd.Start, linkerd.Length) + ",\n    ");
        return withLinkerd.Insert(portmap.Start, conflist.Substring(portmap.Start, portmap.Length) + ",\n    ");
    }
}

public sealed class OptionsTests
{
    [Fact]
    public void Options_that_could_not_run_are_refused_with_every_reason()
    {
        var bad = new RemediationOptions { VerificationWindow = TimeSpan.FromSeconds(1), ReadyTimeout = TimeSpan.FromHours(2), MaxUnhealthyNodes = 1, MaxNodesInFlight = 2 };

        Assert.Equal(3, bad.Problems().Count);
        Assert.Empty(new RemediationOptions().Problems());
        var refusal = Assert.Throws<RemediationRefusal>(() => RemediationPlan.CreateDraft("rp-1", Plans.Author, Plans.T0, Plans.Propose(Plans.Incident()), bad));
        Assert.Equal(RefusalCodes.InvalidPlan, refusal.Code);
        Assert.Contains("nodes in flight count as unhealthy", refusal.Message, StringComparison.Ordinal);
        Assert.Throws<RemediationRefusal>(() => Plans.Draft().ChangeOptions(Plans.Author, bad, Plans.T0));
    }

    [Fact]
    public void The_defaults_are_the_issues_cordon_60_s_one_node_at_a_time_canary_first()
    {
        var options = new RemediationOptions();

        Assert.Equal((true, TimeSpan.FromSeconds(60), 1, 1, true, false), (options.CordonNodes, options.VerificationWindow, options.MaxUnhealthyNodes, options.MaxNodesInFlight, options.CanaryFirst, options.HoldAfterCanary));
        Assert.Equal((true, 1, TimeSpan.FromHours(24)), (new ApprovalPolicy().TwoPersonRule, new ApprovalPolicy().RequiredApprovals, new ApprovalPolicy().Lifetime));
    }
}
