using CniDashboard.Shared.Security;
using CniDashboard.Shared.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CniDashboard.Server.Api;

/// <summary><c>/api/v1/settings</c>: the run-time settings, read and changed (each change audited with it).</summary>
internal static class SettingsApi
{
    public static RouteGroupBuilder MapSettingsApi(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings");

        settings.MapGet("", async (IRuntimeSettings runtime, CancellationToken ct) => TypedResults.Ok(await runtime.GetAllAsync(ct)))
            .WithSummary("Every run-time setting with its value, default and last change.");

        settings.MapGet("/{name}", async Task<Results<Ok<RuntimeSettingValue>, ProblemHttpResult>> (string name, IRuntimeSettings runtime, CancellationToken ct) =>
            (await runtime.GetAllAsync(ct)).FirstOrDefault(s => s.Name == name) is { } value ? TypedResults.Ok(value) : UnknownSetting(name))
            .WithSummary("One setting.");

        settings.MapPut("/{name}", async Task<Results<Ok<RuntimeSettingValue>, ProblemHttpResult>> (string name, SettingUpdate update, IRuntimeSettings runtime, CancellationToken ct) =>
        {
            try
            {
                return TypedResults.Ok(await runtime.UpdateAsync(name, update.Value ?? "", ct));
            }
            catch (RuntimeSettingException e)
            {
                return e.UnknownSetting
                    ? UnknownSetting(name)
                    : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad value", detail: e.Message);
            }
        }).WithSummary("Sets a value, e.g. {\"value\":\"false\"} or {\"value\":\"48h\"}; stored with its audit entry (settings.changed) or not at all (503).")
            .RequireAuthorization(DashboardPolicies.Administer);

        return api;
    }

    private static ProblemHttpResult UnknownSetting(string name) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Setting not found",
        detail: $"There is no setting '{name}'; the settings are {string.Join(", ", DashboardSettings.All.Select(s => s.Name))}.");
}

/// <summary>A new value for a setting.</summary>
/// <param name="Value">As a person would type it (<c>true</c>, <c>2</c>, <c>48h</c>).</param>
public sealed record SettingUpdate(string? Value);
