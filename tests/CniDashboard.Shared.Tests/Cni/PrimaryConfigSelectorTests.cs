using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Tests.Cni;

public class PrimaryConfigSelectorTests
{
    private const string Valid = """{"cniVersion":"0.4.0","name":"n","plugins":[{"type":"bridge"}]}""";

    private static CniFolderFile File(string name, string text) => CniFolderReader.FromText(name, text);

    [Fact]
    public void Reference_folder_picks_the_cilium_conflist_and_ignores_the_kubeconfig()
    {
        var primary = CniFolder.Read(Fixture.Node("healthy")).Primary;

        Assert.Equal(PrimaryStatus.Loaded, primary.Status);
        Assert.Equal("05-cilium.conflist", primary.FileName);
        Assert.Equal(["05-cilium.conflist", "10-aws.conflist"], primary.Candidates);
        Assert.Equal(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"], primary.ChainTypes);
        var ignored = Assert.Single(primary.Ignored);
        Assert.Equal("ZZZ-linkerd-cni-kubeconfig", ignored.Name);
        Assert.Contains("kubeconfig", ignored.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_is_by_bytes_not_culture_or_case()
    {
        // 'Z' (0x5A) sorts before 'a' (0x61); '-' (0x2D) before '0'; a culture-aware sort would differ.
        var files = new[] { File("a.conflist", Valid), File("Z.conflist", Valid), File("-x.conf", """{"name":"x","type":"t"}"""), File("0.json", Valid) };

        var primary = PrimaryConfigSelector.Select(files);

        Assert.Equal(["-x.conf", "0.json", "Z.conflist", "a.conflist"], primary.Candidates);
        Assert.Equal("-x.conf", primary.FileName);
    }

    [Fact]
    public void Order_uses_utf8_bytes_for_characters_outside_the_bmp()
    {
        // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8; in UTF-16 the surrogate (D83D) sorts first.
        var files = new[] { File("\U0001F600.conflist", Valid), File("\uFF5E.conflist", Valid) };

        Assert.Equal("\uFF5E.conflist", PrimaryConfigSelector.Select(files).FileName);
    }

    [Fact]
    public void First_invalid_file_blocks_the_node_without_falling_through()
    {
        var files = new[] { File("00-broken.conflist", "{ not json"), File("05-cilium.conflist", Fixture.Text("nodes/healthy/05-cilium.conflist")) };

        var primary = CniFolder.Read(files).Primary;

        Assert.Equal(PrimaryStatus.Invalid, primary.Status);
        Assert.Equal("00-broken.conflist", primary.FileName);
        Assert.Null(primary.Config);
        Assert.Empty(primary.Chain);
        Assert.Equal(ConfigErrorCode.InvalidJson, primary.Error!.Code);
    }

    [Theory]
    [InlineData("10-aws.conflist.cilium_bak", "Cilium")]
    [InlineData("10-aws.conflist.bak", "'.bak'")]
    [InlineData("05-cilium.conflist.tmp", "'.tmp'")]
    [InlineData("ZZZ-linkerd-cni-kubeconfig", "kubeconfig")]
    [InlineData("README", "no extension")]
    [InlineData("10-aws.CONFLIST", "'.CONFLIST'")]
    public void Other_names_are_ignored_with_a_reason(string name, string reasonPart)
    {
        var primary = PrimaryConfigSelector.Select([File(name, Valid), File("10-aws.conflist", Valid)]);

        Assert.Equal("10-aws.conflist", primary.FileName);
        var ignored = Assert.Single(primary.Ignored);
        Assert.Equal(name, ignored.Name);
        Assert.Contains(reasonPart, ignored.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Directories_are_skipped_even_with_a_config_extension()
    {
        var dir = new CniFolderFile { Name = "00-dir.conflist", IsDirectory = true, ContentOmitted = ContentOmission.Directory };

        var primary = PrimaryConfigSelector.Select([dir, File("10-aws.conflist", Valid)]);

        Assert.Equal("10-aws.conflist", primary.FileName);
        Assert.Contains(primary.Ignored, i => i.Name == "00-dir.conflist" && i.Reason.Contains("directory", StringComparison.Ordinal));
    }

    [Fact]
    public void No_candidate_means_no_config()
    {
        var primary = PrimaryConfigSelector.Select([File("10-aws.conflist.cilium_bak", Valid)]);

        Assert.Equal(PrimaryStatus.NoConfig, primary.Status);
        Assert.Null(primary.FileName);
        Assert.Empty(primary.Candidates);
    }

    [Fact]
    public void Empty_folder_means_no_config()
    {
        Assert.Equal(PrimaryStatus.NoConfig, PrimaryConfigSelector.Select([]).Status);
    }

    [Theory]
    [InlineData(ContentOmission.TooLarge, ConfigErrorCode.ContentUnavailable)]
    [InlineData(ContentOmission.SymlinkOutsideFolder, ConfigErrorCode.ContentUnavailable)]
    [InlineData(ContentOmission.Unreadable, ConfigErrorCode.ContentUnavailable)]
    [InlineData(ContentOmission.Binary, ConfigErrorCode.NotText)]
    public void First_candidate_without_content_is_unknown(ContentOmission omission, ConfigErrorCode code)
    {
        var unreadable = new CniFolderFile { Name = "01-x.conflist", Kind = CniFileKind.Config, ContentOmitted = omission };

        var primary = PrimaryConfigSelector.Select([unreadable, File("10-aws.conflist", Valid)]);

        Assert.Equal(PrimaryStatus.Unknown, primary.Status);
        Assert.Equal("01-x.conflist", primary.FileName);
        Assert.Equal(code, primary.Error!.Code);
    }

    [Fact]
    public void A_conflist_in_a_conf_file_sorting_first_blocks_the_node()
    {
        var files = new[] { File("01-wrapped.conf", Fixture.Text("nodes/healthy/10-aws.conflist")), File("10-aws.conflist", Fixture.Text("nodes/healthy/10-aws.conflist")) };

        var primary = CniFolder.Read(files).Primary;

        Assert.Equal(PrimaryStatus.Invalid, primary.Status);
        Assert.Equal(ConfigErrorCode.ConfMissingType, primary.Error!.Code);
    }

    [Fact]
    public void CniFolder_loads_every_candidate_and_backups_but_not_kubeconfigs()
    {
        var texts = Fixture.NodeTexts("healthy");
        var folder = CniFolder.Read(Fixture.Folder(
            ("05-cilium.conflist", texts["05-cilium.conflist"]),
            ("10-aws.conflist.cilium_bak", texts["10-aws.conflist"]),
            ("ZZZ-linkerd-cni-kubeconfig", texts["ZZZ-linkerd-cni-kubeconfig"])));

        Assert.True(folder.Loaded["05-cilium.conflist"].IsValid);
        Assert.True(folder.Loaded["10-aws.conflist.cilium_bak"].IsValid);
        Assert.False(folder.Loaded.ContainsKey("ZZZ-linkerd-cni-kubeconfig"));
        Assert.Equal(["05-cilium.conflist"], folder.ValidConfigs.Select(c => c.FileName));
        Assert.NotNull(folder.Find("ZZZ-linkerd-cni-kubeconfig"));
        Assert.Null(folder.Find("missing"));
    }
}
