using CniDashboard.Client.Model;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Settings;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CniDashboard.Client.Components.Pages;

/// <summary>The Admin page: run-time settings (edited, each change audited) and the audit log's verification.</summary>
public partial class AdminPage : IDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Loadable<IReadOnlyList<RuntimeSettingValue>> _settings = new();
    private List<SettingDraft>? _drafts;
    private AuditVerification? _verification;
    private string? _verifyError;
    private bool _verifying;

    /// <summary>The run-time settings.</summary>
    [Inject]
    public required IRuntimeSettings Settings { get; init; }

    /// <summary>The audit log (verification).</summary>
    [Inject]
    public required IAuditQueries Audit { get; init; }

    /// <summary>Confirmations.</summary>
    [Inject]
    public required ISnackbar Snackbar { get; init; }

    /// <summary>The clock.</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <inheritdoc />
    protected override Task OnInitializedAsync() => LoadSettingsAsync();

    private async Task LoadSettingsAsync()
    {
        if (await _settings.LoadAsync(Settings.GetAllAsync, "the settings", _lifetime.Token))
        {
            _drafts = [.. _settings.Value!.Select(s => new SettingDraft(s))];
        }
    }

    private static void Switch(SettingDraft draft, ChangeEventArgs e) => draft.Text = e.Value is true or "true" or "on" ? "true" : "false";

    private static void Type(SettingDraft draft, ChangeEventArgs e) => draft.Text = e.Value as string ?? "";

    private async Task SaveAsync(SettingDraft draft)
    {
        draft.Saving = true;
        draft.SaveError = null;
        try
        {
            var stored = await Settings.UpdateAsync(draft.Stored.Name, draft.Text, _lifetime.Token);
            draft.Accept(stored);
            Snackbar.Add($"{stored.Title} is now {stored.Value} (audit entry #{stored.AuditSequence}).", MudBlazor.Severity.Success);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A refused value, or the audit log unavailable (then nothing was changed).
            draft.SaveError = $"Not saved: {e.Message}";
        }
        finally
        {
            draft.Saving = false;
        }
    }

    private async Task VerifyAsync()
    {
        _verifying = true;
        _verifyError = null;
        try
        {
            _verification = await Audit.VerifyAsync(_lifetime.Token);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _verifyError = $"Could not verify: {e.Message}";
        }
        finally
        {
            _verifying = false;
        }
    }

    private static MudBlazor.Severity Severity(AuditVerificationStatus status) => status switch
    {
        AuditVerificationStatus.Intact => MudBlazor.Severity.Success,
        AuditVerificationStatus.Unanchored => MudBlazor.Severity.Warning,
        _ => MudBlazor.Severity.Error,
    };

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancelled, not disposed: a call still unwinding may read its token.
        _lifetime.Cancel();
        GC.SuppressFinalize(this);
    }
}
