using CniDashboard.Server.Audit;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Store;
using CniDashboard.Simulator.Faults;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;
using k8s.Models;

namespace CniDashboard.Server.Tests.Remediation;

/// <summary>Who may approve and when a plan may start, on the real simulated cluster; and two approvals at once run the plan once.</summary>
public sealed class RemediationGuardTests(RemediationDashboard dashboard) : IClassFixture<RemediationDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly AuditActor OperatorAndApprover = new("olaf", "Olaf Both", [DashboardRole.Operator, DashboardRole.Approver], "oidc");

    [Fact]
    public async Task The_author_and_a_viewer_cannot_approve_and_each_attempt_is_a_denied_audit_entry()
    {
        var node = dashboard.IncidentNodes[0];
        var rule = await dashboard.WaitForIncidentAsync(node);
        var author = dashboard.As(OperatorAndApprover);
        var draft = await author.CreateAsync(new PlanDraftRequest { Rule = rule, Plugin = "linkerd-cni", Nodes = [node.Name], Options = RemediationDashboard.FastOptions }, Ct);
        var plan = await author.SubmitAsync(draft.Id, draft.Version, "please review", Ct);
        var risks = plan.Risks.Select(r => r.Id).ToArray();

        var own = await Assert.ThrowsAsync<RemediationRefusal>(() => author.ApproveAsync(plan.Id, plan.Sha256(), "mine", risks, null, Ct));
        Assert.Equal(RefusalCodes.TwoPersonRule, own.Code);
        await Assert.ThrowsAsync<AccessDeniedException>(() => dashboard.As(RemediationDashboard.Viewer).ApproveAsync(plan.Id, plan.Sha256(), "forged", risks, null, Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => dashboard.As(RemediationDashboard.Operator).ApproveAsync(plan.Id, plan.Sha256(), "forged", risks, null, Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => dashboard.As(RemediationDashboard.Viewer).StartAsync(plan.Id, Ct));

        var denied = new List<AuditEntry>();
        await foreach (var e in dashboard.Get<IAuditReader>().ReadAsync(new AuditQuery { Outcome = "denied", Target = plan.Id }, Ct)) denied.Add(e);
        Assert.Equal(["olaf", "viewer", "operator", "viewer"], denied.Select(e => e.ActorSubject));
        Assert.All(denied, e => Assert.Equal(AuditActions.Denied, e.Action));
        Assert.Contains("two-person-rule", denied[0].Details, StringComparison.Ordinal);
        Assert.Contains("remediation.plan.approve", denied[1].Details, StringComparison.Ordinal);

        var unchanged = await dashboard.As(RemediationDashboard.Viewer).GetAsync(plan.Id, Ct);
        Assert.Equal((PlanState.PendingApproval, plan.Version), (unchanged!.State, unchanged.Version));
        Assert.Empty(unchanged.Approvals);
    }

    [Fact]
    public async Task Taking_the_lease_survives_losing_a_write_race_to_this_dashboards_own_renewal()
    {
        var kube = dashboard.Get<RemediationCluster>();
        dashboard.Cluster.Cluster.EnsureNamespace("cni-dashboard");
        Assert.True(await kube.TryHoldLeaseAsync(Ct)); // this dashboard's now
        var leases = dashboard.Cluster.Cluster.Leases;
        using var held = dashboard.Cluster.Emulator.Holds.Hold(
            r => r.Method == "PUT" && r.Path.Value?.EndsWith("/leases/" + RemediationKeys.LeaseName, StringComparison.Ordinal) == true,
            HoldStage.BeforeHandling);

        var taking = kube.TryHoldLeaseAsync(Ct);
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        // Meanwhile the same Lease is renewed (as the engine does while a plan runs): the held write now
        // names an old resourceVersion and is refused with 409.
        leases.Update("cni-dashboard", RemediationKeys.LeaseName, l => l.Spec.RenewTime = DateTime.UtcNow);
        held.Release();

        Assert.True(await taking, "a conflict with its own renewal must not read as another dashboard holding the Lease");
        Assert.Equal(dashboard.Get<Microsoft.Extensions.Options.IOptions<RemediationEngineOptions>>().Value.Identity, leases.Get("cni-dashboard", RemediationKeys.LeaseName)!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task A_plan_does_not_start_while_another_dashboard_holds_the_lease_or_kured_holds_its_lock()
    {
        var node = dashboard.IncidentNodes[1];
        var rule = await dashboard.WaitForIncidentAsync(node);
        var plan = await dashboard.ApprovedPlanAsync(rule, [node.Name]);
        var operatorService = dashboard.As(RemediationDashboard.Operator);

        var leases = dashboard.Cluster.Cluster.Leases;
        dashboard.Cluster.Cluster.EnsureNamespace("cni-dashboard");
        if (leases.Get("cni-dashboard", RemediationKeys.LeaseName) is null)
            leases.Create(new V1Lease { Metadata = new V1ObjectMeta { Name = RemediationKeys.LeaseName, NamespaceProperty = "cni-dashboard" }, Spec = new V1LeaseSpec() });
        leases.Update("cni-dashboard", RemediationKeys.LeaseName, l => l.Spec = new V1LeaseSpec { HolderIdentity = "another-dashboard", LeaseDurationSeconds = 300, RenewTime = DateTime.UtcNow });
        var held = await Assert.ThrowsAsync<RemediationRefusal>(() => operatorService.StartAsync(plan.Id, Ct));
        Assert.Equal(RefusalCodes.LeaseNotHeld, held.Code);
        Assert.Equal("another-dashboard", leases.Get("cni-dashboard", RemediationKeys.LeaseName)!.Spec.HolderIdentity);

        leases.Update("cni-dashboard", RemediationKeys.LeaseName, l => l.Spec = new V1LeaseSpec());
        dashboard.Cluster.SetKuredLock(dashboard.Cluster.Nodes[^1].Name);
        try
        {
            var kured = await Assert.ThrowsAsync<RemediationRefusal>(() => operatorService.StartAsync(plan.Id, Ct));
            Assert.Equal(RefusalCodes.KuredLockHeld, kured.Code);
        }
        finally
        {
            dashboard.Cluster.ReleaseKuredLock();
        }

        var still = await operatorService.GetAsync(plan.Id, Ct);
        Assert.Equal(PlanState.Approved, still!.State);
        var refusals = new List<AuditEntry>();
        await foreach (var e in dashboard.Get<IAuditReader>().ReadAsync(new AuditQuery { Action = "remediation.plan.start", Target = plan.Id }, Ct)) refusals.Add(e);
        Assert.Equal(["failed", "failed"], refusals.Select(e => e.Outcome));
        Assert.DoesNotContain(RemediationFaultTests.JournalChangeIds(node.BackupDir), id => id.StartsWith(plan.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_approvals_and_two_starts_at_once_run_the_plan_once()
    {
        var node = dashboard.IncidentNodes[2];
        var rule = await dashboard.WaitForIncidentAsync(node);
        var author = dashboard.As(RemediationDashboard.Operator);
        var draft = await author.CreateAsync(new PlanDraftRequest { Rule = rule, Plugin = "linkerd-cni", Nodes = [node.Name], Options = RemediationDashboard.FastOptions }, Ct);
        var plan = await author.SubmitAsync(draft.Id, draft.Version, "fix", Ct);
        var risks = plan.Risks.Select(r => r.Id).ToArray();

        var approvals = await Task.WhenAll(
            Outcome(() => dashboard.As(RemediationDashboard.Approver).ApproveAsync(plan.Id, plan.Sha256(), "yes", risks, null, Ct)),
            Outcome(() => dashboard.As(RemediationDashboard.Approver2).ApproveAsync(plan.Id, plan.Sha256(), "yes", risks, null, Ct)));
        Assert.Single(approvals, a => a is RemediationPlan { State: PlanState.Approved });
        var starts = await Task.WhenAll(
            Outcome(() => dashboard.As(RemediationDashboard.Operator).StartAsync(plan.Id, Ct)),
            Outcome(() => dashboard.As(RemediationDashboard.Operator).StartAsync(plan.Id, Ct)));
        Assert.Single(starts, s => s is RemediationPlan { State: PlanState.Running });
        Assert.Single(starts, s => s is RemediationRefusal);

        var done = await dashboard.WaitForStateAsync(plan.Id, TimeSpan.FromMinutes(2), PlanState.Completed, PlanState.Paused);
        Assert.True(done.State == PlanState.Completed, $"paused: {done.PauseDetail}");
        Assert.Single(done.Approvals);
        var journal = RemediationFaultTests.JournalChangeIds(node.BackupDir);
        Assert.Equal(done.Nodes[0].Edits.Count, journal.Count(id => id.StartsWith(plan.Id + ".", StringComparison.Ordinal)));
        var started = new List<AuditEntry>();
        await foreach (var e in dashboard.Get<IAuditReader>().ReadAsync(new AuditQuery { Action = "remediation.plan.started", Target = plan.Id }, Ct)) started.Add(e);
        Assert.Single(started);
    }

    private static async Task<object> Outcome(Func<Task<RemediationPlan>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is RemediationRefusal or PlanConflictException)
        {
            return e;
        }
    }
}
