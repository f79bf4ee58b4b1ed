using System.Text.Json;
using CniDashboard.Server.Store;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Tests.Remediation;

/// <summary>The incident fixed by the engine on the real simulated cluster: planned, approved by a second person, run node by node, verified.</summary>
public sealed class RemediationRunTests(RemediationDashboard dashboard) : IClassFixture<RemediationDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_incidents_nodes_are_fixed_one_at_a_time_each_file_written_once_and_every_step_recorded()
    {
        var rule = await dashboard.WaitForIncidentAsync();
        var nodes = dashboard.IncidentNodes.Select(n => n.Name).ToArray();
        var staleUids = nodes.ToDictionary(n => n, StaleTokenPodUid);
        var approved = await dashboard.ApprovedPlanAsync(rule, nodes);
        Assert.Equal(PlanState.Approved, approved.State);
        Assert.Equal(nodes.Order(), approved.Nodes.Select(n => n.Node).Order());
        Assert.All(approved.Nodes, n => Assert.Contains(n.Edits, e => e.File == "05-cilium.conflist"));
        dashboard.Cluster.Emulator.Requests.Clear();

        var started = await dashboard.As(RemediationDashboard.Operator).StartAsync(approved.Id, Ct);
        Assert.Equal(PlanState.Running, started.State);
        var done = await dashboard.WaitForStateAsync(approved.Id, TimeSpan.FromMinutes(3), PlanState.Completed, PlanState.Paused);
        Assert.True(done.State == PlanState.Completed, $"the plan paused: {done.PauseDetail}");
        Assert.All(done.Nodes, n => Assert.Equal(NodeStatus.Fixed, n.Status));

        // One node at a time: each node started after the one before it finished.
        var ordered = done.Nodes.OrderBy(n => n.StartedAt).ToArray();
        for (var i = 1; i < ordered.Length; i++) Assert.True(ordered[i].StartedAt >= ordered[i - 1].FinishedAt, $"{ordered[i].Node} started before {ordered[i - 1].Node} finished");

        foreach (var node in dashboard.IncidentNodes)
        {
            var n = done.NodeNamed(node.Name);
            // The stale entry is gone: the token linkerd-cni's entry uses is bound to the replacement pod, not the deleted one.
            var uid = StaleTokenPodUid(node.Name);
            Assert.NotEqual(staleUids[node.Name], uid);
            Assert.Equal(n.ReplacementPod!.Uid, uid);
            Assert.Equal(dashboard.Cluster.DaemonSetPod(node.Name, "linkerd-cni")!.Metadata.Uid, uid);

            // Each file written exactly once: one journal line per change id, and the change ids are the plan's.
            var journal = JournalChangeIds(node.BackupDir);
            Assert.Equal(n.Edits.Count, n.Applied.Count);
            foreach (var applied in n.Applied)
            {
                Assert.Equal(RemediationKeys.ChangeId(done.Id, node.Name, applied.File, RemediationKeys.ApplyOperation), applied.ChangeId);
                Assert.Equal(1, journal.Count(id => id == applied.ChangeId));
            }

            // Released: not cordoned, no annotation left.
            var k8sNode = dashboard.Cluster.Cluster.Nodes.Get(null, node.Name)!;
            Assert.NotEqual(true, k8sNode.Spec?.Unschedulable);
            Assert.False(k8sNode.Metadata.Annotations?.ContainsKey(RemediationKeys.PlanAnnotation) ?? false);
            Assert.False(n.Annotated);
            Assert.True(n.CordonedByPlan);
        }

        // The cluster's requests name the plan and carry the audit entry's id.
        var requests = dashboard.Cluster.Emulator.Requests.Snapshot().Where(r => r.UserAgent?.Contains($"plan {done.Id}", StringComparison.Ordinal) == true).ToArray();
        var patches = requests.Where(r => r.Verb == "patch" && r.Path.StartsWith("/api/v1/nodes/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2 * nodes.Length, patches.Length);
        Assert.All(requests, r => Assert.True(long.TryParse(r.AuditId, out _), $"{r.Verb} {r.Path} carries Audit-ID {r.AuditId}"));
        Assert.Equal(nodes.Length, requests.Count(r => r.Verb == "delete" && r.Path.Contains("/namespaces/linkerd-cni/pods/", StringComparison.Ordinal)));
        Assert.True(requests.Count(r => r.Verb == "create" && r.Path == "/api/v1/namespaces/default/events") >= 2 * nodes.Length);
        var audit = dashboard.Get<IAuditReader>();
        foreach (var patch in patches)
        {
            var entry = await audit.GetAsync(long.Parse(patch.AuditId!, System.Globalization.CultureInfo.InvariantCulture), Ct);
            Assert.Equal("remediation.step.started", entry!.Action);
            Assert.Equal(done.Id, entry.TargetName);
        }

        // Every transition is an audit entry; applies carry the files' hashes and the diff.
        var log = await dashboard.As(RemediationDashboard.Viewer).GetLogAsync(done.Id, Ct);
        var actions = log.Select(l => l.Action).ToArray();
        foreach (var expected in new[] { "remediation.plan.created", "remediation.plan.submitted", "remediation.plan.approved", "remediation.plan.started", "remediation.node.started", "remediation.step.started", "remediation.step.done", "remediation.node.finished", "remediation.plan.completed" })
            Assert.Contains(expected, actions);
        var applies = new List<AuditEntry>();
        await foreach (var e in audit.ReadAsync(new AuditQuery { TargetKind = "plan", Target = done.Id, Action = "remediation.step.done" }, Ct)) applies.Add(e);
        var withFiles = applies.Where(e => e.Details!.Contains("\"files\"", StringComparison.Ordinal)).ToArray();
        Assert.Equal(done.Nodes.Sum(n => n.Edits.Count), withFiles.Length);
        using var details = JsonDocument.Parse(withFiles[0].Details!);
        var file = details.RootElement.GetProperty("files")[0];
        Assert.Equal(64, file.GetProperty("sha256Before").GetString()!.Length);
        Assert.Contains("-", file.GetProperty("diff").GetString(), StringComparison.Ordinal);
        Assert.Contains("linkerd-cni", file.GetProperty("diff").GetString(), StringComparison.Ordinal);
    }

    private string? StaleTokenPodUid(string node)
    {
        var path = Path.Combine(dashboard.Cluster.Node(node).CniDir, "ZZZ-linkerd-cni-kubeconfig");
        return KubeconfigReader.Read(File.ReadAllText(path)).Token?.PodUid;
    }

    private static string[] JournalChangeIds(string backupDir)
    {
        var path = Path.Combine(backupDir, "changes.jsonl");
        return File.Exists(path)
            ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("changeId").GetString()!)]
            : [];
    }
}
