using System.Globalization;
using CniDashboard.Client.Components.Layout;
using MudBlazor;

namespace CniDashboard.Client.Tests.Layout;

/// <summary>Text on filled buttons and chips (a selected facet, the chosen window, a stuck rollout) must stay readable.</summary>
public class DashboardThemeTests
{
    /// <summary>WCAG AA for normal text.</summary>
    private const double MinimumContrast = 4.5;

    public static TheoryData<string> Palettes => new() { "light", "dark" };

    [Theory]
    [MemberData(nameof(Palettes))]
    public void Text_on_every_filled_severity_and_primary_colour_has_AA_contrast(string which)
    {
        var theme = DashboardTheme.Create();
        Palette palette = which == "dark" ? theme.PaletteDark : theme.PaletteLight;

        (string Name, MudBlazor.Utilities.MudColor Fill, MudBlazor.Utilities.MudColor Text)[] pairs =
        [
            ("primary", palette.Primary, palette.PrimaryContrastText),
            ("error", palette.Error, palette.ErrorContrastText),
            ("warning", palette.Warning, palette.WarningContrastText),
            ("success", palette.Success, palette.SuccessContrastText),
            ("info", palette.Info, palette.InfoContrastText),
        ];

        Assert.All(pairs, pair => Assert.True(
            Contrast(pair.Fill, pair.Text) >= MinimumContrast,
            string.Create(CultureInfo.InvariantCulture, $"{which} {pair.Name}: {pair.Text} on {pair.Fill} has contrast {Contrast(pair.Fill, pair.Text):0.00}")));
    }

    private static double Contrast(MudBlazor.Utilities.MudColor a, MudBlazor.Utilities.MudColor b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(MudBlazor.Utilities.MudColor color) =>
        0.2126 * Linear(color.R) + 0.7152 * Linear(color.G) + 0.0722 * Linear(color.B);

    private static double Linear(byte channel)
    {
        var c = channel / 255.0;
        return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
    }
}
