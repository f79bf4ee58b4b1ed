using CniDashboard.Server.Audit;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Api;

/// <summary>Maps the REST API under <c>/api/v1</c>.</summary>
public static class ApiEndpoints
{
    /// <summary>Every area, with bad parameters answered as 400 ProblemDetails.</summary>
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        // Every endpoint needs a role (View); ones that change something add their own policy on top.
        var api = app.MapGroup("/api/v1").RequireAuthorization(DashboardPolicies.View);
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (BadParameterException ex)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad parameter", detail: ex.Message);
            }
            catch (AuditWriteException ex)
            {
                // Fail closed: no audit entry, no change.
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audit log unavailable", detail: ex.Message);
            }
        });
        api.MapClusterApi();
        api.MapNodeApi();
        api.MapAuditApi();
        api.MapSettingsApi();
        api.MapRemediationApi();
        api.MapFleetApi();
        return app;
    }
}
