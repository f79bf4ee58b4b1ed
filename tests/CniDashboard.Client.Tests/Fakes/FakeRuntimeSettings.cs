using CniDashboard.Shared.Settings;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>
/// <see cref="IRuntimeSettings"/> in memory, over the real setting definitions (the same checks the
/// server makes), recording every update; a failure can be set to stand for the audit log being unavailable.
/// </summary>
public sealed class FakeRuntimeSettings(TimeProvider clock) : IRuntimeSettings
{
    private readonly Dictionary<string, RuntimeSettingValue> _stored = new(StringComparer.Ordinal);
    private long _sequence = 41;

    /// <summary>Every update received: (name, value as typed).</summary>
    public List<(string Name, string Value)> Updates { get; } = [];

    /// <summary>When set, updates throw with this message and change nothing.</summary>
    public string? FailUpdates { get; set; }

    /// <inheritdoc />
    public Task<IReadOnlyList<RuntimeSettingValue>> GetAllAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RuntimeSettingValue>>([.. DashboardSettings.All.Select(s => _stored.GetValueOrDefault(s.Name) ?? Default(s))]);

    /// <inheritdoc />
    public Task<RuntimeSettingValue> UpdateAsync(string name, string value, CancellationToken cancellationToken)
    {
        Updates.Add((name, value));
        if (FailUpdates is not null) throw new InvalidOperationException(FailUpdates);
        var setting = DashboardSettings.Find(name) ?? throw new RuntimeSettingException($"There is no setting '{name}'.", unknownSetting: true);
        if (!setting.TryNormalize(value, out var normalized, out var error)) throw new RuntimeSettingException(error);
        var stored = Default(setting) with { Value = normalized, UpdatedAt = clock.GetUtcNow(), UpdatedBy = "Alice", AuditSequence = ++_sequence };
        _stored[name] = stored;
        return Task.FromResult(stored);
    }

    private static RuntimeSettingValue Default(RuntimeSetting s) => new()
    {
        Name = s.Name,
        Title = s.Title,
        Description = s.Description,
        Kind = s.Kind,
        Range = s.Range,
        Value = s.DefaultText,
        DefaultValue = s.DefaultText,
    };
}
