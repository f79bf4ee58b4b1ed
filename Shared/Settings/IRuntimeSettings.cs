namespace CniDashboard.Shared.Settings;

/// <summary>
/// The run-time settings as the Admin page and the REST API see them. A change is stored together
/// with its audit entry (old → new, by the current user) in one transaction, or not at all.
/// </summary>
public interface IRuntimeSettings
{
    /// <summary>Every setting with its current value.</summary>
    Task<IReadOnlyList<RuntimeSettingValue>> GetAllAsync(CancellationToken cancellationToken);

    /// <summary>Sets a value (as a person types it); returns the setting as stored.</summary>
    /// <exception cref="RuntimeSettingException">Unknown setting, or a value it does not accept.</exception>
    Task<RuntimeSettingValue> UpdateAsync(string name, string value, CancellationToken cancellationToken);
}

/// <summary>A setting and its current value.</summary>
public sealed record RuntimeSettingValue
{
    /// <summary>The setting's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its label.</summary>
    public required string Title { get; init; }

    /// <summary>What it changes.</summary>
    public required string Description { get; init; }

    /// <summary>How it is edited.</summary>
    public required RuntimeSettingKind Kind { get; init; }

    /// <summary>The accepted values, in words.</summary>
    public required string Range { get; init; }

    /// <summary>The current value, normalized.</summary>
    public required string Value { get; init; }

    /// <summary>The default, normalized.</summary>
    public required string DefaultValue { get; init; }

    /// <summary>When it was last changed; null while never changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Who last changed it (display name).</summary>
    public string? UpdatedBy { get; init; }

    /// <summary>The audit entry recording the last change.</summary>
    public long? AuditSequence { get; init; }

    /// <summary>True when the value is the default.</summary>
    public bool IsDefault => Value == DefaultValue;
}

/// <summary>A setting that does not exist, or a value it does not accept. The message says which.</summary>
public sealed class RuntimeSettingException(string message, bool unknownSetting = false) : Exception(message)
{
    /// <summary>True when no setting has the name (as opposed to a bad value).</summary>
    public bool UnknownSetting { get; } = unknownSetting;
}
