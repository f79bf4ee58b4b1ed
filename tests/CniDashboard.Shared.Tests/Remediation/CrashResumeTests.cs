using System.Text.Json;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Shared.Tests.Remediation;

/// <summary>
/// The crash-safety property: an engine that persists the plan (as JSON) before and after every side
/// effect, and performs side effects with the plan's keys, can die after ANY operation — a persist or a
/// side effect whose result was not recorded yet — and, restarted from what was persisted, finishes the
/// plan with every file written exactly once, every pod restarted once, and no node left cordoned (or
/// annotated) without a record. The world here behaves as the real one does where it matters: the
/// agent replays a change id it has journaled, cordon and annotation are one patch.
/// </summary>
public sealed class CrashResumeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void After_a_crash_at_any_operation_the_resumed_engine_applies_nothing_twice_and_leaves_no_node_cordoned_unrecorded(bool firstNodeCordonedBefore)
    {
        var initial = Plans.Running(null, null, Plans.Incident("node-a", 30), Plans.Incident("node-b", 10));
        var cleanRun = new Run(initial, firstNodeCordonedBefore, crashAfter: -1);
        cleanRun.ToTheEnd();
        var operations = cleanRun.Operations;
        Assert.True(operations > 40, $"only {operations} operations: the run did not go through every step");

        for (var crashAfter = 1; crashAfter < operations; crashAfter++)
        {
            var run = new Run(initial, firstNodeCordonedBefore, crashAfter);
            Assert.Throws<Crash>(run.ToTheEnd);
            run.AssertNothingUnrecorded(crashAfter);

            run.Restart();
            run.ToTheEnd();

            run.AssertFinishedCleanly(firstNodeCordonedBefore, crashAfter);
        }
    }

    private sealed class Crash : Exception;

    /// <summary>One engine run against one world, dying after operation number <c>crashAfter</c>.</summary>
    private sealed class Run
    {
        private readonly Dictionary<string, WorldNode> _world;
        private int _crashAfter;
        private string _stored;
        private DateTimeOffset _now = Plans.T0.AddMinutes(3);

        public Run(RemediationPlan plan, bool firstCordoned, int crashAfter)
        {
            _crashAfter = crashAfter;
            _stored = Save(plan);
            _world = plan.Nodes.ToDictionary(n => n.Node, n => new WorldNode(n, Cordoned: firstCordoned && n.Node == plan.Nodes[0].Node));
        }

        public int Operations { get; private set; }

        public RemediationPlan Stored => Load(_stored);

        public void Restart() => _crashAfter = -1;

        public void ToTheEnd()
        {
            var plan = Stored;
            for (var guard = 0; guard < 1000 && !plan.State.IsFinal(); guard++) plan = Act(plan, plan.NextAction(_now));
            Assert.Equal(PlanState.Completed, plan.State);
        }

        /// <summary>At the moment of the crash: whatever the world shows, the stored plan accounts for it.</summary>
        public void AssertNothingUnrecorded(int crashAfter)
        {
            var plan = Stored;
            foreach (var (name, world) in _world)
            {
                var node = plan.NodeNamed(name);
                var recorded = node.Annotated || (node.Step == NodeStep.Prepare && node.StepInProgress) || (node.Step == NodeStep.Release && node.StepInProgress);
                if (world.Annotations.ContainsKey(RemediationKeys.PlanAnnotation))
                    Assert.True(recorded, $"crash after {crashAfter}: {name} carries the plan's annotation, and the stored plan has no record of it");
                if (world.Unschedulable && !world.CordonedBefore)
                {
                    Assert.Equal(Plans.PlanId, world.Annotations.GetValueOrDefault(RemediationKeys.PlanAnnotation));
                    Assert.True(recorded, $"crash after {crashAfter}: {name} is cordoned by the plan without a record");
                }
                Assert.All(world.Writes.Values, count => Assert.True(count <= 1, $"crash after {crashAfter}: a file of {name} was written twice"));
                // Every applied change the stored plan knows of is in the agent's journal (the reverse may lag by one).
                Assert.All(node.Applied, a => Assert.True(world.Journal.ContainsKey(a.ChangeId)));
            }
        }

        public void AssertFinishedCleanly(bool firstCordoned, int crashAfter)
        {
            var plan = Stored;
            foreach (var (name, world) in _world)
            {
                var node = plan.NodeNamed(name);
                Assert.Equal(NodeStatus.Fixed, node.Status);
                foreach (var edit in node.Edits)
                {
                    Assert.Equal(edit.NewContent, world.Files[edit.File]);
                    Assert.True(world.Writes[edit.File] == 1, $"crash after {crashAfter}: {name}/{edit.File} written {world.Writes[edit.File]} times");
                }
                Assert.True(world.PodDeletes == 1, $"crash after {crashAfter}: the {name} pod was deleted {world.PodDeletes} times");
                Assert.Empty(world.Annotations);
                Assert.Equal(world.CordonedBefore, world.Unschedulable);
                Assert.Equal(!world.CordonedBefore, node.CordonedByPlan);
            }
            Assert.Equal(firstCordoned, _world[plan.Nodes[0].Node].Unschedulable);
        }

        private RemediationPlan Act(RemediationPlan plan, EngineAction action)
        {
            var node = action.Node!;
            switch (action.Kind)
            {
                case EngineActionKind.Advance:
                    return Persist(plan.Advance(_now, FleetObservation.Calm));
                case EngineActionKind.Begin:
                    return Persist(action.Step switch
                    {
                        NodeStep.Prepare => plan.BeginPrepare(node, _world[node].Unschedulable, _now),
                        NodeStep.Apply => plan.BeginApply(node, _now),
                        NodeStep.RestartPod => plan.BeginRestart(node, _world[node].Pod, _now),
                        NodeStep.WaitReady => plan.BeginWaitReady(node, _now),
                        NodeStep.Verify => plan.BeginVerify(node, _now),
                        NodeStep.Release => plan.BeginRelease(node, _now),
                        _ => throw new InvalidOperationException($"unexpected {action.Step}"),
                    });
                case EngineActionKind.Perform:
                    return Perform(plan, node, action);
                default:
                    throw new InvalidOperationException($"the engine has nothing to do: {action}");
            }
        }

        /// <summary>Each side effect as the engine must make it: idempotent, checking the world first.</summary>
        private RemediationPlan Perform(RemediationPlan plan, string name, EngineAction action)
        {
            var world = _world[name];
            var node = plan.NodeNamed(name);
            switch (action.Step)
            {
                case NodeStep.Prepare:
                    if (world.Annotations.GetValueOrDefault(RemediationKeys.PlanAnnotation) != plan.Id)
                    {
                        if (world.Unschedulable != node.WasCordoned)
                        {
                            // The node changed since the intent was recorded and the patch never happened: record what it is now.
                            return Persist(plan.BeginPrepare(name, world.Unschedulable, _now));
                        }
                        var cordon = plan.Options.CordonNodes && node.WasCordoned == false;
                        SideEffect(() => world.Patch(plan.Id, cordon));
                    }
                    return Persist(plan.CompletePrepare(name, _now));
                case NodeStep.Apply:
                    var change = plan.CurrentChange(name)!;
                    var result = SideEffect(() => world.Apply(change, _now));
                    return Persist(plan.CompleteApply(name, result, _now));
                case NodeStep.RestartPod:
                    if (node.PodToRestart is { } pod && world.Pod.Uid == pod.Uid) SideEffect(world.DeletePod);
                    return Persist(plan.CompleteRestart(name, _now));
                case NodeStep.WaitReady:
                    return Persist(plan.CompleteWaitReady(name, world.Pod, _now));
                case NodeStep.Verify:
                    _now = action.Until!.Value;
                    return Persist(plan.CompleteVerify(name, _now));
                case NodeStep.Release:
                    if (world.Annotations.GetValueOrDefault(RemediationKeys.PlanAnnotation) == plan.Id) SideEffect(world.Release);
                    return Persist(plan.CompleteRelease(name, _now));
                default:
                    throw new InvalidOperationException($"unexpected {action.Step}");
            }
        }

        private RemediationPlan Persist(RemediationPlan next)
        {
            _stored = Save(next);
            Tick();
            return next;
        }

        private void SideEffect(Action effect) => SideEffect(() => { effect(); return 0; });

        private T SideEffect<T>(Func<T> effect)
        {
            var result = effect();
            Tick();
            return result;
        }

        private void Tick()
        {
            Operations++;
            if (Operations == _crashAfter) throw new Crash();
        }

        private static string Save(RemediationPlan plan) => JsonSerializer.Serialize(plan, RemediationJsonContext.Default.RemediationPlan);

        private static RemediationPlan Load(string json) => JsonSerializer.Deserialize(json, RemediationJsonContext.Default.RemediationPlan)!;
    }

    /// <summary>A node, its agent and its CNI pod, as the engine sees them through their APIs.</summary>
    private sealed class WorldNode
    {
        private int _pods;

        public WorldNode(NodeRemediation node, bool Cordoned)
        {
            CordonedBefore = Cordoned;
            Unschedulable = Cordoned;
            foreach (var edit in node.Edits)
            {
                Files[edit.File] = edit.OldContent;
                Writes[edit.File] = 0;
            }
            Pod = NewPod(node.Node);
        }

        public bool CordonedBefore { get; }

        public bool Unschedulable { get; private set; }

        public Dictionary<string, string> Annotations { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> Files { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Writes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, AppliedChange> Journal { get; } = new(StringComparer.Ordinal);

        public PodRef Pod { get; private set; }

        public int PodDeletes { get; private set; }

        /// <summary>Cordon (when asked) and annotate in one patch.</summary>
        public void Patch(string planId, bool cordon)
        {
            Annotations[RemediationKeys.PlanAnnotation] = planId;
            Annotations[RemediationKeys.CordonedAnnotation] = cordon ? "true" : "false";
            if (cordon) Unschedulable = true;
        }

        /// <summary>Uncordon (only when the annotation says the plan cordoned) and remove the annotations in one patch.</summary>
        public void Release()
        {
            if (Annotations.GetValueOrDefault(RemediationKeys.CordonedAnnotation) == "true") Unschedulable = false;
            Annotations.Clear();
        }

        /// <summary>The agent: a journaled change id is replayed, never written again; otherwise the expected hash must match.</summary>
        public AppliedChange Apply(NodeChange change, DateTimeOffset now)
        {
            if (Journal.TryGetValue(change.ChangeId, out var done)) return done;
            var current = Files[change.File] is { } text ? PlannedEdit.Sha256Of(text) : null;
            Assert.Equal(change.ExpectedSha256, current);
            var edit = change.Edit!;
            Files[change.File] = edit.Kind == FileEditKind.Delete ? null : edit.NewContent;
            Writes[change.File]++;
            var result = new AppliedChange(change.ChangeId, change.File, current, edit.NewSha256, $"backup-{Journal.Count}", now);
            Journal[change.ChangeId] = result;
            return result;
        }

        public void DeletePod()
        {
            PodDeletes++;
            Pod = NewPod(Pod.Name);
        }

        private PodRef NewPod(string node) => new("linkerd-cni", $"linkerd-cni-{node}", $"{node}-uid-{++_pods}");
    }
}
