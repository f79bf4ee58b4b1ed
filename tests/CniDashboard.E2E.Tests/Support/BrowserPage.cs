using Microsoft.Playwright;

namespace CniDashboard.E2E.Tests.Support;

/// <summary>One test's browser context and page; disposing closes both.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    /// <summary>Wraps the page and starts recording script errors on it.</summary>
    public BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.PageError += (_, error) => Record("uncaught: " + error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Record($"console: {message.Text} ({message.Location})");
            }
        };
    }

    /// <summary>The page.</summary>
    public IPage Page { get; }

    /// <summary>Fails the test if the page threw or logged an error (a broken circuit shows up here first).</summary>
    public void AssertNoScriptErrors()
    {
        lock (_errors)
        {
            Assert.True(_errors.Count == 0, "script errors on the page:\n" + string.Join("\n", _errors));
        }
    }

    /// <summary>
    /// Waits until the Blazor circuit renders the page (the layout's <c>data-interactive</c>): before
    /// that the prerendered HTML shows data but buttons and pickers do nothing.
    /// </summary>
    public Task WaitForInteractiveAsync() =>
        Assertions.Expect(Page.GetByTestId("page-content")).ToHaveAttributeAsync("data-interactive", "true");

    /// <summary>Saves a screenshot (the full page, or only the window) as <c>artifacts/screenshots/{name}.png</c> and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name, bool fullPage = true)
    {
        var path = Path.Combine(Artifacts.Screenshots, name + ".png");
        // A full-page capture of a scrolled page draws the fixed app bar and drawer where the viewport was.
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    /// <summary>Saves a screenshot of one part of the page as <c>artifacts/screenshots/{name}.png</c>.</summary>
    public async Task<string> ScreenshotAsync(string name, ILocator part)
    {
        var path = Path.Combine(Artifacts.Screenshots, name + ".png");
        await part.ScreenshotAsync(new LocatorScreenshotOptions { Path = path, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Page.CloseAsync();
        await _context.CloseAsync();
    }

    private void Record(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }
}
