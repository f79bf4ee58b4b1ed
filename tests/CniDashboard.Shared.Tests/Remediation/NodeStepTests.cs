using CniDashboard.Shared.Remediation;

namespace CniDashboard.Shared.Tests.Remediation;

public sealed class NodeStepTests
{
    private const string OnCall = "operator-on-call";

    [Fact]
    public void A_node_goes_prepare_apply_each_edit_restart_wait_verify_release_and_is_fixed()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(nodes: Plans.Incident("node-a"));
        var steps = new List<(NodeStep, EngineActionKind)>();

        for (var i = 0; i < 100 && plan.State == PlanState.Running; i++)
        {
            var action = plan.NextAction(now);
            if (action.Kind is EngineActionKind.Begin or EngineActionKind.Perform) steps.Add((action.Step!.Value, action.Kind));
            plan = Plans.DoAction(plan, action, ref now, FleetObservation.Calm)!;
        }

        NodeStep[] expected = [NodeStep.Prepare, NodeStep.Apply, NodeStep.Apply, NodeStep.RestartPod, NodeStep.WaitReady, NodeStep.Verify, NodeStep.Release];
        Assert.Equal(expected.SelectMany(s => new[] { (s, EngineActionKind.Begin), (s, EngineActionKind.Perform) }), steps);
        Assert.Equal(PlanState.Completed, plan.State);
        var node = Assert.Single(plan.Nodes);
        Assert.Equal((NodeStatus.Fixed, false, true, false), (node.Status, node.Annotated, node.CordonedByPlan, node.WasCordoned));
        Assert.Equal(node.Edits.Select(e => RemediationKeys.ChangeId(plan.Id, "node-a", e.File, RemediationKeys.ApplyOperation)), node.Applied.Select(a => a.ChangeId));
        Assert.Equal(node.Edits.Select(e => (e.ExpectedSha256, e.NewSha256)), node.Applied.Select(a => (a.PreviousSha256!, a.NewSha256)));
        Assert.Equal("uid-new-node-a", node.ReplacementPod!.Uid);
        Assert.Equal(node.WindowStart + plan.Options.VerificationWindow, node.WindowEnd);
    }

    [Fact]
    public void A_node_cordoned_before_the_plan_is_not_recorded_as_cordoned_by_it_nor_when_cordoning_is_off()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(nodes: Plans.Incident("node-a")).Advance(now, FleetObservation.Calm);

        var cordoned = plan.BeginPrepare("node-a", wasCordoned: true, now).CompletePrepare("node-a", now).NodeNamed("node-a");
        var off = Plans.Running(new RemediationOptions { CordonNodes = false }, null, Plans.Incident("node-a")).Advance(now, FleetObservation.Calm)
            .BeginPrepare("node-a", wasCordoned: false, now).CompletePrepare("node-a", now).NodeNamed("node-a");

        Assert.Equal((true, false, true), (cordoned.Annotated, cordoned.CordonedByPlan, cordoned.WasCordoned));
        Assert.Equal((true, false), (off.Annotated, off.CordonedByPlan));
    }

    [Fact]
    public void A_step_in_progress_is_never_begun_again_and_cannot_be_completed_as_another_step()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.Apply, ref now);

        Assert.Equal(RefusalCodes.InvalidState, Assert.Throws<RemediationRefusal>(() => plan.BeginApply("node-b", now)).Code);
        Assert.Throws<RemediationRefusal>(() => plan.CompleteRestart("node-b", now));
        Assert.Throws<RemediationRefusal>(() => plan.CompletePrepare("node-b", now));
        Assert.Throws<RemediationRefusal>(() => plan.BeginApply("node-a", now));
        Assert.Equal(new EngineAction(EngineActionKind.Perform, "node-b", NodeStep.Apply, null, "step in progress"), plan.NextAction(now));
    }

    [Fact]
    public void An_apply_result_that_is_not_the_reviewed_change_is_refused()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.Apply, ref now);
        var change = plan.CurrentChange("node-b")!;

        var otherBytes = new AppliedChange(change.ChangeId, change.File, change.ExpectedSha256, new string('c', 64), "b1", now);
        var otherId = new AppliedChange("rp-incident-1.apply.000000000000000000000000", change.File, change.ExpectedSha256, change.Edit!.NewSha256, "b1", now);

        Assert.Throws<RemediationRefusal>(() => plan.CompleteApply("node-b", otherBytes, now));
        Assert.Throws<RemediationRefusal>(() => plan.CompleteApply("node-b", otherId, now));
    }

    [Fact]
    public void Verification_cannot_pass_before_its_window_ends_and_the_deleted_pod_is_no_replacement()
    {
        var now = Plans.T0.AddMinutes(3);
        var waiting = Plans.Running().RunUntilBegun("node-b", NodeStep.WaitReady, ref now);
        var deleted = waiting.NodeNamed("node-b").PodToRestart!;
        Assert.Throws<RemediationRefusal>(() => waiting.CompleteWaitReady("node-b", deleted, now));

        var verifying = waiting.RunUntilBegun("node-b", NodeStep.Verify, ref now);
        var end = verifying.NodeNamed("node-b").WindowEnd!.Value;
        Assert.Equal(new EngineAction(EngineActionKind.Perform, "node-b", NodeStep.Verify, end, "step in progress"), verifying.NextAction(now));
        Assert.Throws<RemediationRefusal>(() => verifying.CompleteVerify("node-b", end.AddSeconds(-1)));
        Assert.Equal(NodeStep.Release, verifying.CompleteVerify("node-b", end).NodeNamed("node-b").Step);
    }

    [Fact]
    public void A_failed_step_pauses_the_plan_and_a_resume_retries_that_step()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.Apply, ref now);
        var change = plan.CurrentChange("node-b")!;

        var failed = plan.FailStep("node-b", new StepFailure(StepFailureKind.FileChanged, NodeStep.Apply, "the file changed since review", now, change.File, new string('d', 64)), now);

        Assert.Equal((PlanState.Paused, PauseReason.StepFailed), (failed.State, failed.PauseReason));
        var node = failed.NodeNamed("node-b");
        Assert.Equal((NodeStatus.Failed, NodeStatus.Fixing, NodeStep.Apply, false), (node.Status, node.FailedWhile, node.Step, node.StepInProgress));
        Assert.Equal(new string('d', 64), node.Failure!.CurrentSha256);
        Assert.Equal((PlanActions.StepFailed, "node-b"), (failed.LastEvent!.Action, failed.LastEvent.Node));
        Assert.Equal(EngineActionKind.None, failed.NextAction(now).Kind);

        var resumed = failed.Resume(Plans.Author, now, Plans.Clear);
        Assert.Equal(PlanState.Running, resumed.State);
        Assert.Equal(new EngineAction(EngineActionKind.Begin, "node-b", NodeStep.Apply, Reason: "Fixing"), resumed.NextAction(now));
        Assert.Equal(2, resumed.BeginApply("node-b", now).NodeNamed("node-b").Attempt);
        Assert.Equal(change, resumed.CurrentChange("node-b"));
    }

    [Fact]
    public void Skipping_a_failed_node_releases_it_and_the_plan_goes_on_with_the_next()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.RestartPod, ref now);
        var failed = plan.FailStep("node-b", new StepFailure(StepFailureKind.KubernetesApi, NodeStep.RestartPod, "403", now), now);

        var skipped = failed.SkipNode(Plans.Author, "node-b", now);
        Assert.Equal(PlanState.Running, skipped.State);
        Assert.Equal((NodeStatus.Releasing, NodeStatus.Skipped, NodeStep.Release), (skipped.NodeNamed("node-b").Status, skipped.NodeNamed("node-b").ReleaseTo, skipped.NodeNamed("node-b").Step));
        Assert.Contains("the edits applied stay", skipped.LastEvent!.Detail, StringComparison.Ordinal);

        var done = skipped.Drive(ref now);
        Assert.Equal(PlanState.Completed, done.State);
        Assert.Equal((NodeStatus.Skipped, false, 2), (done.NodeNamed("node-b").Status, done.NodeNamed("node-b").Annotated, done.NodeNamed("node-b").Applied.Count));
        Assert.All(done.Nodes.Where(n => n.Node != "node-b"), n => Assert.Equal(NodeStatus.Fixed, n.Status));
    }

    [Fact]
    public void Rolling_back_a_failed_node_restores_its_files_newest_first_then_pauses_again()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.Verify, ref now);
        var failed = plan.FailStep("node-b", new StepFailure(StepFailureKind.VerificationFailed, NodeStep.Verify, "the finding is back", now), now);

        var rolling = failed.RollBackNode(Plans.Author, "node-b", now);
        Assert.Equal(NodeStep.Restore, rolling.NodeNamed("node-b").Step);
        var applied = rolling.NodeNamed("node-b").Applied;
        Assert.Equal(
            new NodeChange(RemediationKeys.ChangeId(plan.Id, "node-b", applied[1].File, RemediationKeys.RestoreOperation), applied[1].File, applied[1].NewSha256, null, applied[1].BackupId),
            rolling.CurrentChange("node-b"));

        var back = rolling.Drive(ref now);
        var node = back.NodeNamed("node-b");
        Assert.Equal((PlanState.Paused, PauseReason.NodeRolledBack), (back.State, back.PauseReason));
        Assert.Equal(NodeStatus.RolledBack, node.Status);
        Assert.Equal(applied.Reverse().Select(a => (a.File, a.PreviousSha256)), node.Restored.Select(r => (r.File, r.NewSha256)));
        Assert.False(node.Annotated);
        Assert.Equal([NodeStatus.Pending, NodeStatus.Pending], back.Nodes.Where(n => n.Node != "node-b").Select(n => n.Status));
    }

    [Fact]
    public void A_rollback_restores_and_verifies_the_files_without_restarting_the_component()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(nodes: Plans.Incident("node-a")).RunUntilBegun("node-a", NodeStep.Verify, ref now);
        plan = plan.FailStep("node-a", new StepFailure(StepFailureKind.VerificationFailed, NodeStep.Verify, "the entry is back", now), now).RollBackNode(Plans.Author, "node-a", now);
        var steps = new List<NodeStep>();
        for (var i = 0; i < 100 && plan.State == PlanState.Running; i++)
        {
            var action = plan.NextAction(now);
            if (action.Kind == EngineActionKind.Begin) steps.Add(action.Step!.Value);
            plan = Plans.DoAction(plan, action, ref now, FleetObservation.Calm)!;
        }

        // A restarted CNI pod would re-install its entry into the restored files (or, on the incident's
        // original chain, not start at all): the rollback leaves the running pod alone.
        Assert.Equal([NodeStep.Restore, NodeStep.Restore, NodeStep.Verify, NodeStep.Release], steps);
        Assert.Equal(NodeStatus.RolledBack, plan.NodeNamed("node-a").Status);
    }

    [Fact]
    public void A_restore_refused_because_the_file_changed_is_forced_only_with_a_reason_and_the_hash_the_operator_reviewed()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(nodes: Plans.Incident("node-a")).RunUntilBegun("node-a", NodeStep.Verify, ref now);
        plan = plan.FailStep("node-a", new StepFailure(StepFailureKind.VerificationFailed, NodeStep.Verify, "the entry is back", now), now)
            .RollBackNode(Plans.Author, "node-a", now).RunUntilBegun("node-a", NodeStep.Restore, ref now);
        var change = plan.CurrentChange("node-a")!;
        const string reinstalled = "1111111111111111111111111111111111111111111111111111111111111111";
        var paused = plan.FailStep("node-a", new StepFailure(StepFailureKind.FileChanged, NodeStep.Restore, "changed", now, change.File, reinstalled), now);

        Assert.Equal(RefusalCodes.CommentRequired, Assert.Throws<RemediationRefusal>(() => paused.RestoreAnyway(Plans.Author, "node-a", reinstalled, " ", now, Plans.Clear)).Code);
        Assert.Equal(RefusalCodes.FileChangedAgain, Assert.Throws<RemediationRefusal>(() => paused.RestoreAnyway(Plans.Author, "node-a", change.ExpectedSha256, "ok", now, Plans.Clear)).Code);
        Assert.Equal(RefusalCodes.LeaseNotHeld, Assert.Throws<RemediationRefusal>(() => paused.RestoreAnyway(Plans.Author, "node-a", reinstalled, "ok", now, new StartConditions(LeaseHeld: false))).Code);
        var verifyFailed = plan.FailStep("node-a", new StepFailure(StepFailureKind.AgentUnavailable, NodeStep.Restore, "down", now, change.File), now);
        Assert.Equal(RefusalCodes.InvalidState, Assert.Throws<RemediationRefusal>(() => verifyFailed.RestoreAnyway(Plans.Author, "node-a", null, "ok", now, Plans.Clear)).Code);

        var forced = paused.RestoreAnyway(OnCall, "node-a", reinstalled, "linkerd-cni re-installed its entry; we go back to the original chain", now, Plans.Clear);
        Assert.Equal((PlanState.Running, PlanActions.RestoreForced, OnCall, NodeStep.Restore), (forced.State, forced.LastEvent!.Action, forced.LastEvent.Actor, forced.LastEvent.Step));
        Assert.Contains(reinstalled, forced.LastEvent.Detail, StringComparison.Ordinal);
        Assert.Equal(paused.Version + 1, forced.Version);
        // The same restore (same change id), now expecting what the operator reviewed; the plan hash is unchanged.
        Assert.Equal(change with { ExpectedSha256 = reinstalled }, forced.CurrentChange("node-a"));
        Assert.Equal(plan.Sha256(), forced.Sha256());
        var o = Assert.Single(forced.NodeNamed("node-a").RestoreOverrides);
        Assert.Equal((change.ChangeId, reinstalled, change.ExpectedSha256, OnCall), (o.ChangeId, o.ExpectedSha256, o.PlanWroteSha256, o.By));

        var back = forced.Drive(ref now);
        Assert.Equal(NodeStatus.RolledBack, back.NodeNamed("node-a").Status);
    }

    [Fact]
    public void Rolling_the_plan_back_finishes_the_step_in_progress_then_restores_every_changed_node_newest_first()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-a", NodeStep.Apply, ref now);
        Assert.Equal([NodeStatus.Fixed, NodeStatus.Fixed, NodeStatus.Fixing], plan.Nodes.Select(n => n.Status));

        var rolling = plan.RollBack(Plans.Author, now);
        Assert.Equal(EngineActionKind.Perform, rolling.NextAction(now).Kind);
        var events = new List<PlanEvent>();
        for (var i = 0; i < 200 && !rolling.State.IsFinal(); i++)
        {
            rolling = Plans.DoAction(rolling, rolling.NextAction(now), ref now, FleetObservation.Calm)!;
            events.Add(rolling.LastEvent!);
        }

        Assert.Equal(PlanState.RolledBack, rolling.State);
        Assert.All(rolling.Nodes, n => Assert.Equal((NodeStatus.RolledBack, n.Applied.Count), (n.Status, n.Restored.Count)));
        Assert.Single(rolling.NodeNamed("node-a").Applied);
        var restoredOrder = events.Where(e => e.Step == NodeStep.Restore && e.Files is not null).Select(e => e.Node!).Distinct().ToArray();
        Assert.Equal(["node-a", "node-c", "node-b"], restoredOrder);
    }

    [Fact]
    public void Aborting_finishes_the_apply_in_progress_releases_the_node_and_keeps_the_edits()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-c", NodeStep.Apply, ref now);

        var aborting = plan.Abort(Plans.Author, "enough for today", now);
        Assert.Equal(PlanState.Aborting, aborting.State);
        Assert.Equal((EngineActionKind.Perform, NodeStep.Apply), (aborting.NextAction(now).Kind, aborting.NextAction(now).Step));

        var aborted = aborting.Drive(ref now);
        Assert.Equal(PlanState.Aborted, aborted.State);
        var node = aborted.NodeNamed("node-c");
        Assert.Equal((NodeStatus.Stopped, false, 1, 0), (node.Status, node.Annotated, node.Applied.Count, node.Restored.Count));
        Assert.Equal(NodeStatus.Pending, aborted.NodeNamed("node-a").Status);
    }

    [Fact]
    public void Aborting_cuts_a_verification_short_it_has_no_side_effect_to_finish()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.Verify, ref now);

        var aborting = plan.Abort(Plans.Author, null, now);

        Assert.Equal((NodeStatus.Releasing, NodeStep.Release, false), (aborting.NodeNamed("node-b").Status, aborting.NodeNamed("node-b").Step, aborting.NodeNamed("node-b").StepInProgress));
        Assert.Equal(new EngineAction(EngineActionKind.Begin, "node-b", NodeStep.Release, Reason: "Releasing"), aborting.NextAction(now));
    }

    [Fact]
    public void The_plan_pauses_after_the_canary_when_asked_once()
    {
        var now = Plans.T0.AddMinutes(3);
        var held = Plans.Running(new RemediationOptions { HoldAfterCanary = true }).Drive(ref now);

        Assert.Equal((PlanState.Paused, PauseReason.CanaryHold), (held.State, held.PauseReason));
        Assert.Equal([NodeStatus.Fixed, NodeStatus.Pending, NodeStatus.Pending], held.Nodes.Select(n => n.Status));
        Assert.Equal("node-b", held.Nodes[0].Node);

        var done = held.Resume(Plans.Author, now, Plans.Clear).Drive(ref now);
        Assert.Equal(PlanState.Completed, done.State);
    }

    [Fact]
    public void A_fixed_node_that_turns_unhealthy_stops_the_plan_at_the_blast_radius()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-c", NodeStep.Prepare, ref now);
        plan = Plans.DoAction(plan, plan.NextAction(now), ref now, FleetObservation.Calm)!;
        plan = plan.Drive(ref now, new FleetObservation(new HashSet<string> { "node-b" }));

        Assert.Equal((PlanState.Paused, PauseReason.BlastRadius), (plan.State, plan.PauseReason));
        Assert.Contains("node-b", plan.PauseDetail, StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Pending, plan.NodeNamed("node-a").Status);
    }

    [Fact]
    public void With_room_for_two_unhealthy_nodes_two_run_at_once_after_the_canary()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(new RemediationOptions { MaxNodesInFlight = 2, MaxUnhealthyNodes = 2 });

        plan = plan.Advance(now, FleetObservation.Calm);
        Assert.Same(plan, plan.Advance(now, FleetObservation.Calm));
        plan = plan.RunUntilBegun("node-c", NodeStep.Prepare, ref now);
        Assert.Equal(EngineActionKind.Advance, plan.NextActions(now)[^1].Kind);
        plan = plan.Advance(now, FleetObservation.Calm);
        plan = plan.BeginPrepare("node-a", wasCordoned: false, now);

        Assert.Equal([NodeStatus.Fixed, NodeStatus.Fixing, NodeStatus.Fixing], plan.Nodes.Select(n => n.Status));
        Assert.Equal(2, plan.NextActions(now).Count(a => a.Kind is EngineActionKind.Begin or EngineActionKind.Perform));
    }

    [Fact]
    public void A_running_plan_holding_a_failed_node_and_nothing_in_flight_waits_instead_of_scheduling()
    {
        var now = Plans.T0.AddMinutes(3);
        var paused = Plans.Running(nodes: Plans.Incident("node-a")).RunUntilBegun("node-a", NodeStep.Apply, ref now)
            .FailStep("node-a", new StepFailure(StepFailureKind.AgentUnavailable, NodeStep.Apply, "connection refused", now), now);

        // Transitions never leave a running plan like this; should it ever happen, the engine must wait, not spin on Advance.
        var running = paused with { State = PlanState.Running, PauseReason = null, PausedFrom = null };

        Assert.Same(running, running.Advance(now, FleetObservation.Calm));
        Assert.Equal(EngineAction.Idle("a failed node waits for an operator"), running.NextAction(now));
    }

    [Fact]
    public void Kureds_lock_pauses_the_plan_between_nodes_and_a_resume_is_refused_while_it_is_held()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().Drive(ref now, new FleetObservation(new HashSet<string>(), KuredLockHolder: "node-x"));

        Assert.Equal((PlanState.Paused, PauseReason.KuredLockHeld), (plan.State, plan.PauseReason));
        Assert.All(plan.Nodes, n => Assert.Equal(NodeStatus.Pending, n.Status));
        Assert.Equal(RefusalCodes.KuredLockHeld, Assert.Throws<RemediationRefusal>(() => plan.Resume(Plans.Author, now, new StartConditions(true, "node-x"))).Code);
        Assert.Equal(PlanState.Completed, plan.Resume(Plans.Author, now, Plans.Clear).Drive(ref now).State);
    }

    [Fact]
    public void A_pause_requested_during_a_side_effect_still_records_it_then_waits()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running().RunUntilBegun("node-b", NodeStep.RestartPod, ref now).Pause(Plans.Author, now);

        Assert.Equal((EngineActionKind.Perform, NodeStep.RestartPod), (plan.NextAction(now).Kind, plan.NextAction(now).Step));
        var recorded = plan.CompleteRestart("node-b", now);

        Assert.Equal((PlanState.Paused, NodeStep.WaitReady), (recorded.State, recorded.NodeNamed("node-b").Step));
        Assert.Equal(EngineActionKind.None, recorded.NextAction(now).Kind);
        Assert.Throws<RemediationRefusal>(() => recorded.BeginWaitReady("node-b", now));
    }

    [Fact]
    public void A_fix_that_restarts_nothing_goes_from_the_edits_straight_to_verification()
    {
        var now = Plans.T0.AddMinutes(3);
        var plan = Plans.Running(nodes: Plans.Incident("node-a")) with { Component = null };

        plan = plan.RunUntilBegun("node-a", NodeStep.Apply, ref now);
        plan = Plans.Succeed(plan, "node-a", NodeStep.Apply, now);
        plan = Plans.Succeed(plan.BeginApply("node-a", now), "node-a", NodeStep.Apply, now);

        Assert.Equal(NodeStep.Verify, plan.NodeNamed("node-a").Step);
    }
}
