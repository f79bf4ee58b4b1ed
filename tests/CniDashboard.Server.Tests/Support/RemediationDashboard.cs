using CniDashboard.Server.Audit;
using CniDashboard.Server.Remediation;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// The real dashboard on the real simulated cluster, with the remediation engine looking often, and
/// the remediation service as any person (operator, approver, viewer…) would call it.
/// </summary>
public class RemediationDashboard : SimulatedDashboard
{
    private readonly List<IServiceScope> _scopes = [];

    public static readonly AuditActor Operator = new("operator", "Olivia Operator", [DashboardRole.Operator], "oidc");
    public static readonly AuditActor Approver = new("approver", "Alex Approver", [DashboardRole.Approver], "oidc");
    public static readonly AuditActor Approver2 = new("approver2", "Ana Approver", [DashboardRole.Approver], "oidc");
    public static readonly AuditActor Viewer = new("viewer", "Vic Viewer", [DashboardRole.Viewer], "oidc");
    public static readonly AuditActor Admin = new("admin", "Ada Admin", [DashboardRole.Admin], "oidc");

    /// <summary>The fast options the tests' plans use (the shortest windows the plan allows).</summary>
    public static RemediationOptions FastOptions { get; } = new()
    {
        VerificationWindow = RemediationOptions.MinVerificationWindow,
        ReadyTimeout = TimeSpan.FromSeconds(30),
    };

    protected override IEnumerable<KeyValuePair<string, string?>> MoreSettings() =>
    [
        // A loaded machine (test.sh runs suites side by side) can take more than a second for a TLS handshake.
        new("Dashboard:Poller:Interval", "00:00:03"),
        new("Dashboard:Poller:RequestTimeout", "00:00:03"),
        new("Dashboard:Remediation:ObserveInterval", "00:00:00.250"),
        new("Dashboard:Remediation:LeaseDuration", "00:00:10"),
        new("Dashboard:Remediation:Identity", "dashboard-under-test"),
    ];

    /// <summary>The service as <paramref name="actor"/> calls it.</summary>
    public IRemediationService As(AuditActor actor)
    {
        var scope = App.Services.CreateScope();
        lock (_scopes) _scopes.Add(scope);
        return ActivatorUtilities.CreateInstance<RemediationService>(scope.ServiceProvider, new FixedUser(new AuditCaller(actor, "127.0.0.1", null)));
    }

    /// <summary>
    /// Another webhook on this dashboard's plan ledger, posting to <paramref name="url"/> in
    /// <paramref name="format"/> (the product's <see cref="PlanWebhook"/>, as Dashboard:Remediation:WebhookUrl
    /// would configure it); disposing it unsubscribes.
    /// </summary>
    public async Task<IAsyncDisposable> AddWebhookAsync(Uri url, string format)
    {
        var webhook = new PlanWebhook(Get<PlanLedger>(), Microsoft.Extensions.Options.Options.Create(new RemediationEngineOptions { WebhookUrl = url, WebhookFormat = format }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PlanWebhook>.Instance);
        await webhook.StartAsync(TestContext.Current.CancellationToken);
        return new Subscription(webhook);
    }

    private sealed class Subscription(PlanWebhook webhook) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await webhook.StopAsync(CancellationToken.None);
            webhook.Dispose();
        }
    }

    /// <summary>The incident's nodes (the stale linkerd-cni entry in their folders).</summary>
    public IReadOnlyList<SimulatedNode> IncidentNodes => Cluster.NodesWithRole(NodeRole.Incident);

    /// <summary>Waits until the dashboard shows the incident's finding on <paramref name="nodes"/> (default: every incident node): the first polls and analysis are done.</summary>
    public async Task<string> WaitForIncidentAsync(params SimulatedNode[] nodes)
    {
        var fleet = Get<Server.Fleet.FleetState>();
        string? rule = null;
        var wanted = nodes.Length > 0 ? nodes : IncidentNodes;
        await Eventually.WaitAsync(() =>
        {
            var critical = wanted.Select(n => fleet.Get(n.Name)?.Findings.FirstOrDefault(f => f.Severity == Shared.Analysis.Severity.Critical && f.Edit is not null)).ToArray();
            if (critical.Any(f => f is null)) return false;
            rule = critical[0]!.Rule;
            return true;
        }, $"the incident's critical finding on {string.Join(", ", wanted.Select(n => n.Name))}", TimeSpan.FromMinutes(2));
        return rule!;
    }

    /// <summary>Creates, submits and approves (by <see cref="Approver"/>) a plan for <paramref name="nodes"/>.</summary>
    public async Task<RemediationPlan> ApprovedPlanAsync(string rule, IReadOnlyList<string> nodes, RemediationOptions? options = null, StandingGrant? standing = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var author = As(Operator);
        var draft = await author.CreateAsync(new PlanDraftRequest { Rule = rule, Plugin = "linkerd-cni", Nodes = nodes, Options = options ?? FastOptions }, ct);
        var submitted = await author.SubmitAsync(draft.Id, draft.Version, "fix the stale linkerd-cni entry", ct);
        return await As(Approver).ApproveAsync(submitted.Id, submitted.Sha256(), "looks right", [.. submitted.Risks.Select(r => r.Id)], standing, ct);
    }

    /// <summary>Waits for the plan to reach one of <paramref name="states"/>.</summary>
    public Task<RemediationPlan> WaitForStateAsync(string planId, TimeSpan timeout, params PlanState[] states) =>
        Eventually.WaitAsync(async () =>
        {
            var plan = await As(Viewer).GetAsync(planId, TestContext.Current.CancellationToken);
            return plan is not null && states.Contains(plan.State) ? plan : null;
        }, $"plan {planId} to be {string.Join(" or ", states)}", timeout);

    public override async ValueTask DisposeAsync()
    {
        foreach (var scope in _scopes) scope.Dispose();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private sealed class FixedUser(AuditCaller caller) : ICurrentUser
    {
        public ValueTask<AuditCaller> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(caller);
    }
}
