using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Tests;

/// <summary>The test's own copies of the reference material (never ../shared: a user's clone has none).</summary>
internal static class Fixture
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>A reference node folder read from disk the way the agent reads it.</summary>
    public static IReadOnlyList<CniFolderFile> Node(string name) => CniFolderReader.Read(PathOf(Path.Combine("nodes", name)));

    /// <summary>The raw texts of a reference node folder, by file name.</summary>
    public static Dictionary<string, string> NodeTexts(string name) =>
        Directory.GetFiles(PathOf(Path.Combine("nodes", name)))
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllText, StringComparer.Ordinal);

    /// <summary>An in-memory folder built the way the agent describes files.</summary>
    public static IReadOnlyList<CniFolderFile> Folder(IEnumerable<KeyValuePair<string, string>> files) =>
        files.Select(f => CniFolderReader.FromText(f.Key, f.Value))
            .OrderBy(f => f.Name, Utf8OrdinalComparer.Instance)
            .ToArray();

    public static IReadOnlyList<CniFolderFile> Folder(params (string Name, string Text)[] files) =>
        Folder(files.Select(f => KeyValuePair.Create(f.Name, f.Text)));

    /// <summary>The reference healthy token's pod (running on the node in the healthy context).</summary>
    public const string HealthyTokenPod = "linkerd-cni-9qv4d";

    /// <summary>The pod the incident token is bound to, deleted during the upgrade.</summary>
    public const string IncidentTokenPod = "linkerd-cni-5hxw8";

    /// <summary>The linkerd-cni pod running on the node during the incident.</summary>
    public const string IncidentLivePod = "linkerd-cni-ltrn6";
}
