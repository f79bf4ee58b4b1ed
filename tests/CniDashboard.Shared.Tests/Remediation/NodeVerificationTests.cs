using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Tests.Analysis;

namespace CniDashboard.Shared.Tests.Remediation;

public sealed class NodeVerificationTests
{
    private static (NodeRemediation Node, RemediationOptions Options, DateTimeOffset Start) Verifying(RemediationOptions? options = null)
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(options, null, Plans.Incident("node-a")).RunUntilBegun("node-a", NodeStep.Verify, ref now);
        return (plan.NodeNamed("node-a"), plan.Options, now);
    }

    private static VerificationObservation Seen(DateTimeOffset now, IReadOnlyList<Finding>? findings = null, int sandboxFailures = 0, string? probe = null, IReadOnlyList<Shared.Cni.CniFolderFile>? files = null) =>
        new() { Now = now, Findings = findings ?? [], SandboxFailuresSinceWindowStart = sandboxFailures, ProbePodPhase = probe, Files = files ?? [] };

    [Fact]
    public void A_healthy_node_passes_only_once_the_window_is_over()
    {
        var (node, options, start) = Verifying();

        Assert.Equal(VerdictKind.Continue, NodeVerification.Judge(node, options, Seen(start.AddSeconds(30))).Kind);
        var passed = NodeVerification.Judge(node, options, Seen(start + options.VerificationWindow));
        Assert.Equal((VerdictKind.Passed, "finding gone and not back, no new sandbox failures"), (passed.Kind, passed.Message));
    }

    [Fact]
    public void The_stale_entry_written_back_fails_at_once_wherever_it_reappears()
    {
        var (node, options, start) = Verifying();
        var back = Plans.Finding(Plans.Rule, Severity.Critical, "05-cilium.conflist", "linkerd-cni") with { JsonPointer = "/plugins/5" };

        var verdict = NodeVerification.Judge(node, options, Seen(start.AddSeconds(5), [back]));

        Assert.Equal(VerdictKind.Failed, verdict.Kind);
        Assert.StartsWith("the finding is back", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_healthy_end_state_a_fresh_entry_bound_to_the_new_pod_passes()
    {
        var (node, options, start) = Verifying();
        // What the real analyzer says of the healthy reference folder (a linkerd-cni entry whose token is bound to the running pod).
        var healthy = Scenario.Healthy().Run().Findings;
        Assert.DoesNotContain(healthy, f => f.Rule == Plans.Rule);

        Assert.Equal(VerdictKind.Passed, NodeVerification.Judge(node, options, Seen(start + options.VerificationWindow, healthy)).Kind);
    }

    [Fact]
    public void New_sandbox_failures_or_an_unexpected_critical_finding_fail_and_each_can_be_turned_off()
    {
        var (node, options, start) = Verifying();
        var critical = Plans.Finding("plugin-binary-missing", Severity.Critical, "05-cilium.conflist", "portmap");

        Assert.Equal(VerdictKind.Failed, NodeVerification.Judge(node, options, Seen(start.AddSeconds(1), sandboxFailures: 1)).Kind);
        Assert.StartsWith("a critical finding the prediction did not expect", NodeVerification.Judge(node, options, Seen(start.AddSeconds(1), [critical])).Message, StringComparison.Ordinal);

        var lenient = options with { Success = new SuccessCriteria { NoNewSandboxFailures = false, NoUnexpectedCriticalFindings = false } };
        Assert.Equal(VerdictKind.Passed, NodeVerification.Judge(node, lenient, Seen(start + options.VerificationWindow, [critical], sandboxFailures: 3)).Kind);
    }

    [Fact]
    public void The_probe_pod_must_be_running_by_the_end_and_never_fail()
    {
        var (node, options, start) = Verifying(new RemediationOptions { Success = new SuccessCriteria { ProbePodRunning = true } });
        var end = start + options.VerificationWindow;
        Assert.Equal(RemediationKeys.ProbePodName(Plans.PlanId, "node-a", 1), node.ProbePod);

        Assert.Equal(VerdictKind.Continue, NodeVerification.Judge(node, options, Seen(start.AddSeconds(1), probe: "Pending")).Kind);
        Assert.Equal(VerdictKind.Failed, NodeVerification.Judge(node, options, Seen(start.AddSeconds(1), probe: "Failed")).Kind);
        Assert.Contains("did not reach Running", NodeVerification.Judge(node, options, Seen(end, probe: "Pending")).Message, StringComparison.Ordinal);
        Assert.Equal(VerdictKind.Passed, NodeVerification.Judge(node, options, Seen(end, probe: "Running")).Kind);
    }

    [Fact]
    public void A_rollback_fails_while_a_file_holds_what_the_plan_wrote_and_passes_when_it_holds_its_original_bytes_or_was_rewritten_since()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(null, null, Plans.Incident("node-a")).RunUntilBegun("node-a", NodeStep.Verify, ref now);
        plan = plan.FailStep("node-a", new StepFailure(StepFailureKind.VerificationFailed, NodeStep.Verify, "back", now), now).RollBackNode(Plans.Author, "node-a", now);
        plan = plan.RunUntilBegun("node-a", NodeStep.Verify, ref now);
        var node = plan.NodeNamed("node-a");
        var original = Fixture.Node("incident");
        var stillEdited = OutcomePredictor.Apply(original, node.Edits.Take(1).ToArray());

        Assert.Equal(VerdictKind.Passed, NodeVerification.JudgeRollback(node, Seen(node.WindowEnd!.Value, files: original)).Kind);
        var verdict = NodeVerification.JudgeRollback(node, Seen(node.WindowStart!.Value, files: stillEdited));
        Assert.Equal(VerdictKind.Failed, verdict.Kind);
        Assert.StartsWith($"{node.Edits[0].File} is not back to its original bytes", verdict.Message, StringComparison.Ordinal);

        // Re-written after the restore by another writer (the component re-inserting its entry): not the rollback's failure; said when it passes.
        var rewritten = original.Select(f => f.Name == node.Edits[0].File ? f with { Sha256 = new string('e', 64) } : f).ToArray();
        Assert.Equal(VerdictKind.Continue, NodeVerification.JudgeRollback(node, Seen(node.WindowStart!.Value, files: rewritten)).Kind);
        var passed = NodeVerification.JudgeRollback(node, Seen(node.WindowEnd!.Value, files: rewritten));
        Assert.Equal(VerdictKind.Passed, passed.Kind);
        Assert.Contains($"re-written since by another writer (e.g. the CNI component re-installing its entry), which the rollback leaves alone: {node.Edits[0].File} (now sha256 eeee", passed.Message, StringComparison.Ordinal);
    }
}
