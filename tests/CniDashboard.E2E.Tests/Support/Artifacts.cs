namespace CniDashboard.E2E.Tests.Support;

/// <summary>Where the tests leave what a person looks at afterwards: <c>artifacts/</c> at the repository root.</summary>
public static class Artifacts
{
    private static readonly Lazy<string> Root = new(() =>
    {
        // The test binary lives somewhere under the clone (bin/ or .build/<slot>/); the clone's root holds the solution.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CniDashboard.sln")))
            {
                return Path.Combine(dir.FullName, "artifacts");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "artifacts");
    });

    /// <summary><c>artifacts/screenshots/</c>, created on first use.</summary>
    public static string Screenshots => Directory.CreateDirectory(Path.Combine(Root.Value, "screenshots")).FullName;

    /// <summary><c>artifacts/measurements/</c>, created on first use: timings the tests print but never assert.</summary>
    public static string Measurements => Directory.CreateDirectory(Path.Combine(Root.Value, "measurements")).FullName;
}
