using CniDashboard.Shared.Analysis;

namespace CniDashboard.Server.Analysis;

/// <summary>The one place the dashboard's analyzer is made.</summary>
public static class AnalyzerFactory
{
    /// <summary>
    /// Every rule the shared library defines (public, concrete, parameterless). When the shared
    /// library offers a ready-made analyzer (<c>CniAnalyzer.Default</c>), this becomes that one line.
    /// </summary>
    public static CniAnalyzer Create()
    {
        var rules = typeof(IAnalyzerRule).Assembly.GetExportedTypes()
            .Where(t => typeof(IAnalyzerRule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IAnalyzerRule)Activator.CreateInstance(t)!)
            .ToArray();
        return new CniAnalyzer(rules);
    }
}
