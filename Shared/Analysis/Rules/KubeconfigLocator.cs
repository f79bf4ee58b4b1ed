using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Maps the host paths that plugin configs name to entries of the node's CNI folder.</summary>
internal static class KubeconfigLocator
{
    /// <summary>Bottlerocket's admin container sees the host root here; configs written from it may carry the prefix.</summary>
    public const string BottlerocketRoot = "/.bottlerocket/rootfs";

    /// <summary>
    /// The folder entry a path names when it lies directly in the CNI folder
    /// (<c>/etc/cni/net.d/x</c> or <c>/.bottlerocket/rootfs/etc/cni/net.d/x</c>); null for paths elsewhere.
    /// </summary>
    public static string? EntryName(string path, string hostCniDir)
    {
        // The common case, /etc/cni/net.d/NAME, without building anything.
        var dirLength = hostCniDir.Length > 1 && hostCniDir[^1] == '/' ? hostCniDir.Length - 1 : hostCniDir.Length;
        if (path.Length > dirLength + 1 && path[dirLength] == '/' && path.AsSpan(0, dirLength).SequenceEqual(hostCniDir.AsSpan(0, dirLength))
            && path.IndexOf('/', dirLength + 1) < 0 && hostCniDir.IndexOf("/.", StringComparison.Ordinal) < 0 && hostCniDir.IndexOf("//", StringComparison.Ordinal) < 0)
        {
            var direct = path[(dirLength + 1)..];
            return direct is "." or ".." ? null : CniFileNames.IsPlainFileName(direct) ? direct : null;
        }

        var normalized = Normalize(path);
        var dir = Normalize(hostCniDir);
        if (normalized is null || dir is null) return null;
        foreach (var folder in (ReadOnlySpan<string>)[dir, StripBottlerocket(dir), BottlerocketRoot + StripBottlerocket(dir)])
        {
            var prefix = folder + "/";
            if (!normalized.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var name = normalized[prefix.Length..];
            return CniFileNames.IsPlainFileName(name) ? name : null;
        }
        return null;
    }

    /// <summary>True when the path is under Bottlerocket's host-root prefix.</summary>
    public static bool IsBottlerocketPath(string path) => path.StartsWith(BottlerocketRoot + "/", StringComparison.Ordinal);

    private static string StripBottlerocket(string path) =>
        IsBottlerocketPath(path) ? path[BottlerocketRoot.Length..] : path;

    /// <summary>Collapses <c>//</c> and <c>.</c> segments and resolves <c>..</c>; null for a relative path.</summary>
    private static string? Normalize(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/') return null;
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }
}

/// <summary>A kubeconfig path named by a loaded plugin, and the folder entry it maps to.</summary>
/// <param name="Config">The configuration the plugin is in.</param>
/// <param name="Plugin">The plugin.</param>
/// <param name="Path">The path as written.</param>
/// <param name="EntryName">The folder entry, or null when the path is outside the folder.</param>
internal sealed record KubeconfigReference(NetworkConfigList Config, PluginConfig Plugin, string Path, string? EntryName)
{
    public static KubeconfigReference[] All(AnalysisInput input)
    {
        List<KubeconfigReference>? result = null;
        foreach (var config in input.ValidConfigs)
        {
            foreach (var plugin in config.Plugins)
            {
                foreach (var path in plugin.KubeconfigPaths)
                    (result ??= []).Add(new KubeconfigReference(config, plugin, path, KubeconfigLocator.EntryName(path, input.HostCniDir)));
            }
        }
        return result?.ToArray() ?? [];
    }
}
