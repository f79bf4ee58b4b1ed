using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace CniDashboard.Client.Components.Layout;

/// <summary>The frame of every page: navigation, cluster and connection status, theme toggle.</summary>
public partial class MainLayout
{
    /// <summary>Where the theme choice is kept in the browser.</summary>
    public const string ThemeStorageKey = "cni-dashboard-theme";

    private readonly MudTheme _theme = DashboardTheme.Create();
    private bool _isDarkMode;
    private bool _drawerOpen = true;

    /// <summary>JS interop, for remembering the theme in the browser's local storage.</summary>
    [Inject]
    public required IJSRuntime JS { get; init; }

    /// <inheritdoc />
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        var stored = await TryJsAsync(() => JS.InvokeAsync<string?>("localStorage.getItem", ThemeStorageKey).AsTask());
        if (stored is "dark" or "light" && (stored == "dark") != _isDarkMode)
        {
            _isDarkMode = stored == "dark";
            StateHasChanged();
        }
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private async Task ToggleThemeAsync()
    {
        _isDarkMode = !_isDarkMode;
        await TryJsAsync(async () =>
        {
            await JS.InvokeVoidAsync("localStorage.setItem", ThemeStorageKey, _isDarkMode ? "dark" : "light");
            return (string?)null;
        });
    }

    private static async Task<string?> TryJsAsync(Func<Task<string?>> call)
    {
        try
        {
            return await call();
        }
        catch (JSException)
        {
            // Storage disabled in the browser: the theme just is not remembered.
            return null;
        }
        catch (JSDisconnectedException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // Prerendering: no browser yet.
            return null;
        }
    }
}
