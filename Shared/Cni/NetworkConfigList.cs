using System.Text.Json;

namespace CniDashboard.Shared.Cni;

/// <summary>
/// A configuration the runtime can load: a <c>.conflist</c>, or a <c>.conf</c>/<c>.json</c> wrapped
/// into a one-plugin list the way libcni's <c>ConfListFromConf</c> does.
/// </summary>
public sealed class NetworkConfigList
{
    internal NetworkConfigList(
        string fileName, CniFileRole role, string text, JsonElement root,
        string? name, string? cniVersion, bool disableCheck, IReadOnlyList<PluginConfig> plugins)
    {
        FileName = fileName;
        Role = role;
        Text = text;
        Root = root;
        Name = name;
        CniVersion = cniVersion;
        DisableCheck = disableCheck;
        Plugins = plugins;
    }

    /// <summary>The file this came from.</summary>
    public string FileName { get; }

    /// <summary><see cref="CniFileRole.ConfigList"/>, or <see cref="CniFileRole.SingleConfig"/> when wrapped.</summary>
    public CniFileRole Role { get; }

    /// <summary>The file's original text, byte-for-byte as read (decoded as UTF-8).</summary>
    public string Text { get; }

    /// <summary>The whole document, unknown fields included.</summary>
    public JsonElement Root { get; }

    /// <summary>The network name (<c>name</c>).</summary>
    public string? Name { get; }

    /// <summary>The list's <c>cniVersion</c>; for a wrapped single config, the plugin's.</summary>
    public string? CniVersion { get; }

    /// <summary><c>disableCheck</c>: the runtime skips CHECK for this network.</summary>
    public bool DisableCheck { get; }

    /// <summary>The plugins in ADD order (DEL runs them in reverse).</summary>
    public IReadOnlyList<PluginConfig> Plugins { get; }

    /// <summary>The plugin types in ADD order, e.g. <c>aws-cni, egress-cni, portmap, cilium-cni, linkerd-cni</c>.</summary>
    public IReadOnlyList<string> ChainTypes => _chainTypes ??= Plugins.Select(p => p.Type).ToArray();

    // Rules ask for the chain many times per analysis; it never changes.
    private string[]? _chainTypes;
}

/// <summary>One plugin object of a chain, with where it sits in the file.</summary>
public sealed class PluginConfig
{
    internal PluginConfig(
        int index, string type, string? name, string? cniVersion, JsonElement json,
        TextSpan span, string jsonPointer, IReadOnlyList<string> kubeconfigPaths)
    {
        Index = index;
        Type = type;
        Name = name;
        CniVersion = cniVersion;
        Json = json;
        Span = span;
        JsonPointer = jsonPointer;
        KubeconfigPaths = kubeconfigPaths;
    }

    /// <summary>Zero-based position in the chain.</summary>
    public int Index { get; }

    /// <summary>The plugin binary the runtime executes (<c>type</c>).</summary>
    public string Type { get; }

    /// <summary>The plugin's own <c>name</c>, when it has one.</summary>
    public string? Name { get; }

    /// <summary>The plugin object's own <c>cniVersion</c>, when it states one.</summary>
    public string? CniVersion { get; }

    /// <summary>The plugin object, unknown fields included.</summary>
    public JsonElement Json { get; }

    /// <summary>Where the object stands in <see cref="NetworkConfigList.Text"/> (from <c>{</c> to <c>}</c>).</summary>
    public TextSpan Span { get; }

    /// <summary>RFC 6901 pointer to the object: <c>/plugins/4</c>, or empty for a single config.</summary>
    public string JsonPointer { get; }

    /// <summary>Absolute paths of kubeconfig files the plugin reads (any <c>kubeconfig</c> string at any depth).</summary>
    public IReadOnlyList<string> KubeconfigPaths { get; }

    /// <summary>The plugin's display label: <c>type</c>, plus the name when it differs.</summary>
    public string Label => Name is null || Name == Type ? Type : $"{Type} ({Name})";

    /// <summary>A top-level string setting of the plugin, or null.</summary>
    public string? GetString(string property) =>
        JsonText.StringProperty(Json, property);
}

/// <summary>A range of characters in a text.</summary>
/// <param name="Start">Index of the first character.</param>
/// <param name="Length">Number of characters.</param>
public readonly record struct TextSpan(int Start, int Length)
{
    /// <summary>Index just past the last character.</summary>
    public int End => Start + Length;
}
