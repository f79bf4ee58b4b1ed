using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Model;

/// <summary>What a refused remediation command tells the person, and whether the page must re-read the plan.</summary>
/// <param name="Message">The sentence shown.</param>
/// <param name="Reload">True when the plan changed underneath (read it again before anything else).</param>
/// <param name="Code">The refusal's code, when the plan refused (<see cref="RefusalCodes"/>).</param>
public sealed record CommandError(string Message, bool Reload, string? Code = null)
{
    /// <summary>
    /// Describes why <paramref name="what"/> did not happen: the plan's refusal as it says it, a missing
    /// role, a plan that changed since it was read; anything else as a failure with its message.
    /// </summary>
    public static CommandError From(string what, Exception error) => error switch
    {
        RemediationRefusal refusal => new($"Could not {what}: {refusal.Message}", false, refusal.Code),
        UnauthorizedAccessException denied => new($"You are not allowed to {what}: {denied.Message}", false),
        PlanConflictException conflict => new($"Could not {what}: {conflict.Message} The plan has been reloaded: check it and try again.", true),
        _ => new($"Could not {what}: {error.Message}", false),
    };

    /// <summary>
    /// Runs a command; an exception becomes a <see cref="CommandError"/> (cancellation of the page is rethrown).
    /// </summary>
    public static async Task<(T? Result, CommandError? Error)> RunAsync<T>(string what, Func<Task<T>> command, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return (await command(), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return (null, From(what, ex));
        }
    }
}
