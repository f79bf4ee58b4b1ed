namespace CniDashboard.Shared.Cni;

/// <summary>How the container runtime treats a file in the CNI folder, decided by its name alone.</summary>
public enum CniFileRole
{
    /// <summary><c>.conflist</c>: a network configuration list.</summary>
    ConfigList,

    /// <summary><c>.conf</c> or <c>.json</c>: one plugin, which the runtime wraps into a one-plugin list.</summary>
    SingleConfig,

    /// <summary>Any other name (<c>.cilium_bak</c>, <c>.bak</c>, <c>.tmp</c>, kubeconfigs): the runtime never loads it.</summary>
    Ignored,
}

/// <summary>Classifies file names the way libcni's <c>ConfFiles(dir, [".conf", ".conflist", ".json"])</c> does.</summary>
public static class CniFileNames
{
    /// <summary>The role a file plays for the runtime, from the text after its last dot.</summary>
    public static CniFileRole RoleOf(string fileName)
    {
        // Go's filepath.Ext: the suffix from the final dot; case-sensitive.
        var ext = Path.GetExtension(fileName);
        return ext switch
        {
            ".conflist" => CniFileRole.ConfigList,
            ".conf" or ".json" => CniFileRole.SingleConfig,
            _ => CniFileRole.Ignored,
        };
    }

    /// <summary>True when the runtime would consider loading the file.</summary>
    public static bool IsCandidate(string fileName) => RoleOf(fileName) != CniFileRole.Ignored;

    /// <summary>
    /// A plain file name inside the folder: no separators, not <c>.</c>/<c>..</c>, no control characters.
    /// Everything that names a node file (agent routes, API parameters) goes through this check.
    /// </summary>
    public static bool IsPlainFileName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= 255
        && name is not "." and not ".."
        && name.IndexOfAny(['/', '\\', '\0']) < 0
        && !name.Any(char.IsControl);
}
