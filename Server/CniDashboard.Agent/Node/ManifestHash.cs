using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Node;

/// <summary>
/// The snapshot's identity (and strong ETag): a hash over everything that matters about the folder
/// — names, sizes, modes, content hashes, links, special files, binaries — but no times, so touching a file or
/// re-reading an unchanged folder gives the same value.
/// </summary>
public static class ManifestHash
{
    /// <summary>Computes the hash (lower-case hex SHA-256).</summary>
    public static string Compute(string nodeName, string agentVersion, IReadOnlyList<CniFolderFile> files, IReadOnlyList<PluginBinary>? binaries, string? binariesError)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        void Field(string? value)
        {
            // Length-prefixed, so no choice of names can make two different manifests collide.
            var text = value ?? "\u0000null";
            var bytes = Encoding.UTF8.GetBytes(text);
            Encoding.UTF8.GetBytes(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":", buffer);
            buffer.Write(bytes);
        }

        Field("cni-dashboard-manifest-v1");
        Field(nodeName);
        Field(agentVersion);
        foreach (var file in files)
        {
            Field("file");
            Field(file.Name);
            Field(file.Kind.ToString());
            Field(file.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Field(file.Mode);
            Field(file.Sha256);
            Field(file.ContentOmitted?.ToString());
            Field(file.IsSymlink ? "link" : "-");
            Field(file.SymlinkTarget);
            Field(file.SymlinkLeavesFolder ? "leaves" : "-");
            Field(file.IsDirectory ? "dir" : "-");
            // Added fields only when set, so a folder without pipes or hard links keeps its hash across versions.
            if (file.RawName is { } raw)
            {
                Field("raw");
                Field(raw);
            }
            if (file.SpecialKind is { } special)
            {
                Field("special");
                Field(special.ToString());
            }
            if (file.LinkCount is { } links)
            {
                Field("links");
                Field(links.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        if (binaries is not null)
        {
            foreach (var binary in binaries)
            {
                Field("bin");
                Field(binary.Name);
                Field(binary.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Field(binary.Sha256);
                if (binary.SpecialKind is { } special)
                {
                    Field("special");
                    Field(special.ToString());
                }
            }
        }
        Field(binariesError);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }
}
