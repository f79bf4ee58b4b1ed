using System.Security.Cryptography;
using System.Text;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Tests.Common;

namespace CniDashboard.Shared.Tests.Cni;

public class CniFolderReaderTests
{
    [Fact]
    public void Reads_the_reference_folder_in_byte_order_with_hashes_and_kinds()
    {
        var files = Fixture.Node("incident");

        Assert.Equal(["05-cilium.conflist", "10-aws.conflist", "ZZZ-linkerd-cni-kubeconfig"], files.Select(f => f.Name));
        Assert.Equal([CniFileKind.Config, CniFileKind.Config, CniFileKind.Kubeconfig], files.Select(f => f.Kind));
        var raw = File.ReadAllBytes(Fixture.PathOf("nodes/incident/10-aws.conflist"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(raw)), files[1].Sha256);
        Assert.Equal(raw.Length, files[1].Size);
        Assert.Equal(Encoding.UTF8.GetString(raw), files[1].Content);
        Assert.All(files, f => Assert.Null(f.LoadError));
    }

    [Fact]
    public void Kubeconfig_is_redacted_but_its_facts_are_kept()
    {
        var kubeconfig = Fixture.Node("incident").Single(f => f.Kind == CniFileKind.Kubeconfig);
        var token = Kubeconfig.KubeconfigReaderTests.TokenOf(Fixture.Text("nodes/incident/ZZZ-linkerd-cni-kubeconfig"));

        Assert.DoesNotContain(token, kubeconfig.Content, StringComparison.Ordinal);
        Assert.Contains(TokenRedactor.Marker, kubeconfig.Content, StringComparison.Ordinal);
        Assert.Equal(Fixture.IncidentTokenPod, kubeconfig.Kubeconfig!.Token!.PodName);
        Assert.Equal("https://[172.20.0.1]:443", kubeconfig.Kubeconfig.Server);
        // The hash is of the bytes on disk, so the dashboard can send an edit the agent will accept.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Fixture.PathOf("nodes/incident/ZZZ-linkerd-cni-kubeconfig")))), kubeconfig.Sha256);
    }

    [Fact]
    public void Sort_order_is_by_utf8_bytes()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "b.conf", "B.conf", "a.conflist", "\U0001F600.json", "\uFF5E.json", "-x" }) dir.Write(name, "{}");

        var names = CniFolderReader.Read(dir.Path).Select(f => f.Name).ToArray();

        Assert.Equal(["-x", "B.conf", "a.conflist", "b.conf", "\uFF5E.json", "\U0001F600.json"], names);
    }

    [Fact]
    public void Symlink_leaving_the_folder_is_listed_but_not_followed()
    {
        using var dir = new TempDir();
        var cni = dir.Sub("net.d");
        var outside = dir.Write("secret.conflist", """{"name":"n","plugins":[{"type":"x"}],"token":"outside-secret"}""");
        File.CreateSymbolicLink(Path.Combine(cni, "00-link.conflist"), outside);
        File.CreateSymbolicLink(Path.Combine(cni, "01-dotdot.conflist"), "../secret.conflist");

        var files = CniFolderReader.Read(cni);

        Assert.Equal(2, files.Count);
        Assert.All(files, f =>
        {
            Assert.True(f.IsSymlink);
            Assert.True(f.SymlinkLeavesFolder);
            Assert.Null(f.Content);
            Assert.Null(f.Sha256);
            Assert.Equal(ContentOmission.SymlinkOutsideFolder, f.ContentOmitted);
        });
        Assert.Equal("../secret.conflist", files[1].SymlinkTarget);
    }

    [Fact]
    public void Link_through_a_linked_subfolder_is_not_followed_out_of_the_folder()
    {
        using var dir = new TempDir();
        var cni = dir.Sub("net.d");
        var hostDir = dir.Sub("host-etc");
        File.WriteAllText(Path.Combine(hostDir, "shadow.conflist"), """{"name":"n","plugins":[{"type":"host-secret"}]}""");
        // A subfolder that is a link to a host folder, and a file link that goes through it: the
        // path reads as inside, the kernel resolves it outside.
        Directory.CreateSymbolicLink(Path.Combine(cni, "etc"), hostDir);
        File.CreateSymbolicLink(Path.Combine(cni, "00-through.conflist"), "etc/shadow.conflist");

        var entry = CniFolderReader.Read(cni).Single(f => f.Name == "00-through.conflist");

        Assert.True(entry.SymlinkLeavesFolder);
        Assert.Equal(ContentOmission.SymlinkOutsideFolder, entry.ContentOmitted);
        Assert.Null(entry.Content);
    }

    [Fact(Timeout = 20_000)]
    public async Task Named_pipe_is_listed_with_its_kind_and_never_opened()
    {
        using var dir = new TempDir();
        dir.Write("10-aws.conflist", Fixture.Text("nodes/healthy/10-aws.conflist"));
        HostFiles.MakeFifo(Path.Combine(dir.Path, "00-pipe.conf"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "01-to-pipe.conf"), "00-pipe.conf");

        // Opening the pipe would block forever; the reader must return (the timeout fails the test otherwise).
        var files = await Task.Run(() => CniFolderReader.Read(dir.Path), TestContext.Current.CancellationToken);

        foreach (var name in new[] { "00-pipe.conf", "01-to-pipe.conf" })
        {
            var pipe = files.Single(f => f.Name == name);
            Assert.Equal(SpecialFileKind.Fifo, pipe.SpecialKind);
            Assert.Equal(ContentOmission.SpecialFile, pipe.ContentOmitted);
            Assert.Null(pipe.Sha256);
        }
        var primary = CniFolder.Read(files).Primary;
        Assert.Equal("00-pipe.conf", primary.FileName);
        Assert.Equal(PrimaryStatus.Unknown, primary.Status);
    }

    [Fact]
    public void Hard_linked_file_is_listed_without_content_or_hash()
    {
        using var dir = new TempDir();
        var cni = dir.Sub("net.d");
        var host = dir.Write("host.conflist", """{"name":"n","plugins":[{"type":"host-secret"}]}""");
        HostFiles.HardLink(host, Path.Combine(cni, "20-linked.conflist"));

        var entry = Assert.Single(CniFolderReader.Read(cni));

        Assert.Equal(ContentOmission.HardLinked, entry.ContentOmitted);
        Assert.Equal(2, entry.LinkCount);
        Assert.Null(entry.Content);
        Assert.Null(entry.Sha256);
        Assert.Null(entry.LoadError);
        Assert.Equal(new FileInfo(host).Length, entry.Size);
    }

    [Fact]
    public void Links_that_lead_nowhere_or_to_a_directory_are_candidates_the_runtime_fails_on()
    {
        // libcni lists a folder without following links: such a link sorts first and fails to read,
        // and the node has no configuration (found by the go-cni differential test).
        foreach (var (link, target) in new[] { ("00-gone.conflist", "missing.conflist"), ("00-dir.conflist", "sub"), ("00-loop.conf", "00-loop.conf") })
        {
            using var dir = new TempDir();
            dir.Write("10-aws.conflist", Fixture.Text("nodes/healthy/10-aws.conflist"));
            dir.Sub("sub");
            File.CreateSymbolicLink(Path.Combine(dir.Path, link), target);

            var primary = CniFolder.Read(CniFolderReader.Read(dir.Path)).Primary;

            Assert.Equal(link, primary.FileName);
            Assert.Equal(PrimaryStatus.Invalid, primary.Status);
            Assert.Contains(primary.Error!.Code, new[] { ConfigErrorCode.BrokenLink, ConfigErrorCode.NotAFile });
        }
    }

    [Fact]
    public void Name_that_is_not_utf8_is_read_sorted_by_its_bytes_and_shown_escaped()
    {
        using var dir = new TempDir();
        dir.Write("raw.tmp", Fixture.Text("nodes/healthy/10-aws.conflist"));
        GoCni.RawNames.RenameTo(dir.Path, "raw.tmp", [(byte)'0', (byte)'5', 0x80, .. ".conflist"u8]);
        dir.Write("05\u00e9.conflist", "{");
        try
        {
            var files = CniFolderReader.Read(dir.Path);

            // 0x80 sorts before é (0xC3 0xA9) by bytes, as Go sorts it; the text decoder's U+FFFD would not.
            Assert.Equal(["05\\x80.conflist", "05\u00e9.conflist"], files.Select(f => f.Name));
            Assert.Equal("3035802e636f6e666c697374", files[0].RawName);
            Assert.Null(files[1].RawName);
            Assert.NotNull(files[0].Content);
            var primary = CniFolder.Read(files).Primary;
            Assert.Equal("05\\x80.conflist", primary.FileName);
            Assert.Equal(PrimaryStatus.Loaded, primary.Status);
        }
        finally
        {
            // .NET cannot name the raw file to delete it.
            GoCni.RawNames.RemoveTree(dir.Path);
        }
    }

    [Fact]
    public void Symlink_inside_the_folder_is_followed()
    {
        using var dir = new TempDir();
        dir.Write("10-aws.conflist", Fixture.Text("nodes/healthy/10-aws.conflist"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "00-alias.conflist"), "10-aws.conflist");

        var link = CniFolderReader.Read(dir.Path)[0];

        Assert.Equal("00-alias.conflist", link.Name);
        Assert.True(link.IsSymlink);
        Assert.False(link.SymlinkLeavesFolder);
        Assert.Equal(Fixture.Text("nodes/healthy/10-aws.conflist"), link.Content);
    }

    [Fact]
    public void Dangling_symlink_inside_the_folder_is_unreadable()
    {
        using var dir = new TempDir();
        File.CreateSymbolicLink(Path.Combine(dir.Path, "00-gone.conflist"), Path.Combine(dir.Path, "missing.conflist"));

        var entry = Assert.Single(CniFolderReader.Read(dir.Path));

        Assert.Equal(ContentOmission.Unreadable, entry.ContentOmitted);
    }

    [Fact]
    public void Files_over_the_cap_are_hashed_but_not_kept()
    {
        using var dir = new TempDir();
        var big = Encoding.UTF8.GetBytes("{\"name\":\"" + new string('x', 3000) + "\"}");
        dir.Write("00-big.conflist", big);

        var entry = Assert.Single(CniFolderReader.Read(dir.Path, new CniFolderReadOptions { MaxContentBytes = 1024 }));

        Assert.Equal(ContentOmission.TooLarge, entry.ContentOmitted);
        Assert.Null(entry.Content);
        Assert.Equal(big.Length, entry.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), entry.Sha256);
    }

    [Fact]
    public void Files_over_the_hash_cap_are_listed_without_a_hash()
    {
        using var dir = new TempDir();
        dir.Write("00-big.conflist", new string(' ', 5000));

        var entry = Assert.Single(CniFolderReader.Read(dir.Path, new CniFolderReadOptions { MaxContentBytes = 1024, MaxHashBytes = 2048 }));

        Assert.Null(entry.Sha256);
        Assert.Equal(5000, entry.Size);
    }

    [Theory]
    [InlineData(new byte[] { 0x7B, 0x00, 0x7D })]
    [InlineData(new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D })]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x7B, 0x00 })]
    public void Binary_or_non_utf8_content_is_omitted_with_a_reason(byte[] bytes)
    {
        using var dir = new TempDir();
        dir.Write("00-bin.conflist", bytes);

        var entry = Assert.Single(CniFolderReader.Read(dir.Path));

        Assert.Equal(ContentOmission.Binary, entry.ContentOmitted);
        Assert.Null(entry.Content);
        Assert.NotNull(entry.Sha256);
        Assert.Equal(ConfigErrorCode.NotText, entry.LoadError!.Code);
    }

    [Fact]
    public void Directories_are_entries_without_content()
    {
        using var dir = new TempDir();
        dir.Sub("00-sub.conflist");

        var entry = Assert.Single(CniFolderReader.Read(dir.Path));

        Assert.True(entry.IsDirectory);
        Assert.Equal(CniFileKind.Other, entry.Kind);
        Assert.Equal(ContentOmission.Directory, entry.ContentOmitted);
    }

    [Fact]
    public void Kubeconfig_is_recognised_by_content_whatever_its_name()
    {
        using var dir = new TempDir();
        dir.Write("linkerd-token.yaml", Fixture.Text("nodes/healthy/ZZZ-linkerd-cni-kubeconfig"));

        var entry = Assert.Single(CniFolderReader.Read(dir.Path));

        Assert.Equal(CniFileKind.Kubeconfig, entry.Kind);
        Assert.Equal(Fixture.HealthyTokenPod, entry.Kubeconfig!.Token!.PodName);
        Assert.True(TokenRedactor.ContainsNoJwt(entry.Content!));
    }

    [Fact]
    public void Config_files_carry_their_load_error()
    {
        using var dir = new TempDir();
        dir.Write("00-bad.conflist", """{"name":"n","plugins":[]}""");

        Assert.Equal(ConfigErrorCode.EmptyPlugins, CniFolderReader.Read(dir.Path)[0].LoadError!.Code);
    }

    [Fact]
    public void Tokens_inside_conflists_are_redacted_too()
    {
        using var dir = new TempDir();
        dir.Write("01-old.conf", """{"name":"k8s-pod-network","type":"linkerd-cni","policy":{"type":"k8s","k8s_auth_token":"legacy-secret-value"}}""");

        var entry = CniFolderReader.Read(dir.Path)[0];

        Assert.DoesNotContain("legacy-secret-value", entry.Content, StringComparison.Ordinal);
        Assert.Null(entry.LoadError);
    }

    [Fact]
    public void Entry_count_is_capped()
    {
        using var dir = new TempDir();
        for (var i = 0; i < 20; i++) dir.Write($"{i:00}.tmp", "x");

        Assert.Equal(5, CniFolderReader.Read(dir.Path, new CniFolderReadOptions { MaxEntries = 5 }).Count);
    }

    [Fact]
    public void Missing_folder_throws_directory_not_found()
    {
        Assert.Throws<DirectoryNotFoundException>(() => CniFolderReader.Read(Path.Combine(Path.GetTempPath(), "no-such-cni-" + Guid.NewGuid())));
    }

    [Fact]
    public void ReadOne_refuses_names_with_separators()
    {
        using var dir = new TempDir();
        dir.Write("10-aws.conflist", "{}");

        Assert.Null(CniFolderReader.ReadOne(dir.Path, "../etc/passwd"));
        Assert.Null(CniFolderReader.ReadOne(dir.Path, "missing.conflist"));
        Assert.Equal("10-aws.conflist", CniFolderReader.ReadOne(dir.Path, "10-aws.conflist")!.Name);
    }

    [Fact]
    public void FromText_describes_content_like_a_read_from_disk()
    {
        using var dir = new TempDir();
        var text = Fixture.Text("nodes/healthy/ZZZ-linkerd-cni-kubeconfig");
        dir.Write("ZZZ-linkerd-cni-kubeconfig", text);
        var fromDisk = CniFolderReader.Read(dir.Path)[0];

        var inMemory = CniFolderReader.FromText("ZZZ-linkerd-cni-kubeconfig", text);

        Assert.Equal(fromDisk.Sha256, inMemory.Sha256);
        Assert.Equal(fromDisk.Content, inMemory.Content);
        Assert.Equal(fromDisk.Kubeconfig! with { Token = null }, inMemory.Kubeconfig! with { Token = null });
        Assert.Equal(fromDisk.Kubeconfig.Token! with { Audiences = [] }, inMemory.Kubeconfig.Token! with { Audiences = [] });
        Assert.Equal(fromDisk.Kubeconfig.Token.Audiences, inMemory.Kubeconfig.Token.Audiences);
        Assert.Equal(fromDisk.Kind, inMemory.Kind);
    }

    [Fact]
    public void Bin_reader_lists_plugins_with_hashes_and_follows_links()
    {
        using var dir = new TempDir();
        dir.Write("portmap", "#!/bin/sh\n");
        dir.Write("aws-cni", new byte[] { 0x7F, 0x45, 0x4C, 0x46 });
        File.CreateSymbolicLink(Path.Combine(dir.Path, "linkerd-cni"), Path.Combine(dir.Path, "portmap"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "dangling"), Path.Combine(dir.Path, "nope"));
        dir.Sub("subdir");

        var bins = CniBinReader.Read(dir.Path);

        Assert.Equal(["aws-cni", "linkerd-cni", "portmap"], bins.Select(b => b.Name));
        Assert.Equal(bins[1].Sha256, bins[2].Sha256);
        Assert.Equal(4, bins[0].Size);
        Assert.Null(CniBinReader.Read(dir.Path, hash: false)[0].Sha256);
    }

    [Fact(Timeout = 20_000)]
    public async Task Bin_reader_lists_a_named_pipe_with_its_kind_and_never_opens_it()
    {
        using var dir = new TempDir();
        dir.Write("portmap", "#!/bin/sh\n");
        HostFiles.MakeFifo(Path.Combine(dir.Path, "linkerd-cni"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "istio-cni"), "linkerd-cni");

        var bins = await Task.Run(() => CniBinReader.Read(dir.Path), TestContext.Current.CancellationToken);

        Assert.Equal(["istio-cni", "linkerd-cni", "portmap"], bins.Select(b => b.Name));
        Assert.All(bins.Take(2), b =>
        {
            Assert.Equal(SpecialFileKind.Fifo, b.SpecialKind);
            Assert.Null(b.Sha256);
        });
        Assert.NotNull(bins[2].Sha256);
        Assert.Null(bins[2].SpecialKind);
    }
}
