using System.Data.Common;

namespace CniDashboard.Server.Store;

/// <summary>A run-time setting's stored value.</summary>
public sealed record StoredSetting
{
    /// <summary>The setting.</summary>
    public required string Name { get; init; }

    /// <summary>Its normalized text.</summary>
    public required string Value { get; init; }

    /// <summary>When it was set.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Who set it (display name).</summary>
    public required string UpdatedBy { get; init; }

    /// <summary>The audit entry recording it.</summary>
    public required long AuditSeq { get; init; }
}

/// <summary>Writes the audit entry of a setting change inside the change's transaction; returns its sequence number.</summary>
/// <param name="oldValue">The stored value before (null while never set).</param>
/// <param name="connection">The transaction's connection.</param>
/// <param name="transaction">The transaction.</param>
public delegate Task<long> RecordSettingChange(string? oldValue, DbConnection connection, DbTransaction transaction);

/// <summary>Run-time settings changed by Admins.</summary>
public interface ISettingsRepository
{
    /// <summary>Every stored setting.</summary>
    Task<IReadOnlyList<StoredSetting>> GetAllAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new value and, in the same transaction, the audit entry <paramref name="record"/> writes:
    /// both or neither. Returns the stored row, or null when the value was already the current one
    /// (nothing written, nothing audited).
    /// </summary>
    Task<StoredSetting?> UpdateAsync(string name, string value, string defaultValue, string updatedBy, DateTimeOffset at, RecordSettingChange record, CancellationToken cancellationToken);
}
