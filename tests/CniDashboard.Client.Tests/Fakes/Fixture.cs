using System.Reflection;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>The reference node folders this project carries (embedded, so a clone needs nothing beside it).</summary>
public static class Fixture
{
    /// <summary>The text of <c>Fixtures/{folder}/{file}</c>.</summary>
    public static string Read(string folder, string file)
    {
        var name = $"Fixtures/{folder}/{file}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Missing embedded fixture {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
