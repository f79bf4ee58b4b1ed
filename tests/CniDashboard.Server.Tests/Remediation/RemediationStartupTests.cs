using CniDashboard.Server.Cluster;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Tests.Remediation;

/// <summary>
/// A dashboard started again in the middle of a plan sees the cluster only once its watches have
/// listed: until then no agent has a pod IP and no node looks unhealthy, so the engine must not act.
/// </summary>
public sealed class RemediationStartupTests(RemediationDashboard dashboard) : IClassFixture<RemediationDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_running_plan_waits_for_every_watch_to_list_before_its_first_step_and_then_completes()
    {
        var node = dashboard.IncidentNodes[0];
        var rule = await dashboard.WaitForIncidentAsync(node);
        var plan = await dashboard.ApprovedPlanAsync(rule, [node.Name]);
        var watches = dashboard.Get<WatchHealthRegistry>();
        var engine = dashboard.Get<RemediationEngine>();

        // As at a fresh start: one watch has not listed yet.
        const string listing = "pods (listing after a restart)";
        watches.Register(listing);
        try
        {
            var started = await dashboard.As(RemediationDashboard.Operator).StartAsync(plan.Id, Ct);
            var passes = engine.Passes;
            await Eventually.WaitAsync(() => engine.Passes >= passes + 3, "three engine passes while a watch has not listed", TimeSpan.FromSeconds(60));

            var waiting = await dashboard.As(RemediationDashboard.Viewer).GetAsync(plan.Id, Ct);
            Assert.Equal((PlanState.Running, started.Version), (waiting!.State, waiting.Version));
            Assert.Equal(NodeStatus.Pending, waiting.NodeNamed(node.Name).Status);
            Assert.DoesNotContain(RemediationFaultTests.JournalChangeIds(node.BackupDir), id => id.StartsWith(plan.Id, StringComparison.Ordinal));
        }
        finally
        {
            watches.MarkSynced(listing);
        }

        var done = await dashboard.WaitForStateAsync(plan.Id, TimeSpan.FromMinutes(2), PlanState.Completed, PlanState.Paused);
        Assert.True(done.State == PlanState.Completed, $"paused: {done.PauseDetail}");
    }
}
