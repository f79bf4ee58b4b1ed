using CniDashboard.Shared.Analysis;

namespace CniDashboard.Server.Analysis;

/// <summary>The one place the dashboard's analyzer is chosen.</summary>
public static class AnalyzerFactory
{
    /// <summary>The shared analyzer with every rule (the same one the offline <c>analyze</c> command runs).</summary>
    public static CniAnalyzer Create() => CniAnalyzer.Default;
}
