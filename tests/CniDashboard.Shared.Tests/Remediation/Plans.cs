using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Tests.Analysis;

namespace CniDashboard.Shared.Tests.Remediation;

/// <summary>Plans built from the reference incident folder, through the real planner and the real transitions.</summary>
internal static class Plans
{
    public const string Rule = "mesh-token-pod-gone";
    public const string Author = "operator";
    public const string Approver = "approver";
    public const string Approver2 = "approver2";
    public const string PlanId = "rp-incident-1";

    public static readonly DateTimeOffset T0 = Scenario.IncidentTime;

    public static readonly StartConditions Clear = new(LeaseHeld: true);

    /// <summary>The incident node's files and facts under another name, with <paramref name="errors"/> sandbox failures.</summary>
    public static PlanNodeInput Incident(string node = "ip-10-0-12-34.us-west-2.compute.internal", int errors = 27)
    {
        var context = Scenario.IncidentContext;
        return new PlanNodeInput
        {
            Node = node,
            Files = Fixture.Node("incident"),
            Context = context with
            {
                Node = node,
                SandboxErrors = [.. context.SandboxErrors.Select(e => e with { Count = errors })],
            },
        };
    }

    public static PlanNodeInput Healthy(string node = "ip-10-0-40-1.us-west-2.compute.internal") =>
        new() { Node = node, Files = Fixture.Node("healthy"), Context = Scenario.HealthyContext with { Node = node } };

    public static PlanProposal Propose(params PlanNodeInput[] nodes) => Propose(new RemediationOptions(), nodes);

    public static PlanProposal Propose(RemediationOptions options, params PlanNodeInput[] nodes) =>
        RemediationPlanner.Default.Propose(new PlanRequest { Rule = Rule, Plugin = "linkerd-cni", Nodes = nodes, Now = T0, Options = options });

    /// <summary>The three incident nodes of the demo, errors descending by index.</summary>
    public static PlanNodeInput[] ThreeIncidentNodes() => [Incident("node-a", 5), Incident("node-b", 40), Incident("node-c", 12)];

    public static RemediationPlan Draft(RemediationOptions? options = null, params PlanNodeInput[] nodes)
    {
        options ??= new RemediationOptions();
        // Proposals are immutable: the three-node one is made once per set of options.
        var proposal = nodes.Length == 0 ? ThreeNodeProposals.GetOrAdd(options, o => Propose(o, ThreeIncidentNodes())) : Propose(options, nodes);
        return RemediationPlan.CreateDraft(PlanId, Author, T0, proposal);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<RemediationOptions, PlanProposal> ThreeNodeProposals = new();

    public static RemediationPlan Pending(RemediationOptions? options = null, ApprovalPolicy? policy = null, params PlanNodeInput[] nodes) =>
        Draft(options, nodes).Submit(Author, "fix the incident nodes", policy ?? new ApprovalPolicy(), T0.AddMinutes(1));

    public static RemediationPlan Approve(this RemediationPlan plan, string approver = Approver, DateTimeOffset? at = null, StandingGrant? standing = null) =>
        plan.Approve(approver, "looks right", [.. plan.Risks.Select(r => r.Id)], at ?? T0.AddMinutes(2), standing);

    public static RemediationPlan Approved(RemediationOptions? options = null, StandingGrant? standing = null, params PlanNodeInput[] nodes) =>
        Pending(options, null, nodes).Approve(standing: standing);

    public static RemediationPlan Running(RemediationOptions? options = null, StandingGrant? standing = null, params PlanNodeInput[] nodes) =>
        Approved(options, standing, nodes).Start(Author, T0.AddMinutes(3), Clear);

    /// <summary>Runs the engine's pure loop for a plan whose side effects all succeed at once (no I/O), until the plan needs a person or is final.</summary>
    public static RemediationPlan Drive(this RemediationPlan plan, ref DateTimeOffset now, FleetObservation? observed = null, int maxActions = 10_000)
    {
        for (var i = 0; i < maxActions; i++)
        {
            var action = plan.NextAction(now);
            var next = DoAction(plan, action, ref now, observed ?? FleetObservation.Calm);
            if (next is null) return plan;
            plan = next;
        }
        throw new InvalidOperationException("the plan did not settle");
    }

    /// <summary>One engine action with every side effect succeeding; null when the action is to wait for a person.</summary>
    public static RemediationPlan? DoAction(RemediationPlan plan, EngineAction action, ref DateTimeOffset now, FleetObservation observed)
    {
        switch (action.Kind)
        {
            case EngineActionKind.Advance:
                var advanced = plan.Advance(now, observed);
                return ReferenceEquals(advanced, plan) ? null : advanced;
            case EngineActionKind.Expire:
                return plan.Expire(now);
            case EngineActionKind.Begin:
                return Begin(plan, action.Node!, action.Step!.Value, now);
            case EngineActionKind.Perform:
                if (action.Until is { } until && until > now) now = until;
                return Succeed(plan, action.Node!, action.Step!.Value, now);
            default:
                return null;
        }
    }

    public static RemediationPlan Begin(RemediationPlan plan, string node, NodeStep step, DateTimeOffset now) => step switch
    {
        NodeStep.Prepare => plan.BeginPrepare(node, wasCordoned: false, now),
        NodeStep.Apply => plan.BeginApply(node, now),
        NodeStep.Restore => plan.BeginRestore(node, now),
        NodeStep.RestartPod => plan.BeginRestart(node, new PodRef("linkerd-cni", $"linkerd-cni-{node}", $"uid-old-{node}"), now),
        NodeStep.WaitReady => plan.BeginWaitReady(node, now),
        NodeStep.Verify => plan.BeginVerify(node, now),
        NodeStep.Release => plan.BeginRelease(node, now),
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    /// <summary>Completes the node's step in progress as if its side effect succeeded.</summary>
    public static RemediationPlan Succeed(RemediationPlan plan, string node, NodeStep step, DateTimeOffset now)
    {
        switch (step)
        {
            case NodeStep.Prepare:
                return plan.CompletePrepare(node, now);
            case NodeStep.Apply:
            {
                var change = plan.CurrentChange(node)!;
                return plan.CompleteApply(node, new AppliedChange(change.ChangeId, change.File, change.ExpectedSha256, change.Edit!.NewSha256, $"backup-{change.File}", now), now);
            }
            case NodeStep.Restore:
            {
                var change = plan.CurrentChange(node)!;
                var n = plan.NodeNamed(node);
                var original = n.Applied[n.Applied.Count - 1 - n.Restored.Count].PreviousSha256;
                return plan.CompleteRestore(node, new AppliedChange(change.ChangeId, change.File, change.ExpectedSha256, original, $"backup-undo-{change.File}", now), now);
            }
            case NodeStep.RestartPod:
                return plan.CompleteRestart(node, now);
            case NodeStep.WaitReady:
                return plan.CompleteWaitReady(node, new PodRef("linkerd-cni", $"linkerd-cni-{node}-new", $"uid-new-{node}"), now);
            case NodeStep.Verify:
                return plan.CompleteVerify(node, now);
            case NodeStep.Release:
                return plan.CompleteRelease(node, now);
            default:
                throw new ArgumentOutOfRangeException(nameof(step));
        }
    }

    /// <summary>Performs engine actions until <paramref name="node"/> is at <paramref name="step"/> with the step begun.</summary>
    public static RemediationPlan RunUntilBegun(this RemediationPlan plan, string node, NodeStep step, ref DateTimeOffset now)
    {
        for (var i = 0; i < 1000; i++)
        {
            var n = plan.Nodes.First(x => x.Node == node);
            if (n.Step == step && n.StepInProgress) return plan;
            plan = DoAction(plan, plan.NextAction(now), ref now, FleetObservation.Calm) ?? throw new InvalidOperationException($"the plan stopped before {node} began {step}: {plan.NextAction(now)}");
        }
        throw new InvalidOperationException("never reached");
    }

    public static Finding Finding(string rule, Severity severity, string? file = null, string? plugin = null) =>
        new() { Rule = rule, Severity = severity, File = file, Plugin = plugin, Message = $"{rule} on {file}", Explanation = "-", Remediation = "-" };
}
