using CniDashboard.Shared.Settings;

namespace CniDashboard.Client.Model;

/// <summary>
/// A setting being edited on the Admin page: the stored value, what the Admin typed, and whether that
/// is a value the setting accepts (checked as typed, with the same rules the server applies).
/// </summary>
public sealed class SettingDraft
{
    /// <summary>Starts from the stored value.</summary>
    public SettingDraft(RuntimeSettingValue stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        Stored = stored;
        Text = stored.Value;
    }

    /// <summary>The setting as stored.</summary>
    public RuntimeSettingValue Stored { get; private set; }

    /// <summary>What the Admin typed (or switched).</summary>
    public string Text { get; set; }

    /// <summary>The server's refusal of the last save, if it refused.</summary>
    public string? SaveError { get; set; }

    /// <summary>True while a save runs.</summary>
    public bool Saving { get; set; }

    /// <summary>Why the typed value is not accepted, or null.</summary>
    public string? Problem => DashboardSettings.Find(Stored.Name) is { } setting && !setting.TryNormalize(Text, out _, out var error) ? error : null;

    /// <summary>The typed value as it would be stored.</summary>
    public string Normalized => DashboardSettings.Find(Stored.Name) is { } setting && setting.TryNormalize(Text, out var normalized, out _) ? normalized : Text;

    /// <summary>True when the typed value differs from the stored one.</summary>
    public bool IsDirty => Normalized != Stored.Value;

    /// <summary>True when Save may be pressed.</summary>
    public bool CanSave => IsDirty && Problem is null && !Saving;

    /// <summary>Takes the stored value after a save (or a reload).</summary>
    public void Accept(RuntimeSettingValue stored)
    {
        Stored = stored;
        Text = stored.Value;
        SaveError = null;
    }
}
