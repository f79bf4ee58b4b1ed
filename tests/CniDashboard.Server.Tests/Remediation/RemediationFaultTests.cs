using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Tests.Remediation;

/// <summary>
/// Faults on the real simulated cluster, each on its own incident node and each ending its plan: a
/// file edited between review and apply, an agent that goes down, a verification that fails and the
/// rollback after it.
/// </summary>
public sealed class RemediationFaultTests(RemediationDashboard dashboard) : IClassFixture<RemediationDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Run = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_file_edited_between_review_and_apply_is_not_written_pauses_the_plan_and_a_rollback_puts_back_the_original_bytes_without_restarting_the_pod()
    {
        var node = dashboard.IncidentNodes[0];
        var rule = await dashboard.WaitForIncidentAsync(node);
        var plan = await dashboard.ApprovedPlanAsync(rule, [node.Name]);
        var edits = plan.Nodes[0].Edits;
        Assert.True(edits.Count >= 2, "the incident node needs edits to two files");
        var originals = edits.ToDictionary(e => e.File, e => Sha256(Path.Combine(node.CniDir, e.File)));

        // Someone edits the second file after the review: same meaning, other bytes.
        var edited = edits[^1];
        await File.AppendAllTextAsync(Path.Combine(node.CniDir, edited.File), "\n", Ct);
        originals[edited.File] = Sha256(Path.Combine(node.CniDir, edited.File));
        var operatorService = dashboard.As(RemediationDashboard.Operator);
        // Held still: once the first file is fixed, the node's stuck linkerd-cni pod would start and re-write
        // the edited file in its own layout (the reviewed bytes again) before the plan reaches it.
        var scale = dashboard.Cluster.TimeScale;
        dashboard.Cluster.SetTimeScale(0.001);
        try
        {
            await operatorService.StartAsync(plan.Id, Ct);
            var paused = await dashboard.WaitForStateAsync(plan.Id, Run, PlanState.Paused, PlanState.Completed);
            var n = paused.NodeNamed(node.Name);
            Assert.Equal(PlanState.Paused, paused.State);
            Assert.Equal(NodeStatus.Failed, n.Failure is null ? NodeStatus.Pending : n.Status);
            Assert.Equal(StepFailureKind.FileChanged, n.Failure!.Kind);
            Assert.Equal(edited.File, n.Failure.File);
            Assert.Equal(originals[edited.File], n.Failure.CurrentSha256);
            Assert.Equal(edits.Count - 1, n.Applied.Count);
            var journal = JournalChangeIds(node.BackupDir);
            Assert.DoesNotContain(RemediationKeys.ChangeId(plan.Id, node.Name, edited.File, RemediationKeys.ApplyOperation), journal);
            Assert.Equal(1, journal.Count(id => id == n.Applied[0].ChangeId));
            var log = await dashboard.As(RemediationDashboard.Viewer).GetLogAsync(plan.Id, Ct);
            Assert.Contains(log, l => l.Action == "remediation.step.failed" && l.Outcome == "failed" && l.Node == node.Name);
            // The failed node is still the plan's (its pages show "fix paused"), until an operator decides.
            var listed = await dashboard.As(RemediationDashboard.Viewer).ListAsync(new PlanListQuery { States = [PlanState.Paused] }, Ct);
            Assert.Equal([node.Name], listed.Single(p => p.Id == plan.Id).NodesInFlight);

            // Roll back: the file the plan wrote is restored from its backup, byte for byte; the edited one was
            // never touched. (With the chain fixed, the stuck linkerd-cni pod may start meanwhile and re-install
            // its entry into the file the plan wrote: the agent refuses that restore, and an operator forces it.)
            await operatorService.ControlAsync(plan.Id, new PlanControl { Kind = PlanControlKind.RollBack }, Ct);
            var (ended, _) = await ForceThroughConflictsAsync(plan.Id, node.Name, edits.Count, "back to the bytes before the plan");
            var rolling = ended.NodeNamed(node.Name);
            // The original bytes are the incident's chain: a restarted linkerd-cni pod could not get a
            // sandbox on it, so the rollback leaves the running pod alone, verifies the bytes and releases the node.
            Assert.Equal((PlanState.RolledBack, NodeStatus.RolledBack), (ended.State, rolling.Status));
            Assert.Null(rolling.PodToRestart); // the fix stopped before its restart, and the rollback restarts nothing
            Assert.Equal(rolling.Applied[0].PreviousSha256, rolling.Restored[0].NewSha256);
            Assert.Equal(originals[rolling.Applied[0].File], rolling.Restored[0].NewSha256);
            Assert.NotEqual(rolling.Applied[0].NewSha256, Sha256(Path.Combine(node.CniDir, rolling.Applied[0].File)));
            Assert.Equal(originals[edited.File], Sha256(Path.Combine(node.CniDir, edited.File)));
        }
        finally
        {
            dashboard.Cluster.SetTimeScale(scale);
            await EndAsync(plan.Id);
        }
        AssertReleased(node.Name);
    }

    [Fact]
    public async Task An_agent_that_is_down_pauses_the_plan_and_after_it_is_back_a_resume_finishes_writing_each_file_once_and_webhooks_tell_each_milestone()
    {
        var node = dashboard.IncidentNodes[1];
        var rule = await dashboard.WaitForIncidentAsync(node);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var json = await dashboard.AddWebhookAsync(new Uri(receiver.Url, "hooks/json"), "json");
        await using var slack = await dashboard.AddWebhookAsync(new Uri(receiver.Url, "hooks/slack"), "slack");
        var plan = await dashboard.ApprovedPlanAsync(rule, [node.Name]);
        var agentPod = dashboard.Get<ClusterState>().AgentPodFor(node.Name)!;
        var address = agentPod.PodIp!;

        // The agent goes away: its pod's address answers nothing.
        SetPodIp(agentPod, "127.250.250.250");
        await Eventually.WaitAsync(() => dashboard.Get<ClusterState>().AgentPodFor(node.Name)?.PodIp == "127.250.250.250", "the dashboard to see the agent's new address");
        var operatorService = dashboard.As(RemediationDashboard.Operator);
        await operatorService.StartAsync(plan.Id, Ct);
        var paused = await dashboard.WaitForStateAsync(plan.Id, Run, PlanState.Paused, PlanState.Completed);
        var n = paused.NodeNamed(node.Name);
        SetPodIp(agentPod, address);
        Assert.Equal(StepFailureKind.AgentUnavailable, n.Failure!.Kind);
        Assert.Equal(NodeStep.Apply, n.Failure.Step);

        // Back, and resumed: the plan finishes; each file written exactly once.
        await Eventually.WaitAsync(() => dashboard.Get<ClusterState>().AgentPodFor(node.Name)?.PodIp == address, "the dashboard to see the agent back");
        await operatorService.ControlAsync(plan.Id, new PlanControl { Kind = PlanControlKind.Resume }, Ct);
        var done = await dashboard.WaitForStateAsync(plan.Id, Run, PlanState.Completed, PlanState.Paused);
        Assert.True(done.State == PlanState.Completed, $"paused again: {done.PauseDetail}");
        var journal = JournalChangeIds(node.BackupDir);
        foreach (var applied in done.NodeNamed(node.Name).Applied) Assert.Equal(1, journal.Count(id => id == applied.ChangeId));
        Assert.Equal(done.NodeNamed(node.Name).Edits.Count, done.NodeNamed(node.Name).Applied.Count);
        AssertReleased(node.Name);

        // Posted over HTTP as JSON: one body per milestone, in order, with the plan's facts; and Slack's {"text"} shape.
        string[] milestones = ["submitted", "approved", "paused", "finished"];
        await Eventually.WaitAsync(() => Posted(receiver, "/hooks/json", plan.Id).Count == milestones.Length && Posted(receiver, "/hooks/slack", plan.Id).Count == milestones.Length,
            "a JSON and a Slack post for each milestone");
        // Each post is on its own: they may arrive out of order; the event time orders them.
        var bodies = Posted(receiver, "/hooks/json", plan.Id).OrderBy(b => b["at"]!.GetValue<DateTimeOffset>()).ThenBy(b => Array.IndexOf(milestones, (string?)b["event"])).ToList();
        Assert.Equal(milestones, bodies.Select(b => (string?)b["event"]));
        Assert.All(receiver.Received.Where(r => r.Path.StartsWith("/hooks/", StringComparison.Ordinal)), r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
        Assert.Equal(("PendingApproval", "remediation.plan.submitted", RemediationDashboard.Operator.Subject, rule, 1), ((string?)bodies[0]["state"], (string?)bodies[0]["action"], (string?)bodies[0]["actor"], (string?)bodies[0]["rule"], (int?)bodies[0]["nodes"]));
        Assert.Equal(("Approved", RemediationDashboard.Approver.Subject), ((string?)bodies[1]["state"], (string?)bodies[1]["actor"]));
        Assert.Equal(("Paused", "remediation.step.failed", node.Name), ((string?)bodies[2]["state"], (string?)bodies[2]["action"], (string?)bodies[2]["node"]));
        Assert.Contains("did not answer", (string?)bodies[2]["detail"], StringComparison.Ordinal);
        Assert.Equal(("Completed", "remediation.plan.completed", 1), ((string?)bodies[3]["state"], (string?)bodies[3]["action"], (int?)bodies[3]["nodesFixed"]));
        var texts = Posted(receiver, "/hooks/slack", plan.Id).Select(b => Assert.Single(b.AsObject()).Value!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < milestones.Length; i++)
        {
            var text = (string)bodies[i]["text"]!;
            Assert.StartsWith($"CNI Dashboard plan {plan.Id} ({rule}, 1 node(s)) {milestones[i]}: ", text, StringComparison.Ordinal);
            Assert.Contains(text, texts);
        }
        Assert.DoesNotContain(receiver.Received, r => r.Body?.ToJsonString().Contains("eyJ", StringComparison.Ordinal) == true); // no token
    }

    /// <summary>The bodies posted to <paramref name="path"/> about <paramref name="planId"/>, in order.</summary>
    private static List<JsonNode> Posted(WebhookReceiver receiver, string path, string planId) =>
        [.. receiver.Received.Where(r => r.Path == path && r.Body is not null && (((string?)r.Body["plan"]) == planId || ((string?)r.Body["text"])?.Contains($"plan {planId} ", StringComparison.Ordinal) == true)).Select(r => r.Body!)];

    [Fact]
    public async Task A_verification_that_fails_pauses_the_plan_and_a_rollback_never_overwrites_what_changed_since_the_plan_wrote_it()
    {
        var node = dashboard.IncidentNodes[2];
        var rule = await dashboard.WaitForIncidentAsync(node);
        var plan = await dashboard.ApprovedPlanAsync(rule, [node.Name]);
        var kubeconfig = Path.Combine(node.CniDir, "ZZZ-linkerd-cni-kubeconfig");
        var staleKubeconfig = await File.ReadAllBytesAsync(kubeconfig, Ct);
        var operatorService = dashboard.As(RemediationDashboard.Operator);
        try
        {
            await operatorService.StartAsync(plan.Id, Ct);

            // While the node is being verified, something writes the stale token back: the finding returns.
            await Eventually.WaitAsync(async () => (await operatorService.GetAsync(plan.Id, Ct))!.NodeNamed(node.Name) is { Step: NodeStep.Verify, StepInProgress: true }, "the node's verification to begin", Run);
            await File.WriteAllBytesAsync(kubeconfig, staleKubeconfig, Ct);
            var paused = await dashboard.WaitForStateAsync(plan.Id, Run, PlanState.Paused, PlanState.Completed);
            var n = paused.NodeNamed(node.Name);
            Assert.Equal(PlanState.Paused, paused.State);
            Assert.Equal(StepFailureKind.VerificationFailed, n.Failure!.Kind);
            Assert.Contains("finding is back", n.Failure.Message, StringComparison.Ordinal);

            // Someone changed the files the plan wrote since (a setting added by hand): the rollback refuses to
            // overwrite them (the agent's precondition) and pauses with what they hold now. (The running
            // linkerd-cni may re-write an edited file in its own layout, keeping the setting; a file it re-wrote
            // to exactly its bytes from before the plan needs no restore at all: RemediationRollbackTests.)
            foreach (var a in n.Applied)
            {
                var path = Path.Combine(node.CniDir, a.File);
                var list = JsonNode.Parse(await File.ReadAllTextAsync(path, Ct))!;
                list["plugins"]![0]!["hand-edit"] = true;
                await File.WriteAllTextAsync(path, list.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), Ct);
            }
            await operatorService.ControlAsync(plan.Id, new PlanControl { Kind = PlanControlKind.RollBack }, Ct);
            var refused = await dashboard.WaitForStateAsync(plan.Id, Run, PlanState.Paused, PlanState.RolledBack);
            var r = refused.NodeNamed(node.Name);
            Assert.True(r.Failure is { Kind: StepFailureKind.FileChanged, Step: NodeStep.Restore }, $"{refused.State}: {r.Failure?.Kind} at {r.Failure?.Step}: {r.Failure?.Message}");
            Assert.Contains("hand-edit", await File.ReadAllTextAsync(Path.Combine(node.CniDir, r.Failure!.File!), Ct), StringComparison.Ordinal);
            Assert.NotEqual(n.Applied.Single(a => a.File == r.Failure.File).NewSha256, r.Failure.CurrentSha256);
            Assert.NotEqual(n.Applied.Single(a => a.File == r.Failure.File).PreviousSha256, r.Failure.CurrentSha256);
            Assert.DoesNotContain(JournalChangeIds(node.BackupDir), id => id.Contains(".restore.", StringComparison.Ordinal) && id.StartsWith(plan.Id, StringComparison.Ordinal));
            // The node's files were fetched at the refusal: the stored snapshot shows what is there now, for the diff.
            var stored = await dashboard.Get<IDashboardQueries>().GetNodeAsync(node.Name, Ct);
            Assert.Equal(r.Failure.CurrentSha256, stored!.Files.Single(f => f.File.Name == r.Failure.File).File.Sha256);

            // "Restore anyway" needs the hash the operator reviewed and a reason; anything else is refused and nothing is written.
            var wrongHash = await Assert.ThrowsAsync<RemediationRefusal>(() => operatorService.ControlAsync(plan.Id,
                new PlanControl { Kind = PlanControlKind.RestoreAnyway, Node = node.Name, ExpectedSha256 = r.Applied.Single(a => a.File == r.Failure.File).NewSha256, Reason = "go" }, Ct));
            Assert.Equal(RefusalCodes.FileChangedAgain, wrongHash.Code);
            await Assert.ThrowsAsync<AccessDeniedException>(() => dashboard.As(RemediationDashboard.Viewer).ControlAsync(plan.Id,
                new PlanControl { Kind = PlanControlKind.RestoreAnyway, Node = node.Name, ExpectedSha256 = r.Failure.CurrentSha256, Reason = "go" }, Ct));
            Assert.DoesNotContain(JournalChangeIds(node.BackupDir), id => id.Contains(".restore.", StringComparison.Ordinal) && id.StartsWith(plan.Id, StringComparison.Ordinal));

            const string why = "edited by hand since the plan wrote it; back to the chain we reviewed";
            // Each file linkerd-cni re-patched is refused in turn (newest first): each needs its own review.
            var (back, forcedHashes) = await ForceThroughConflictsAsync(plan.Id, node.Name, n.Applied.Count, why, r.Failure);
            Assert.True(back.State == PlanState.RolledBack, $"paused: {back.PauseDetail}");
            var b = back.NodeNamed(node.Name);
            Assert.Equal(NodeStatus.RolledBack, b.Status);
            // The agent wrote each file's original bytes (its answer names their hash), once per restore; the
            // running linkerd-cni may re-insert its entry afterwards, but no file holds what the plan wrote.
            var restoreJournal = JournalChangeIds(node.BackupDir);
            foreach (var restore in b.Restored)
            {
                var applied = b.Applied.Single(a => a.File == restore.File);
                Assert.Equal(applied.PreviousSha256, restore.NewSha256);
                // Written once — or not at all when the file already held its original bytes again.
                Assert.Equal(restore.PreviousSha256 == restore.NewSha256 ? 0 : 1, restoreJournal.Count(id => id == restore.ChangeId));
                Assert.NotEqual(applied.NewSha256, Sha256(Path.Combine(node.CniDir, restore.File)));
            }
            Assert.Equal(forcedHashes, b.RestoreOverrides.Select(o => o.ExpectedSha256));
            var log = await dashboard.As(RemediationDashboard.Viewer).GetLogAsync(plan.Id, Ct);
            Assert.Equal(forcedHashes.Count, log.Count(l => l.Action == "remediation.step.restore-forced"));
            var forced = log.First(l => l.Action == "remediation.step.restore-forced");
            Assert.Equal((RemediationDashboard.Operator.DisplayName, node.Name), (forced.Actor, forced.Node));
            Assert.Contains(why, forced.Summary, StringComparison.Ordinal);
            Assert.Contains(r.Failure.CurrentSha256!, forced.Summary, StringComparison.Ordinal);
        }
        finally
        {
            await EndAsync(plan.Id);
        }
        AssertReleased(node.Name);
    }

    /// <summary>
    /// Follows a rollback to its end: each restore the agent refuses because the file changed since the
    /// plan wrote it (<paramref name="first"/>, or seen on the way) is forced with the hash it reported.
    /// Returns the plan at its end (rolled back, or paused for another reason) and the hashes forced.
    /// </summary>
    private async Task<(RemediationPlan Plan, List<string?> Forced)> ForceThroughConflictsAsync(string planId, string node, int files, string reason, StepFailure? first = null)
    {
        var operatorService = dashboard.As(RemediationDashboard.Operator);
        var forced = new List<string?>();
        var conflict = first;
        while (true)
        {
            if (conflict is not null)
            {
                forced.Add(conflict.CurrentSha256);
                await operatorService.ControlAsync(planId, new PlanControl { Kind = PlanControlKind.RestoreAnyway, Node = node, ExpectedSha256 = conflict.CurrentSha256, Reason = reason }, Ct);
            }
            var plan = await dashboard.WaitForStateAsync(planId, Run, PlanState.RolledBack, PlanState.Paused);
            if (plan.State != PlanState.Paused || plan.NodeNamed(node).Failure is not { Kind: StepFailureKind.FileChanged, Step: NodeStep.Restore } again || forced.Count >= files)
                return (plan, forced);
            conflict = again;
        }
    }

    /// <summary>Aborts the plan when it is still underway and waits for it to end, so the next test may start one.</summary>
    private async Task EndAsync(string planId)
    {
        var plan = await dashboard.As(RemediationDashboard.Viewer).GetAsync(planId, Ct);
        if (plan is null || plan.State.IsFinal() || plan.State is PlanState.Draft or PlanState.PendingApproval or PlanState.Approved) return;
        if (plan.State != PlanState.Aborting) await dashboard.As(RemediationDashboard.Operator).ControlAsync(planId, new PlanControl { Kind = PlanControlKind.Abort, Reason = "test over" }, Ct);
        await dashboard.WaitForStateAsync(planId, Run, PlanState.Aborted, PlanState.RolledBack, PlanState.Completed);
    }

    private void SetPodIp(CniPodFacts pod, string ip) =>
        dashboard.Cluster.Cluster.Pods.Update(pod.Namespace, pod.Name, p =>
        {
            p.Status.PodIP = ip;
            p.Status.PodIPs = [new k8s.Models.V1PodIP { Ip = ip }];
        });

    private void AssertReleased(string node)
    {
        var k8sNode = dashboard.Cluster.Cluster.Nodes.Get(null, node)!;
        Assert.NotEqual(true, k8sNode.Spec?.Unschedulable);
        Assert.False(k8sNode.Metadata.Annotations?.ContainsKey(RemediationKeys.PlanAnnotation) ?? false);
    }

    internal static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    internal static string[] JournalChangeIds(string backupDir)
    {
        var path = Path.Combine(backupDir, "changes.jsonl");
        return File.Exists(path)
            ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("changeId").GetString()!)]
            : [];
    }
}
