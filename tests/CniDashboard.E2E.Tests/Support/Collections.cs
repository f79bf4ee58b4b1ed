using CniDashboard.E2E.Tests.Support;
using Xunit.Sdk;
using Xunit.v3;

[assembly: AssemblyFixture(typeof(DemoDashboard))]
// One dashboard and one browser for everything, and tests that change the cluster run after those
// that look at it as seeded: collections run one at a time, in the order of their names.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: TestCollectionOrderer(typeof(CollectionsByName))]

namespace CniDashboard.E2E.Tests.Support;

/// <summary>The names of the test collections; their order is the order they run in.</summary>
public static class Phase
{
    /// <summary>The cluster as seeded: nothing is changed.</summary>
    public const string AsFound = "1 the incident as found";

    /// <summary>A node's file is changed on disk and put back: the cluster ends as it started.</summary>
    public const string LiveUpdates = "2 live updates";

    /// <summary>An incident node is fixed: irreversible, so after the phases that look at the incident.</summary>
    public const string AfterTheFix = "3 after the fix";

    /// <summary>The incident's remaining nodes are fixed through a remediation plan, approved by a second person.</summary>
    public const string Remediation = "3 remediation plans";

    /// <summary>Settings are changed and the audit log read, verified and exported.</summary>
    public const string Administration = "4 audit and settings";

    /// <summary>Everything the run logged is scanned for tokens: last, so it covers every test before it.</summary>
    public const string Logs = "5 the logs of the whole run";
}

[CollectionDefinition(Phase.AsFound)]
public sealed class AsFoundCollection;

[CollectionDefinition(Phase.LiveUpdates)]
public sealed class LiveUpdatesCollection;

[CollectionDefinition(Phase.AfterTheFix)]
public sealed class AfterTheFixCollection;

[CollectionDefinition(Phase.Remediation)]
public sealed class RemediationCollection;

[CollectionDefinition(Phase.Administration)]
public sealed class AdministrationCollection;

[CollectionDefinition(Phase.Logs)]
public sealed class LogsCollection;

/// <summary>Runs test collections in the ordinal order of their display names (see <see cref="Phase"/>).</summary>
public sealed class CollectionsByName : ITestCollectionOrderer
{
    /// <inheritdoc />
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. testCollections.OrderBy(c => c.TestCollectionDisplayName, StringComparer.Ordinal)];
}
