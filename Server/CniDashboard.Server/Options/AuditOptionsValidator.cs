using System.Security.Cryptography;
using CniDashboard.Server.Audit;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Options;

/// <summary>Refuses audit settings the dashboard cannot keep its checkpoints with.</summary>
public sealed class AuditOptionsValidator : IValidateOptions<DashboardOptions>
{
    /// <summary>Shortest checkpoint interval (each write is an API call and an audit entry).</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(10);

    /// <summary>Longest checkpoint interval (entries newer than the checkpoint are what a truncation could lose unnoticed).</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromHours(24);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var checkpoint = options.Audit.Checkpoint;
        if (checkpoint.Interval < MinInterval || checkpoint.Interval > MaxInterval)
            errors.Add($"Dashboard:Audit:Checkpoint:Interval must be between {MinInterval:c} and {MaxInterval:c} (got {checkpoint.Interval:c}).");
        if (!IsDnsLabel(checkpoint.Namespace, 63))
            errors.Add($"Dashboard:Audit:Checkpoint:Namespace '{checkpoint.Namespace}' is not a namespace name.");
        if (!IsDnsSubdomain(checkpoint.ConfigMapName))
            errors.Add($"Dashboard:Audit:Checkpoint:ConfigMapName '{checkpoint.ConfigMapName}' is not a ConfigMap name.");
        if (!string.IsNullOrWhiteSpace(checkpoint.KeyFile))
        {
            if (!File.Exists(checkpoint.KeyFile))
            {
                errors.Add($"Dashboard:Audit:Checkpoint:KeyFile {checkpoint.KeyFile} does not exist.");
            }
            else
            {
                try
                {
                    using var key = AuditCheckpointKey.Read(checkpoint.KeyFile);
                    key.ExportParameters(includePrivateParameters: true);
                }
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
                {
                    errors.Add($"Dashboard:Audit:Checkpoint:KeyFile {checkpoint.KeyFile} is not an ECDSA P-256 private key in PEM: {e.Message}");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsDnsLabel(string? value, int max) =>
        !string.IsNullOrEmpty(value) && value.Length <= max && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1])
        && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static bool IsDnsSubdomain(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 253 && value.Split('.').All(label => IsDnsLabel(label, 63));
}
