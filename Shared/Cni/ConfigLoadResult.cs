namespace CniDashboard.Shared.Cni;

/// <summary>What loading one file as the runtime would gave: a configuration, or why not.</summary>
public sealed record ConfigLoadResult
{
    /// <summary>The file name.</summary>
    public required string FileName { get; init; }

    /// <summary>How the runtime treats the file by its name.</summary>
    public required CniFileRole Role { get; init; }

    /// <summary>The loaded configuration, or null when loading failed.</summary>
    public NetworkConfigList? Config { get; init; }

    /// <summary>Why loading failed, or null when it succeeded.</summary>
    public ConfigLoadError? Error { get; init; }

    /// <summary>True when the runtime would load this file.</summary>
    public bool IsValid => Config is not null;

    internal static ConfigLoadResult Failed(string fileName, CniFileRole role, ConfigLoadError error) =>
        new() { FileName = fileName, Role = role, Error = error };
}

/// <summary>Why a file does not load, with a position when the JSON itself is broken.</summary>
/// <param name="Code">A stable machine-readable reason.</param>
/// <param name="Message">The reason in the runtime's words, e.g. <c>error parsing configuration list: no 'plugins' key</c>.</param>
/// <param name="Line">1-based line of a JSON syntax error.</param>
/// <param name="Column">1-based column (in bytes, as the JSON reader counts) of a JSON syntax error.</param>
public sealed record ConfigLoadError(ConfigErrorCode Code, string Message, int? Line = null, int? Column = null)
{
    /// <summary>The message with its position, for display.</summary>
    public override string ToString() => Line is null ? Message : $"{Message} (line {Line}, column {Column})";
}

/// <summary>Stable reasons a configuration file does not load.</summary>
public enum ConfigErrorCode
{
    /// <summary>Not well-formed JSON.</summary>
    InvalidJson,
    /// <summary>Nested deeper than the parser accepts.</summary>
    TooDeep,
    /// <summary>The top level is not a JSON object.</summary>
    NotAnObject,
    /// <summary>A conflist without <c>name</c>.</summary>
    MissingName,
    /// <summary>A known field has the wrong JSON type (e.g. <c>"name": 5</c>).</summary>
    InvalidFieldType,
    /// <summary>A conflist without <c>plugins</c>.</summary>
    MissingPlugins,
    /// <summary>A conflist whose <c>plugins</c> is empty.</summary>
    EmptyPlugins,
    /// <summary>A plugin object without <c>type</c>.</summary>
    PluginMissingType,
    /// <summary>A <c>.conf</c>/<c>.json</c> without <c>type</c> (often a conflist in a .conf file).</summary>
    ConfMissingType,
    /// <summary>The bytes are not UTF-8 text.</summary>
    NotText,
    /// <summary>The content was not available (too large, unreadable, a link leaving the folder).</summary>
    ContentUnavailable,
    /// <summary>A link in the folder that leads nowhere (dangling, or a loop): the runtime lists it and fails to read it.</summary>
    BrokenLink,
    /// <summary>A link in the folder to a directory: the runtime lists it as a file and fails to read it.</summary>
    NotAFile,
}
