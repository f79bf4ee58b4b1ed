using System.Security.Cryptography;

namespace CniDashboard.Agent.Tests.Support;

/// <summary>A node's folders on disk: the CNI folder seeded from a fixture, a bin folder, a backup folder, a token file.</summary>
internal sealed class TempNode : IDisposable
{
    public const string Token = "agent-test-token-7f3a9c";

    /// <summary>The linkerd-cni token in the reference kubeconfigs; it must never leave the node.</summary>
    public const string ReferenceTokenSignature = "c2lnbmF0dXJlLW5vdC1yZWFsLXJlZmVyZW5jZS1vbmx5";

    public TempNode(string fixture = "healthy")
    {
        Root = Directory.CreateTempSubdirectory("cni-agent-test-").FullName;
        CniDir = Path.Combine(Root, "net.d");
        BinDir = Path.Combine(Root, "bin");
        BackupDir = Path.Combine(Root, "backups");
        TokenFile = Path.Combine(Root, "token");
        Directory.CreateDirectory(CniDir);
        Directory.CreateDirectory(BinDir);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)))
            File.Copy(file, Path.Combine(CniDir, Path.GetFileName(file)));
        File.SetUnixFileMode(Path.Combine(CniDir, "ZZZ-linkerd-cni-kubeconfig"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(Path.Combine(CniDir, "05-cilium.conflist"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        foreach (var plugin in new[] { "aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni" })
            File.WriteAllText(Path.Combine(BinDir, plugin), $"#!/bin/sh\n# fake {plugin} plugin\n");
        File.WriteAllText(TokenFile, Token + "\n");
    }

    public string Root { get; }
    public string CniDir { get; }
    public string BinDir { get; }
    public string BackupDir { get; }
    public string TokenFile { get; }

    public static string ReferenceToken { get; } = ReadReferenceToken();

    public string PathOf(string name) => Path.Combine(CniDir, name);

    public string Read(string name) => File.ReadAllText(PathOf(name));

    public string Sha(string name) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(PathOf(name))));

    public static string Sha256Of(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a handle for a moment; the temp folder is cleaned by the OS.
        }
    }

    private static string ReadReferenceToken()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "healthy", "ZZZ-linkerd-cni-kubeconfig"));
        var line = text.Split('\n').Single(l => l.TrimStart().StartsWith("token:", StringComparison.Ordinal));
        return line.Split(':', 2)[1].Trim();
    }
}
