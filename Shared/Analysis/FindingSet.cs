namespace CniDashboard.Shared.Analysis;

/// <summary>Findings identified the way the dashboard tracks them across snapshots.</summary>
public static class FindingSet
{
    /// <summary>The findings by <see cref="Finding.Key"/>; a key reported twice keeps the worse.</summary>
    public static Dictionary<string, Finding> ByKey(IEnumerable<Finding> findings)
    {
        var byKey = new Dictionary<string, Finding>(StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            if (!byKey.TryGetValue(finding.Key, out var existing) || finding.Severity > existing.Severity) byKey[finding.Key] = finding;
        }
        return byKey;
    }
}
