using MudBlazor;

namespace CniDashboard.Client.Components.Layout;

/// <summary>The dashboard's palette: calm chrome, so red, amber and green stand out for severities.</summary>
public static class DashboardTheme
{
    private const string DarkText = "#10161e";

    /// <summary>Builds the theme.</summary>
    public static MudTheme Create() => new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fa8",
            AppbarBackground = "#1b2a3a",
            AppbarText = "#ffffff",
            Error = "#c62828",
            // Dark enough amber for white text on a filled warning button (AA, 4.5:1).
            Warning = "#a05f00",
            Success = "#2e7d32",
            Info = "#0277bd",
            Background = "#f5f7fa",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7cb4f0",
            AppbarBackground = "#111821",
            Error = "#ef6c6c",
            Warning = "#ffb74d",
            Success = "#81c784",
            Info = "#4fc3f7",

            // The dark theme's colours are light, so text on filled buttons and chips (a selected facet, the
            // chosen time window, a stuck rollout) is dark: white on them is unreadable.
            PrimaryContrastText = DarkText,
            ErrorContrastText = DarkText,
            WarningContrastText = DarkText,
            SuccessContrastText = DarkText,
            InfoContrastText = DarkText,
        },
    };
}
