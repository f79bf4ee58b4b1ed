using System.Collections.Concurrent;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>
/// <see cref="IRemediationService"/> over plans in memory. Every command runs the real plan's
/// transition (so refusals are the plan's own) as <see cref="Actor"/>, keeps a step log, and records
/// the call; a test can make the next command throw (<see cref="FailNext"/>) and seed plans in any state.
/// </summary>
public sealed class FakeRemediationService(TimeProvider clock) : IRemediationService
{
    private readonly ConcurrentQueue<string> _calls = new();
    private int _nextId;

    /// <summary>What the planner proposes for the incident; requests take their nodes from it.</summary>
    public PlanProposal Proposal { get; set; } = SampleRemediation.Proposal();

    /// <summary>Who the service thinks calls (the server takes it from the signed-in person).</summary>
    public string Actor { get; set; } = "operator";

    /// <summary>The plans by id.</summary>
    public ConcurrentDictionary<string, RemediationPlan> Plans { get; } = new(StringComparer.Ordinal);

    /// <summary>Each plan's log, oldest first.</summary>
    public ConcurrentDictionary<string, List<PlanLogEntry>> Logs { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request proposed, in order.</summary>
    public List<PlanDraftRequest> Proposed { get; } = [];

    /// <summary>Every request created, in order.</summary>
    public List<PlanDraftRequest> Created { get; } = [];

    /// <summary>Commands received, e.g. <c>submit plan-1 "comment"</c>, <c>control plan-1 Pause</c>.</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>Thrown by the next command (not by reads), then cleared.</summary>
    public Exception? FailNext { get; set; }

    /// <summary>Thrown by submissions while set.</summary>
    public Exception? FailSubmitWith { get; set; }

    /// <summary>Thrown by every read while set.</summary>
    public Exception? FailReads { get; set; }

    /// <summary>Reads served (gets and lists), to see a page re-read.</summary>
    public int Reads { get; private set; }

    /// <summary>Stores a plan (as the engine would have it) and returns it.</summary>
    public RemediationPlan Put(RemediationPlan plan)
    {
        Plans[plan.Id] = plan;
        Log(plan);
        return plan;
    }

    /// <summary>A plan of the incident nodes brought to <paramref name="state"/> the way people and the engine would.</summary>
    public RemediationPlan Seed(PlanState state, string author = "operator", StandingGrant? standing = null)
    {
        var now = clock.GetUtcNow();
        var plan = RemediationPlan.CreateDraft("plan-" + Interlocked.Increment(ref _nextId), author, now, Proposal);
        if (state == PlanState.Draft) return Put(plan);
        plan = plan.Submit(author, "stale linkerd-cni entries on the incident nodes", new ApprovalPolicy(), now);
        if (state == PlanState.PendingApproval) return Put(plan);
        if (state == PlanState.Rejected) return Put(plan.Reject("approver", "not during business hours", now));
        plan = plan.Approve("approver", "looks right", [.. plan.Risks.Select(r => r.Id)], now, standing);
        if (state == PlanState.Approved) return Put(plan);
        plan = plan.Start(author, now, new StartConditions(true));
        plan = plan.Advance(now, FleetObservation.Calm);
        var canary = plan.Nodes[0].Node;
        plan = plan.BeginPrepare(canary, false, now).CompletePrepare(canary, now).BeginApply(canary, now);
        return state switch
        {
            PlanState.Running => Put(plan),
            PlanState.Paused => Put(plan.Pause(author, now)),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not seeded"),
        };
    }

    /// <summary>Replaces a stored plan with what <paramref name="change"/> makes of it (as the engine would), returning the new version.</summary>
    public RemediationPlan Change(string id, Func<RemediationPlan, RemediationPlan> change) => Put(change(Plans[id]));

    /// <inheritdoc />
    public Task<PlanProposal> ProposeAsync(PlanDraftRequest request, CancellationToken cancellationToken)
    {
        Proposed.Add(request);
        Read();
        return Task.FromResult(ProposalFor(request));
    }

    /// <inheritdoc />
    public Task<RemediationPlan> CreateAsync(PlanDraftRequest request, CancellationToken cancellationToken) => Command($"create {request.Rule}", () =>
    {
        Created.Add(request);
        return Put(RemediationPlan.CreateDraft("plan-" + Interlocked.Increment(ref _nextId), Actor, clock.GetUtcNow(), ProposalFor(request), request.Options));
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<PlanSummary>> ListAsync(PlanListQuery query, CancellationToken cancellationToken)
    {
        Read();
        IReadOnlyList<PlanSummary> list = [.. Plans.Values
            .Where(p => query.States is null || query.States.Contains(p.State))
            .Where(p => query.Node is null || p.Nodes.Any(n => n.Node == query.Node))
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id, StringComparer.Ordinal)
            .Take(query.Limit)
            .Select(Summary)];
        return Task.FromResult(list);
    }

    /// <inheritdoc />
    public Task<RemediationPlan?> GetAsync(string planId, CancellationToken cancellationToken)
    {
        Read();
        return Task.FromResult(Plans.GetValueOrDefault(planId));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PlanLogEntry>> GetLogAsync(string planId, CancellationToken cancellationToken)
    {
        Read();
        IReadOnlyList<PlanLogEntry> log = Logs.TryGetValue(planId, out var entries) ? [.. entries] : [];
        return Task.FromResult(log);
    }

    /// <inheritdoc />
    public Task<RemediationPlan> ReviseAsync(string planId, long expectedVersion, PlanRevision revision, CancellationToken cancellationToken) =>
        Command($"revise {planId}", () =>
        {
            var plan = Current(planId, expectedVersion);
            var now = clock.GetUtcNow();
            return Put(revision switch
            {
                { Order: { } order } => plan.Reorder(Actor, order, now),
                { RemoveNode: { } node } => plan.RemoveNode(Actor, node, now),
                { Options: { } options } => plan.ChangeOptions(Actor, options, now),
                _ => throw new RemediationRefusal(RefusalCodes.InvalidPlan, "a revision changes one thing"),
            });
        });

    /// <inheritdoc />
    public Task<RemediationPlan> SubmitAsync(string planId, long expectedVersion, string? comment, CancellationToken cancellationToken) =>
        Command($"submit {planId} \"{comment}\"", () => FailSubmitWith is { } error
            ? throw error
            : Put(Current(planId, expectedVersion).Submit(Actor, comment, new ApprovalPolicy(), clock.GetUtcNow())));

    /// <inheritdoc />
    public Task<RemediationPlan> ApproveAsync(string planId, string planSha256, string? comment, IReadOnlyCollection<string> acknowledgedRisks, StandingGrant? standing, CancellationToken cancellationToken) =>
        Command($"approve {planId} \"{comment}\" [{string.Join(",", acknowledgedRisks.Order(StringComparer.Ordinal))}]{(standing is null ? "" : $" standing {standing.MaxAdditionalNodes} until {standing.Until:u}")}", () =>
        {
            var plan = Current(planId, null);
            if (plan.Sha256() != planSha256) throw new PlanConflictException();
            return Put(plan.Approve(Actor, comment, acknowledgedRisks, clock.GetUtcNow(), standing));
        });

    /// <inheritdoc />
    public Task<RemediationPlan> RejectAsync(string planId, string comment, CancellationToken cancellationToken) =>
        Command($"reject {planId} \"{comment}\"", () => Put(Current(planId, null).Reject(Actor, comment, clock.GetUtcNow())));

    /// <inheritdoc />
    public Task<RemediationPlan> StartAsync(string planId, CancellationToken cancellationToken) =>
        Command($"start {planId}", () => Put(Current(planId, null).Start(Actor, clock.GetUtcNow(), new StartConditions(true))));

    /// <inheritdoc />
    public Task<RemediationPlan> ControlAsync(string planId, PlanControl control, CancellationToken cancellationToken) =>
        Command($"control {planId} {control.Kind}{(control.Node is null ? "" : " " + control.Node)}{(control.Reason is null ? "" : $" \"{control.Reason}\"")}", () =>
        {
            var plan = Current(planId, null);
            var now = clock.GetUtcNow();
            return Put(control.Kind switch
            {
                PlanControlKind.Pause => plan.Pause(Actor, now),
                PlanControlKind.Resume => plan.Resume(Actor, now, new StartConditions(true)),
                PlanControlKind.SkipNode => plan.SkipNode(Actor, control.Node!, now),
                PlanControlKind.RollBackNode => plan.RollBackNode(Actor, control.Node!, now),
                PlanControlKind.RollBack => plan.RollBack(Actor, now),
                PlanControlKind.RestoreAnyway => plan.RestoreAnyway(Actor, control.Node!, control.ExpectedSha256, control.Reason, now, new StartConditions(true)),
                PlanControlKind.Abort => plan.Abort(Actor, control.Reason, now),
                PlanControlKind.RevokeStanding => plan.RevokeStanding(Actor, now),
                _ => throw new ArgumentOutOfRangeException(nameof(control)),
            });
        });

    private PlanProposal ProposalFor(PlanDraftRequest request)
    {
        if (request.Rule != Proposal.Rule) return Proposal with { Rule = request.Rule, Nodes = [], Excluded = [], Risks = [] };
        var byName = Proposal.Nodes.ToDictionary(n => n.Node, StringComparer.Ordinal);
        var nodes = request.Nodes.Count == 0 ? Proposal.Nodes : [.. request.Nodes.Where(byName.ContainsKey).Select(n => byName[n])];
        if (request.Options.CanaryFirst) nodes = [.. nodes.OrderByDescending(n => n.SandboxErrors)];
        var excluded = Proposal.Excluded.Concat(request.Nodes.Where(n => !byName.ContainsKey(n)).Select(n => new ExcludedNode(n, $"no {request.Rule} finding on the node now")))
            .DistinctBy(e => e.Node).ToList();
        return Proposal with { Options = request.Options, Nodes = nodes, Excluded = excluded };
    }

    private RemediationPlan Current(string planId, long? expectedVersion)
    {
        if (!Plans.TryGetValue(planId, out var plan)) throw new RemediationRefusal(RefusalCodes.InvalidPlan, $"there is no plan {planId}");
        if (expectedVersion is { } version && version != plan.Version) throw new PlanConflictException();
        return plan;
    }

    private Task<RemediationPlan> Command(string call, Func<RemediationPlan> command)
    {
        _calls.Enqueue(call);
        if (FailNext is { } error)
        {
            FailNext = null;
            return Task.FromException<RemediationPlan>(error);
        }

        try
        {
            return Task.FromResult(command());
        }
        catch (Exception ex)
        {
            return Task.FromException<RemediationPlan>(ex);
        }
    }

    private void Read()
    {
        Reads++;
        if (FailReads is { } error) throw error;
    }

    private void Log(RemediationPlan plan)
    {
        if (plan.LastEvent is not { } last) return;
        var log = Logs.GetOrAdd(plan.Id, _ => []);
        lock (log)
        {
            log.Add(new PlanLogEntry(100 + log.Count, last.At, last.Actor, last.Action, last.Node, last.Detail ?? last.Action, "ok"));
        }
    }

    private static PlanSummary Summary(RemediationPlan plan) => new()
    {
        Id = plan.Id,
        Rule = plan.Rule,
        Plugin = plan.Plugin,
        State = plan.State,
        Author = plan.Author,
        CreatedAt = plan.CreatedAt,
        UpdatedAt = plan.LastEvent?.At ?? plan.CreatedAt,
        Nodes = plan.Nodes.Count,
        // As the server counts: nodes fixed, or rolled back while the plan rolls back.
        NodesDone = plan.Nodes.Count(n => n.Status == (plan.State is PlanState.RollingBack or PlanState.RolledBack ? NodeStatus.RolledBack : NodeStatus.Fixed)),
        NodesInFlight = [.. plan.Nodes.Where(n => n.Status.IsInHand()).Select(n => n.Node)],
        PausedReason = plan.State == PlanState.Paused ? plan.PauseDetail : null,
    };
}
