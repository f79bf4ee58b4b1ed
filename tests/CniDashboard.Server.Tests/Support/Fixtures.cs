using CniDashboard.Agent.Node;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Server.Tests.Support;

/// <summary>The reference node folders (copied into the test project) and snapshots made from them.</summary>
public static class Fixtures
{
    public static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string Text(string relative) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", relative));

    /// <summary>Copies a reference folder to <paramref name="target"/>.</summary>
    public static string CopyFolder(string name, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Dir(name))) File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        return target;
    }

    /// <summary>A snapshot of a folder as the agent would send it (read with the shared reader: tokens redacted).</summary>
    public static NodeSnapshot Snapshot(string node, string folder, DateTimeOffset? at = null)
    {
        var files = CniFolderReader.Read(folder);
        return Snapshot(node, files, at);
    }

    /// <summary>A snapshot of given entries.</summary>
    public static NodeSnapshot Snapshot(string node, IReadOnlyList<CniFolderFile> files, DateTimeOffset? at = null)
    {
        var primary = PrimaryConfigSelector.Select(files);
        return new NodeSnapshot
        {
            NodeName = node,
            AgentVersion = "test",
            TakenAt = at ?? DateTimeOffset.UtcNow,
            CniDir = "/etc/cni/net.d",
            Files = files,
            PrimaryFile = primary.FileName,
            PrimaryStatus = primary.Status,
            Chain = primary.ChainTypes,
            ManifestHash = ManifestHash.Compute(node, "test", files, null, null),
        };
    }

    /// <summary>One text file as an entry (content as given, hash of it).</summary>
    public static CniFolderFile File_(string name, string content, CniFileKind kind = CniFileKind.Config) => new()
    {
        Name = name,
        Kind = kind,
        Size = System.Text.Encoding.UTF8.GetByteCount(content),
        Mode = "0644",
        Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content))),
        Content = content,
    };
}
