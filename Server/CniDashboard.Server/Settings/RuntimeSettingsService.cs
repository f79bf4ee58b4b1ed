using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Security;
using CniDashboard.Shared.Settings;

namespace CniDashboard.Server.Settings;

/// <summary>
/// The run-time settings: values from the store over the defaults of <see cref="DashboardSettings"/>;
/// a change is stored with its audit entry (<see cref="AuditActions.SettingChanged"/>, old → new, by
/// the current user) in one transaction — when the entry cannot be written, the value does not change.
/// </summary>
public sealed class RuntimeSettingsService(ISettingsRepository repository, IAuditLog log, ICurrentUser currentUser, TimeProvider time) : IRuntimeSettings
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<RuntimeSettingValue>> GetAllAsync(CancellationToken cancellationToken)
    {
        var stored = (await repository.GetAllAsync(cancellationToken)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        return [.. DashboardSettings.All.Select(s => View(s, stored.GetValueOrDefault(s.Name)))];
    }

    /// <summary>A setting's current value, typed (what the remediation workflow reads).</summary>
    public async Task<T> GetAsync<T>(RuntimeSetting<T> setting, CancellationToken cancellationToken) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(setting);
        var stored = (await repository.GetAllAsync(cancellationToken)).FirstOrDefault(s => s.Name == setting.Name);
        return setting.ValueOf(stored?.Value);
    }

    /// <inheritdoc />
    public async Task<RuntimeSettingValue> UpdateAsync(string name, string value, CancellationToken cancellationToken)
    {
        var setting = DashboardSettings.Find(name) ?? throw new RuntimeSettingException(
            $"There is no setting '{name}'; the settings are {string.Join(", ", DashboardSettings.All.Select(s => s.Name))}.", unknownSetting: true);
        if (!setting.TryNormalize(value, out var normalized, out var error)) throw new RuntimeSettingException(error);

        var caller = await currentUser.GetAsync(cancellationToken);
        await caller.EnsureAllowedAsync(log, DashboardPolicies.Administer, AuditActions.SettingChanged, new AuditTarget("setting", setting.Name), cancellationToken);
        await repository.UpdateAsync(setting.Name, normalized, setting.DefaultText, caller.Actor.DisplayName, time.GetUtcNow(),
            (old, connection, transaction) => log.AppendAsync(connection, transaction, caller.Record(
                AuditActions.SettingChanged,
                new AuditTarget("setting", setting.Name),
                AuditOutcome.Ok,
                new JsonObject { ["setting"] = setting.Name, ["old"] = old ?? setting.DefaultText, ["new"] = normalized, ["oldWasDefault"] = old is null }),
                cancellationToken),
            cancellationToken);
        return (await GetAllAsync(cancellationToken)).Single(s => s.Name == setting.Name);
    }

    private static RuntimeSettingValue View(RuntimeSetting setting, StoredSetting? stored) => new()
    {
        Name = setting.Name,
        Title = setting.Title,
        Description = setting.Description,
        Kind = setting.Kind,
        Range = setting.Range,
        DefaultValue = setting.DefaultText,
        // A stored value this version no longer accepts falls back to the default.
        Value = stored is not null && setting.TryNormalize(stored.Value, out var value, out _) ? value : setting.DefaultText,
        UpdatedAt = stored?.UpdatedAt,
        UpdatedBy = stored?.UpdatedBy,
        AuditSequence = stored?.AuditSeq,
    };
}
