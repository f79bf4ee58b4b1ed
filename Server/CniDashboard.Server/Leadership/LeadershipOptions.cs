using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Leadership;

/// <summary>
/// Leader election among replicas (<c>Dashboard:Leadership</c>), on when the store is PostgreSQL: the
/// replicas share the store, and the work that must happen once (watching sandbox events, fetching
/// agents, analysis, retention, audit checkpoints, the remediation engine) runs on the one holding
/// the Lease. The Lease lives in the dashboard's namespace (<c>Dashboard:Remediation:Namespace</c>)
/// and each replica names itself with <c>Dashboard:Remediation:Identity</c> (its pod name).
/// </summary>
public sealed class LeadershipOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dashboard:Leadership";

    /// <summary>The Lease the replicas compete for (the chart's Role grants get/create/update on this one name).</summary>
    public string LeaseName { get; set; } = "cni-dashboard-leader";

    /// <summary>How long a Lease not renewed still stands: a follower takes over at most this long after the leader stopped renewing.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it gives leadership up (shorter than <see cref="LeaseDuration"/>, so it stops before anyone else may start).</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often candidates try to take the Lease, and the leader renews it.</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Refuses timings under which two replicas could lead at once, at start.</summary>
public sealed class LeadershipOptionsValidator : IValidateOptions<LeadershipOptions>
{
    /// <summary>KubernetesClient's jitter on the retry period (as client-go's).</summary>
    public const double JitterFactor = 1.2;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LeadershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string at = LeadershipOptions.Section;
        if (string.IsNullOrWhiteSpace(options.LeaseName) || options.LeaseName.Length > 253
            || !options.LeaseName.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
            || !char.IsAsciiLetterOrDigit(options.LeaseName[0]) || !char.IsAsciiLetterOrDigit(options.LeaseName[^1]))
            errors.Add($"{at}:LeaseName '{options.LeaseName}' is not a Kubernetes object name.");
        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration > TimeSpan.FromMinutes(5))
            errors.Add($"{at}:LeaseDuration must be between 1 s and 5 min (got {options.LeaseDuration:c}).");
        if (options.RetryPeriod < TimeSpan.FromMilliseconds(100))
            errors.Add($"{at}:RetryPeriod must be at least 100 ms (got {options.RetryPeriod:c}).");
        if (options.RenewDeadline >= options.LeaseDuration)
            errors.Add($"{at}:RenewDeadline must be shorter than LeaseDuration, so a leader that cannot renew stops before another may start (got {options.RenewDeadline:c} and {options.LeaseDuration:c}).");
        if (options.RenewDeadline <= options.RetryPeriod * JitterFactor)
            errors.Add($"{at}:RenewDeadline must be longer than {JitterFactor} × RetryPeriod, or renewals cannot succeed in time (got {options.RenewDeadline:c} and {options.RetryPeriod:c}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
