using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Settings;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace CniDashboard.Client.Tests;

/// <summary>
/// The base of every component test: loose JS interop, MudBlazor's services with transitions off,
/// the sample cluster behind fake queries, a fake feed, a fake clock at the sample's "now", and an
/// interactive server renderer (pages only follow the feed when interactive).
/// </summary>
public abstract class DashboardTestContext : BunitContext
{
    protected DashboardTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Clock = new FakeTimeProvider(SampleCluster.Now);
        Queries = new FakeDashboardQueries(SampleCluster.Create(), Clock);
        Feed = new FakeClusterChangeFeed();
        Audit = new FakeAuditQueries();
        Settings = new FakeRuntimeSettings(Clock);
        Remediation = new FakeRemediationService(Clock);
        Fleet = new FakeFleetQueries { LocalQueries = Queries };
        Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
            options.PopoverOptions.CheckForPopoverProvider = false;
        });
        Services.AddSingleton<IDashboardQueries>(Queries);
        Services.AddSingleton<IClusterChangeFeed>(Feed);
        Services.AddSingleton<IAuditQueries>(Audit);
        Services.AddSingleton<IRuntimeSettings>(Settings);
        Services.AddSingleton<IRemediationService>(Remediation);
        Services.AddSingleton<CniDashboard.Shared.Fleet.IFleetQueries>(Fleet);
        Services.AddSingleton<TimeProvider>(Clock);
        // Read when first rendered: a test sets Access before that.
        Services.AddSingleton(_ => Access);
        Denials = new RecordedDenials();
        Services.AddSingleton<IAccessDenials>(Denials);
        Services.AddSingleton<Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider>(new FixedAntiforgery());
        Authorization = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    /// <summary>How people sign in, as the pages are told (no sign-in unless a test sets another before rendering).</summary>
    protected AccessSettings Access { get; set; } = AccessSettings.NoSignIn;

    /// <summary>Who is signed in (nobody until a test says so) and which policies they satisfy.</summary>
    protected Bunit.TestDoubles.BunitAuthorizationContext Authorization { get; }

    /// <summary>Refusals the UI recorded.</summary>
    protected RecordedDenials Denials { get; }

    /// <summary>Signs in a person with the dashboard's own claims and the policies <paramref name="roles"/> satisfy.</summary>
    protected void SignIn(string name, string method, IReadOnlyList<string> groups, params DashboardRole[] roles)
    {
        Authorization.SetAuthorized(name);
        Authorization.SetClaims([
            new(DashboardClaimTypes.Name, name),
            new(DashboardClaimTypes.Method, method),
            .. groups.Select(g => new System.Security.Claims.Claim(DashboardClaimTypes.Group, g)),
            .. roles.Select(r => new System.Security.Claims.Claim(DashboardClaimTypes.Role, r.ToString())),
        ]);
        Authorization.SetPolicies([.. DashboardPolicies.All.Where(p => DashboardPolicies.Allows(p, roles))]);
    }

    /// <summary>The antiforgery token forms render: <c>test-antiforgery-token</c>.</summary>
    private sealed class FixedAntiforgery : Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider
    {
        public override Microsoft.AspNetCore.Components.Forms.AntiforgeryRequestToken? GetAntiforgeryToken() => new("test-antiforgery-token", "__RequestVerificationToken");
    }

    /// <summary>The UI's recorded refusals.</summary>
    protected sealed class RecordedDenials : IAccessDenials
    {
        public List<string> Resources { get; } = [];

        public Task RecordAsync(string resource, CancellationToken cancellationToken)
        {
            Resources.Add(resource);
            return Task.CompletedTask;
        }
    }

    /// <summary>The read model, over the sample cluster.</summary>
    protected FakeDashboardQueries Queries { get; }

    /// <summary>The audit log served.</summary>
    protected FakeAuditQueries Audit { get; }

    /// <summary>The run-time settings served.</summary>
    protected FakeRuntimeSettings Settings { get; }

    /// <summary>Remediation plans served.</summary>
    protected FakeRemediationService Remediation { get; }

    /// <summary>The fleet behind the switcher and the fleet pages: only the local cluster unless a test adds more.</summary>
    protected FakeFleetQueries Fleet { get; }

    /// <summary>The live feed the test drives.</summary>
    protected FakeClusterChangeFeed Feed { get; }

    /// <summary>The clock.</summary>
    protected FakeTimeProvider Clock { get; }

    /// <summary>The sample cluster served.</summary>
    protected SampleCluster Cluster => Queries.Cluster;

    /// <summary>The navigation manager (bUnit's), for URLs and history.</summary>
    protected NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    /// <summary>Points the browser at a relative URL before a page renders (query parameters come from it).</summary>
    protected void GoTo(string relativeUrl) => Navigation.NavigateTo(relativeUrl);

    /// <summary>Waits until the page follows the feed.</summary>
    protected static void WaitForSubscription<T>(IRenderedComponent<T> cut, FakeClusterChangeFeed feed, int count = 1)
        where T : IComponent =>
        cut.WaitForState(() => feed.Active >= count, TimeSpan.FromSeconds(5));
}
