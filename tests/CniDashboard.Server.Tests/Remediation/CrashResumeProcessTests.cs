using System.Net;
using System.Text.Json;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Remediation;
using CniDashboard.Simulator;
using CniDashboard.Simulator.Faults;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Server.Tests.Remediation;

/// <summary>
/// The dashboard killed with SIGKILL at every side effect of a plan's steps — before the cluster or the
/// agent acts on a request, and after it acted but before the dashboard heard — and at the boundaries
/// where a step's Begin reads the cluster, then started again on the same data directory: the plan
/// resumes and completes, each file is written once, and the node is never cordoned or annotated
/// without a record naming the plan.
/// </summary>
public sealed class CrashResumeProcessTests
{
    private static readonly TimeSpan Reach = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One place to kill the dashboard: a request held on the API emulator or the node's agent.</summary>
    private sealed record KillPoint(string Name, Func<SimulatedCluster, HeldRequest> Arm);

    [Fact]
    public async Task A_plan_killed_at_each_step_boundary_and_inside_each_step_resumes_writes_each_file_once_and_releases_the_node()
    {
        using var dir = new TempDir();
        await using var cluster = await SimulatedCluster.StartAsync(new SimulationOptions
        {
            DataDir = dir.Sub("simulation"),
            NodeCount = 12,
            AddressBase = IPAddress.Parse("127.90.0.0"),
            TimeScale = 10,
        }, Ct);
        var node = cluster.NodesWithRole(NodeRole.Incident)[0];
        var dataDir = dir.Sub("dashboard");
        var dashboard = ChildDashboard.Start(cluster, dataDir);
        var killed = new List<string>();
        try
        {
            var op = await dashboard.ClientAsync("olivia", "operators");
            using var approver = await dashboard.ClientAsync("alex", "approvers");
            var options = RemediationDashboard.FastOptions with { Success = new SuccessCriteria { ProbePodRunning = true } };
            var draft = await DraftAsync(op, dashboard, new PlanDraftRequest { Rule = "mesh-token-pod-gone", Plugin = "linkerd-cni", Nodes = [node.Name], Options = options });
            var files = draft.NodeNamed(node.Name).Edits.Select(e => e.File).ToArray();
            Assert.True(files.Length >= 2, "an incident node needs edits to two files");

            var points = KillPoints(node, files);
            var held = points[0].Arm(cluster);
            var submitted = await PostAsync(op, $"api/v1/remediation/plans/{draft.Id}/submit", new { expectedVersion = draft.Version, comment = "fix" });
            await PostAsync(approver, $"api/v1/remediation/plans/{draft.Id}/approve", new { planSha256 = submitted.Sha256(), comment = "ok", acknowledgedRisks = submitted.Risks.Select(r => r.Id).ToArray() });
            await PostAsync(op, $"api/v1/remediation/plans/{draft.Id}/start", new { });
            op.Dispose();

            for (var i = 0; i < points.Count; i++)
            {
                var reached = await Task.WhenAny(held.Reached, Task.Delay(Reach, Ct));
                if (reached != held.Reached)
                {
                    using var look = await dashboard.ClientAsync("vic", "viewers");
                    var now = await GetAsync(look, draft.Id);
                    Assert.Fail($"kill point '{points[i].Name}' not reached in {Reach}; killed so far: {string.Join(", ", killed)}; the plan is {now?.State} ({now?.PauseDetail}), the node {now?.NodeNamed(node.Name).Status}\n{dashboard.Output}");
                }
                dashboard.Kill();
                killed.Add(points[i].Name);
                AssertRecorded(cluster, node.Name, draft.Id, points[i].Name);
                held.Release();
                if (i + 1 < points.Count) held = points[i + 1].Arm(cluster);
                dashboard.Dispose();
                dashboard = ChildDashboard.Start(cluster, dataDir);
            }

            using var viewer = await dashboard.ClientAsync("vic", "viewers");
            var done = await Eventually.WaitAsync(async () => await GetAsync(viewer, draft.Id) is { State: PlanState.Completed or PlanState.Paused } p ? p : null,
                "the plan to finish after the restarts", TimeSpan.FromMinutes(2));
            Assert.True(done.State == PlanState.Completed, $"paused after kills at {string.Join(", ", killed)}: {done.PauseDetail}");
            var n = done.NodeNamed(node.Name);
            Assert.Equal(NodeStatus.Fixed, n.Status);

            // Each file written exactly once: one agent journal line per change id, and the files hold what the plan reviewed.
            var journal = RemediationFaultTests.JournalChangeIds(node.BackupDir);
            Assert.Equal(n.Edits.Count, n.Applied.Count);
            foreach (var applied in n.Applied) Assert.Equal(1, journal.Count(id => id == applied.ChangeId));
            Assert.Equal(n.Applied.Count, journal.Count(id => id.StartsWith(draft.Id + ".", StringComparison.Ordinal)));
            foreach (var edit in n.Edits) Assert.Equal(edit.NewSha256, n.Applied.Single(a => a.File == edit.File).NewSha256);

            // Released: uncordoned, unannotated; the restarted linkerd-cni pod was deleted once and its probe pod cleaned up.
            var k8sNode = cluster.Cluster.Nodes.Get(null, node.Name)!;
            Assert.NotEqual(true, k8sNode.Spec?.Unschedulable);
            Assert.False(k8sNode.Metadata.Annotations?.ContainsKey(RemediationKeys.PlanAnnotation) ?? false);
            Assert.False(k8sNode.Metadata.Annotations?.ContainsKey(RemediationKeys.CordonedAnnotation) ?? false);
            Assert.DoesNotContain(cluster.Cluster.Pods.List(), p => p.Metadata.Labels?.ContainsKey(RemediationKeys.ProbeLabel) == true);
            Assert.Equal(points.Count, killed.Count);
        }
        finally
        {
            dashboard.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>
    /// In the order a node's fix reaches them. After each kill the next point is armed before the
    /// dashboard starts again, so a request repeated on resume is caught by it when it is the same call.
    /// </summary>
    private static List<KillPoint> KillPoints(SimulatedNode node, string[] files)
    {
        static bool Remediation(HttpRequest r) => r.Headers.UserAgent.ToString().Contains("(remediation;", StringComparison.Ordinal);
        bool NodePath(HttpRequest r) => r.Path.Value == $"/api/v1/nodes/{node.Name}";
        static bool Events(HttpRequest r) => r.Path.Value == "/api/v1/namespaces/default/events";
        static bool ComponentPods(HttpRequest r) => r.Path.Value == "/api/v1/namespaces/linkerd-cni/pods";
        static bool ProbePod(HttpRequest r) => r.Path.Value?.Contains("/pods/cni-dashboard-probe-", StringComparison.Ordinal) == true;
        bool OnNode(HttpRequest r) => node.Address.Equals(r.HttpContext.Connection.LocalIpAddress);
        KillPoint Kube(string name, string method, Func<HttpRequest, bool> path, HoldStage stage) =>
            new(name, c => c.Emulator.Holds.Hold(r => r.Method == method && Remediation(r) && path(r), stage));
        KillPoint Agent(string name, string file, HoldStage stage) =>
            new(name, c => c.Agents.Holds.Hold(r => r.Method == "POST" && OnNode(r) && r.Path.Value == $"/v1/files/{file}/apply", stage));

        return
        [
            Kube("prepare: before the cordon-and-annotate patch", "PATCH", NodePath, HoldStage.BeforeHandling),
            Kube("prepare: patched, not yet recorded", "PATCH", NodePath, HoldStage.BeforeAnswering),
            Kube("prepare: the fix-started Event created, not yet recorded", "POST", Events, HoldStage.BeforeAnswering),
            Agent($"apply {files[0]}: written, not yet recorded", files[0], HoldStage.BeforeAnswering),
            Agent($"apply {files[1]}: before the agent writes", files[1], HoldStage.BeforeHandling),
            Kube("boundary apply → restart: reading the component's pod", "GET", ComponentPods, HoldStage.BeforeAnswering),
            Kube("restart: the pod deleted, not yet recorded", "DELETE", r => r.Path.StartsWithSegments("/api/v1/namespaces/linkerd-cni/pods"), HoldStage.BeforeAnswering),
            Kube("wait ready: watching for the replacement", "GET", ComponentPods, HoldStage.BeforeAnswering),
            Kube("verify: the probe pod created, not yet observed", "POST", r => r.Path.Value == "/api/v1/namespaces/cni-dashboard/pods", HoldStage.BeforeAnswering),
            Kube("verify: inside the window, reading the probe pod", "GET", ProbePod, HoldStage.BeforeAnswering),
            Kube("release: the probe pod deleted (the verdict recorded before), not yet recorded", "DELETE", ProbePod, HoldStage.BeforeAnswering),
            Kube("release: before the uncordon patch", "PATCH", NodePath, HoldStage.BeforeHandling),
            Kube("release: uncordoned, not yet recorded", "PATCH", NodePath, HoldStage.BeforeAnswering),
            Kube("release: the finished Event created, not yet recorded", "POST", Events, HoldStage.BeforeAnswering),
        ];
    }

    /// <summary>No node cordoned or annotated without a record: a cordon comes with the annotation naming the plan.</summary>
    private static void AssertRecorded(SimulatedCluster cluster, string nodeName, string planId, string point)
    {
        var k8sNode = cluster.Cluster.Nodes.Get(null, nodeName)!;
        var annotations = k8sNode.Metadata.Annotations ?? new Dictionary<string, string>();
        if (k8sNode.Spec?.Unschedulable == true)
        {
            Assert.True(annotations.TryGetValue(RemediationKeys.PlanAnnotation, out var holder) && holder == planId, $"killed at '{point}': the node is cordoned without the plan's annotation");
            Assert.True(annotations.TryGetValue(RemediationKeys.CordonedAnnotation, out var cordonedBy) && cordonedBy == "true", $"killed at '{point}': the cordon is not recorded as the plan's");
        }
        if (annotations.TryGetValue(RemediationKeys.PlanAnnotation, out var plan)) Assert.Equal(planId, plan);
    }

    private static async Task<RemediationPlan> DraftAsync(HttpClient op, ChildDashboard dashboard, PlanDraftRequest request)
    {
        var last = "no answer";
        try
        {
            // The first polls may not have stored the incident node's snapshot yet.
            return await Eventually.WaitAsync(async () =>
            {
                using var r = await op.PostAsJsonAsync("api/v1/remediation/plans", request, SimulatedDashboard.Json, Ct);
                last = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync(Ct)}";
                return r.StatusCode == HttpStatusCode.Created ? JsonSerializer.Deserialize<RemediationPlan>(last[4..], SimulatedDashboard.Json) : null;
            }, "the dashboard to plan the incident node", Reach);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}: last answer {last}\n{dashboard.Output}", e);
        }
    }

    private static async Task<RemediationPlan> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body, SimulatedDashboard.Json, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<RemediationPlan>(text, SimulatedDashboard.Json)!;
    }

    private static async Task<RemediationPlan?> GetAsync(HttpClient http, string id)
    {
        using var response = await http.GetAsync($"api/v1/remediation/plans/{id}", Ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<RemediationPlan>(SimulatedDashboard.Json, Ct) : null;
    }
}
