using CniDashboard.Server.Audit;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Polling;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Remediation;

/// <summary>
/// The one remediation engine: loads the open plans at start and runs each as docs/remediation.md
/// says — <see cref="RemediationPlan.NextActions"/> first, Begin committed before each side effect,
/// Complete after — while it holds the <see cref="RemediationKeys.LeaseName"/> Lease. It wakes on
/// every committed plan version and otherwise looks again every <see cref="RemediationEngineOptions.ObserveInterval"/>.
/// </summary>
public sealed class RemediationEngine(
    PlanRepository plans,
    PlanLedger ledger,
    StepRunner steps,
    StandingAdmissions standing,
    RemediationCluster kube,
    AgentFileClient agents,
    ClusterState cluster,
    FleetState fleet,
    WatchHealthRegistry watches,
    IOptions<RemediationEngineOptions> options,
    TimeProvider time,
    ILogger<RemediationEngine> logger,
    Leadership.ReplicaLeadership? leadership = null) : BackgroundService
{
    private readonly RemediationEngineOptions _options = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _leaseHeld;
    private bool _toldUnsynced;

    /// <summary>Completed engine passes (for tests and the health view).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    private long _passes;

    /// <summary>Asks the engine to look at the plans now.</summary>
    public void Wake() => Interlocked.Exchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Takes (or renews) the Lease for this dashboard; false when another holder has it. Used before a
    /// plan starts or resumes: the engine then keeps it while the plan is underway.
    /// </summary>
    public async Task<bool> TryHoldLeaseAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled) return false;
        // A follower's UI asks on the leader's behalf (its engine runs the plan): free, or the leader's, is good.
        if (leadership is { IsLeader: false }) return await kube.IsLeaseFreeOrHeldByAsync(leadership.Leader, cancellationToken);
        _leaseHeld = await kube.TryHoldLeaseAsync(cancellationToken);
        return _leaseHeld;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            logger.LogInformation("Remediation engine disabled (Dashboard:Remediation:Enabled=false): plans can be written and approved, none runs");
            return;
        }
        ledger.Committed += OnCommitted;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var signal = Volatile.Read(ref _signal).Task;
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Remediation engine pass failed; trying again");
                }

                using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var wait = Task.Delay(_options.ObserveInterval, time, delay.Token);
                await Task.WhenAny(signal, wait);
                await delay.CancelAsync();
                try
                {
                    await wait;
                }
                catch (OperationCanceledException)
                {
                    // Woken early, or stopping.
                }
            }
        }
        finally
        {
            ledger.Committed -= OnCommitted;
        }
    }

    private void OnCommitted(RemediationPlan plan)
    {
        // The engine's own commits drive its loop already; a person's command wakes it.
        if (plan.LastEvent?.Actor != PlanActions.SystemActor) Wake();
    }

    /// <summary>One pass over every open plan: each is driven until it waits (for a person, a deadline, or an observation).</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var underway = false;
            // Until every watch has listed, the cluster as this process sees it is empty: an agent would
            // have no pod IP, no node would look unhealthy. A dashboard started again mid-plan acts only
            // once it sees the cluster (deadlines and expiries still run).
            var synced = watches.AllSynced;
            if (!synced && !_toldUnsynced)
            {
                logger.LogInformation("Remediation engine waits for the cluster watches to list before acting on plans");
                _toldUnsynced = true;
            }
            foreach (var id in await plans.IdsInAsync(PlanRepository.OpenStates, cancellationToken))
            {
                if (await plans.GetAsync(id, cancellationToken) is not { } stored) continue;
                if (PlanRepository.UnderwayStates.Contains(stored.Plan.State))
                {
                    underway = true;
                    _leaseHeld = await kube.TryHoldLeaseAsync(cancellationToken);
                    if (!_leaseHeld) logger.LogWarning("Plan {Plan} is {State} but the {Lease} Lease is held elsewhere: not acting", id, stored.Plan.State, RemediationKeys.LeaseName);
                }
                await DriveAsync(stored, synced, cancellationToken);
            }

            if (!underway && _leaseHeld)
            {
                await kube.ReleaseLeaseAsync(cancellationToken);
                _leaseHeld = false;
            }
        }
        finally
        {
            _gate.Release();
            Interlocked.Increment(ref _passes);
        }
    }

    private async Task DriveAsync(StoredPlan stored, bool synced, CancellationToken cancellationToken)
    {
        var plan = stored.Plan;
        var sequences = new Dictionary<string, long>(stored.NodeAuditSequences, StringComparer.Ordinal);
        if (synced) plan = await standing.ConsiderAsync(plan, cancellationToken) ?? plan;

        // Bounded: every iteration commits a version; a plan has a finite number of them per pass.
        for (var i = 0; i < 10_000 && !cancellationToken.IsCancellationRequested; i++)
        {
            var now = time.GetUtcNow();
            var action = plan.NextAction(now);
            if (action.Kind is EngineActionKind.Begin or EngineActionKind.Perform or EngineActionKind.Advance && !(_leaseHeld && synced)) return;

            RemediationPlan? next;
            try
            {
                switch (action.Kind)
                {
                    case EngineActionKind.Expire:
                        next = plan.Expire(now);
                        break;
                    case EngineActionKind.Advance:
                        next = plan.Advance(now, await ObserveAsync(cancellationToken));
                        if (ReferenceEquals(next, plan)) return;
                        break;
                    case EngineActionKind.Begin:
                        next = await steps.BeginAsync(plan, action.Node!, action.Step!.Value, new CallFor(plan.Id, sequences.GetValueOrDefault(action.Node!)), cancellationToken);
                        break;
                    case EngineActionKind.Perform:
                        next = await steps.PerformAsync(plan, action.Node!, action.Step!.Value, new CallFor(plan.Id, sequences.GetValueOrDefault(action.Node!)), cancellationToken);
                        if (next is null) return;
                        break;
                    default:
                        return;
                }
            }
            catch (RemediationRefusal refusal)
            {
                logger.LogWarning("Plan {Plan}: {Action} refused: {Reason}", plan.Id, action.Kind, refusal.Message);
                return;
            }

            try
            {
                var committed = await ledger.CommitAsync(plan, next, AuditCaller.System, cancellationToken);
                plan = committed.Plan;
                if (plan.LastEvent?.Node is { } node) sequences[node] = committed.AuditSequence;
            }
            catch (PlanConflictException)
            {
                // A person changed the plan meanwhile: read it again and follow its new course (a
                // side effect just made is performed again from the persisted intent, harmlessly).
                if (await plans.GetAsync(plan.Id, cancellationToken) is not { } reloaded) return;
                plan = reloaded.Plan;
                foreach (var (n, s) in reloaded.NodeAuditSequences) sequences[n] = s;
            }

            if (plan.State.IsFinal())
            {
                await UnpinAsync(plan, cancellationToken);
                return;
            }
        }
    }

    /// <summary>What scheduling needs: nodes unhealthy now (a critical finding, or the network not ready) and kured's lock.</summary>
    private async Task<FleetObservation> ObserveAsync(CancellationToken cancellationToken)
    {
        var unhealthy = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in fleet.All)
        {
            if (n.Findings.Any(f => f.Severity == Severity.Critical)) unhealthy.Add(n.Name);
        }
        foreach (var n in cluster.Nodes)
        {
            if (n.NetworkReady == false) unhealthy.Add(n.Name);
        }
        return new FleetObservation(unhealthy, await kube.KuredLockHolderAsync(cancellationToken));
    }

    /// <summary>A plan that ended no longer needs its backups: unpin them (best effort; a node whose agent is down keeps its pin).</summary>
    private async Task UnpinAsync(RemediationPlan plan, CancellationToken cancellationToken)
    {
        foreach (var node in plan.Nodes.Where(n => n.Applied.Count > 0))
        {
            if (cluster.AgentPodFor(node.Node)?.PodIp is not { } podIp) continue;
            foreach (var backup in node.Applied.Select(a => a.BackupId).OfType<string>())
            {
                var answer = await agents.UnpinBackupAsync(podIp, backup, plan.Id, cancellationToken);
                if (answer is not AgentCall<Shared.Agent.BackupInfo>.Ok)
                    logger.LogWarning("Plan {Plan} ended; backup {Backup} on node {Node} stays pinned: {Answer}", plan.Id, backup, node.Node, answer);
            }
        }
    }
}
