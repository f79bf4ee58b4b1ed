using CniDashboard.Server.Auth;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CniDashboard.Server.Api;

/// <summary>
/// <c>/api/v1/remediation/plans</c>: the same operations as the plan pages, under the same role
/// policies (reading: View; writing and running: Operate; approving and rejecting: Approve), checked
/// again inside <see cref="IRemediationService"/>. Refusals are ProblemDetails: the plan's refusal is
/// 409 with its <c>code</c> (the two-person rule: 403), a stale version 409, a missing role 403.
/// </summary>
internal static class RemediationApi
{
    public static RouteGroupBuilder MapRemediationApi(this RouteGroupBuilder api)
    {
        var plans = api.MapGroup("/remediation/plans").WithTags("Remediation");
        plans.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (RemediationRefusal e)
            {
                var problem = TypedResults.Problem(
                    statusCode: e.Code == RefusalCodes.TwoPersonRule ? StatusCodes.Status403Forbidden : StatusCodes.Status409Conflict,
                    title: "Refused by the plan", detail: e.Message, type: "urn:cni-dashboard:remediation:" + e.Code);
                problem.ProblemDetails.Extensions["code"] = e.Code;
                return problem;
            }
            catch (PlanConflictException e)
            {
                var problem = TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The plan changed", detail: e.Message, type: "urn:cni-dashboard:remediation:conflict");
                problem.ProblemDetails.Extensions["code"] = "conflict";
                return problem;
            }
            catch (AccessDeniedException e)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: e.Message);
            }
        });

        plans.MapGet("", async (IRemediationService service, string? state, string? node, int? limit, CancellationToken ct) =>
            TypedResults.Ok(await service.ListAsync(ListQuery(state, node, limit), ct))).WithSummary("Plans, newest first; ?state=Running,Paused&node=…&limit=….");

        plans.MapGet("/{id}", async Task<Results<Ok<RemediationPlan>, ProblemHttpResult>> (string id, IRemediationService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } plan ? TypedResults.Ok(plan) : NotFound(id))
            .WithSummary("One plan: nodes, edits, predictions, risks, approvals, steps.");

        plans.MapGet("/{id}/log", async Task<Results<Ok<IReadOnlyList<PlanLogEntry>>, ProblemHttpResult>> (string id, IRemediationService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is null ? NotFound(id) : TypedResults.Ok(await service.GetLogAsync(id, ct)))
            .WithSummary("The plan's step log, oldest first, from its audit entries.");

        plans.MapPost("/proposals", async (PlanDraftRequest request, IRemediationService service, CancellationToken ct) => TypedResults.Ok(await service.ProposeAsync(request, ct)))
            .WithSummary("What a plan for this rule and these nodes would be (edits, predicted findings, risks), without creating it.")
            .RequireAuthorization(DashboardPolicies.Operate).ProducesProblem(StatusCodes.Status409Conflict);

        plans.MapPost("", async (PlanDraftRequest request, IRemediationService service, CancellationToken ct) =>
        {
            var plan = await service.CreateAsync(request, ct);
            return TypedResults.Created($"/api/v1/remediation/plans/{plan.Id}", plan);
        }).WithSummary("Creates a Draft plan (remediation.plan.created).")
            .RequireAuthorization(DashboardPolicies.Operate).ProducesProblem(StatusCodes.Status409Conflict);

        plans.MapPost("/{id}/revisions", async (string id, PlanRevisionRequest body, IRemediationService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ReviseAsync(id, body.ExpectedVersion, body.Revision, ct)))
            .WithSummary("Reorders, removes a node or changes options of a plan under review; voids its approvals.")
            .RequireAuthorization(DashboardPolicies.Operate).ProducesProblem(StatusCodes.Status409Conflict);

        plans.MapPost("/{id}/submit", async (string id, PlanSubmitRequest body, IRemediationService service, CancellationToken ct) =>
            TypedResults.Ok(await service.SubmitAsync(id, body.ExpectedVersion, body.Comment, ct)))
            .WithSummary("Submits a Draft for approval with a comment (refused when a prediction adds a critical finding).")
            .RequireAuthorization(DashboardPolicies.Operate).ProducesProblem(StatusCodes.Status409Conflict);

        plans.MapPost("/{id}/approve", async (string id, PlanApproveRequest body, IRemediationService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ApproveAsync(id, body.PlanSha256, body.Comment, body.AcknowledgedRisks ?? [], body.Standing, ct)))
            .WithSummary("Approves the plan whose hash is planSha256, acknowledging every risk; optionally a standing approval (K more nodes until T).")
            .RequireAuthorization(DashboardPolicies.Approve).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status403Forbidden);

        plans.MapPost("/{id}/reject", async (string id, PlanRejectRequest body, IRemediationService service, CancellationToken ct) =>
            TypedResults.Ok(await service.RejectAsync(id, body.Comment ?? "", ct)))
            .WithSummary("Rejects with a comment.")
            .RequireAuthorization(DashboardPolicies.Approve).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status403Forbidden);

        plans.MapPost("/{id}/start", async (string id, IRemediationService service, CancellationToken ct) => TypedResults.Ok(await service.StartAsync(id, ct)))
            .WithSummary("Starts an approved plan; refused (409) while the Lease is held elsewhere, kured's lock is held, or another plan runs.")
            .RequireAuthorization(DashboardPolicies.Operate).ProducesProblem(StatusCodes.Status409Conflict);

        plans.MapPost("/{id}/control", async (string id, PlanControl control, IRemediationService service, CancellationToken ct) => TypedResults.Ok(await service.ControlAsync(id, control, ct)))
            .WithSummary("Pause, Resume, SkipNode, RollBackNode, RollBack, Abort or RevokeStanding.")
            .RequireAuthorization(DashboardPolicies.Operate).ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    /// <summary>A plan list's filters from <c>?state=Running,Paused&amp;node=…&amp;limit=…</c>; a state that is none is a 400.</summary>
    public static PlanListQuery ListQuery(string? state, string? node, int? limit)
    {
        var states = state?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => Enum.TryParse<PlanState>(s, ignoreCase: true, out var parsed) ? parsed : throw new BadParameterException($"state '{s}' is not one of {string.Join(", ", Enum.GetNames<PlanState>())}"))
            .ToArray();
        return new PlanListQuery { States = states, Node = node, Limit = limit ?? 100 };
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Plan not found", detail: $"There is no plan '{id}'.");
}

/// <summary>A revision of the plan at <paramref name="ExpectedVersion"/>.</summary>
public sealed record PlanRevisionRequest(long ExpectedVersion, PlanRevision Revision);

/// <summary>Submits the plan at <paramref name="ExpectedVersion"/> with a comment.</summary>
public sealed record PlanSubmitRequest(long ExpectedVersion, string? Comment);

/// <summary>An approval of the plan whose hash is <paramref name="PlanSha256"/>.</summary>
public sealed record PlanApproveRequest(string PlanSha256, string? Comment, IReadOnlyList<string>? AcknowledgedRisks, StandingGrant? Standing);

/// <summary>A rejection with its comment.</summary>
public sealed record PlanRejectRequest(string? Comment);
