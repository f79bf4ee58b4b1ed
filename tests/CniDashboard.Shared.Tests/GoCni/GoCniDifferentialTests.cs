using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Tests.GoCni;

/// <summary>
/// The project's primary selection judged against containerd's own code: for a few thousand
/// generated folders, the file the runtime loads first, whether it loads, and its chain must be what
/// containerd's go-cni (Debian's golang-github-containerd-go-cni-dev 1.1.7, with libcni 1.1.2) makes
/// of the same folder on disk.
/// </summary>
/// <remarks>
/// Out of scope, by design of the agent rather than by disagreement about the runtime — for these
/// the file name must still agree, and the project must say the load outcome is unknown:
/// <list type="bullet">
/// <item>links whose target is outside the folder: the agent never follows them (it would tell an
/// outside reader what exists on the host), while the runtime reads through them;</item>
/// <item>files with more than one hard link: the agent withholds their content for the same reason;</item>
/// <item>content that is not UTF-8: the agent keeps only UTF-8 text, while Go's JSON decoder
/// replaces invalid bytes inside strings with U+FFFD and loads the file.</item>
/// </list>
/// And one class where the runtime's own versions disagree: <c>"disableCheck": "true"</c> (a string)
/// loads with libcni 1.2 and later (containerd 2) but not with libcni 1.1.2 (containerd 1.7, and the
/// go-cni judged here); the project follows the newer rule, so those folders compare file names only.
/// Not generated: named pipes and devices, which the runtime itself would block on or fail to read
/// (the agent lists them and never opens them; see HostileInputTests).
/// </remarks>
public sealed class GoCniDifferentialTests
{
    private const int Seed = 20_261_207;
    private const int Folders = 3000;
    private const int BatchSize = 500;

    [Fact]
    public async Task Primary_file_load_outcome_and_chain_agree_with_containerds_go_cni()
    {
        var ct = TestContext.Current.CancellationToken;
        var goCni = await GoCniProgram.BuildAsync(ct);
        var root = Directory.CreateTempSubdirectory("cni-gocni-differential-").FullName;
        try
        {
            var outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
            var generator = new FolderGenerator(new Random(Seed), outside);
            var disagreements = new List<string>();
            var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

            for (var batch = 0; batch * BatchSize < Folders; batch++)
            {
                var batchRoot = Directory.CreateDirectory(Path.Combine(root, $"batch-{batch:00}")).FullName;
                var folders = Enumerable.Range(batch * BatchSize, Math.Min(BatchSize, Folders - batch * BatchSize))
                    .Select(i => generator.Generate(batchRoot, $"c{i:00000}"))
                    .ToList();
                var theirs = await goCni.LoadAllAsync(batchRoot, ct);

                foreach (var folder in folders)
                {
                    var go = theirs[folder.Case];
                    outcomes[go.Outcome] = outcomes.GetValueOrDefault(go.Outcome) + 1;
                    if (Disagreement(folder, go) is { } why) disagreements.Add($"{folder}\n    {why}");
                }
            }

            Assert.True(disagreements.Count == 0,
                $"seed {Seed}: {disagreements.Count} of {Folders} folders disagree with go-cni (outcomes {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}):\n"
                + string.Join("\n", disagreements.Take(25)));
            // The generator reaches every outcome often enough to mean something.
            foreach (var outcome in new[] { "loaded", "invalid", "noConfig" })
                Assert.True(outcomes.GetValueOrDefault(outcome) >= Folders / 20, $"seed {Seed}: only {outcomes.GetValueOrDefault(outcome)} folders where go-cni says {outcome}");
        }
        finally
        {
            RawNames.RemoveTree(root);
        }
    }

    private static string? Disagreement(GeneratedFolder folder, GoCniResult go)
    {
        var files = CniFolderReader.Read(folder.Path);
        var primary = CniFolder.Read(files).Primary;
        byte[] NameBytes(string name, string _) =>
            files.Single(f => f.Name == name) is { RawName: { } raw } ? Convert.FromHexString(raw) : System.Text.Encoding.UTF8.GetBytes(name);
        var ours = $"ours: {primary.FileName ?? "-"} {primary.Status} [{string.Join(", ", primary.ChainTypes)}] {primary.Error}";
        var theirs = $"go-cni: {(go.Primary.Length == 0 ? "-" : go.Primary)} {go.Outcome} [{string.Join(", ", go.Chain)}] {go.Error}";

        var ourHex = primary.FileName is null ? "" : Convert.ToHexStringLower(NameBytes(primary.FileName, folder.Path));
        if (ourHex != go.PrimaryHex) return $"primary differs; {ours}; {theirs}";
        if (folder.Scope.HasFlag(OutOfScope.DisableCheckString)) return null;
        if (primary.Status == PrimaryStatus.Unknown && folder.Scope != OutOfScope.None) return null;
        var expected = go.Outcome switch
        {
            "loaded" => PrimaryStatus.Loaded,
            "invalid" => PrimaryStatus.Invalid,
            "noConfig" => PrimaryStatus.NoConfig,
            _ => (PrimaryStatus?)null,
        };
        if (expected != primary.Status) return $"load outcome differs; {ours}; {theirs}";
        if (!primary.ChainTypes.SequenceEqual(go.Chain)) return $"chain differs; {ours}; {theirs}";
        return null;
    }
}
