using System.Text;
using System.Text.Json;

namespace CniDashboard.Shared.Cni;

/// <summary>
/// Loads CNI configuration files with the rules of libcni (<c>ConfListFromBytes</c>,
/// <c>ConfFromBytes</c>) and containerd's go-cni, so "valid" here means "the runtime would load it".
/// Never throws on bad input: every failure is a <see cref="ConfigLoadError"/>.
/// </summary>
public static class CniConfigParser
{
    /// <summary>Deepest nesting accepted; deeper documents are reported, not parsed.</summary>
    public const int MaxDepth = 256;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>Loads a file as the runtime would, by the role its name gives it.</summary>
    public static ConfigLoadResult Load(string fileName, string text) =>
        LoadAs(fileName, text, CniFileNames.RoleOf(fileName));

    /// <summary>
    /// Loads content with an explicit role, e.g. a <c>10-aws.conflist.cilium_bak</c> read as the
    /// conflist it used to be. <see cref="CniFileRole.Ignored"/> is read as a conflist.
    /// </summary>
    public static ConfigLoadResult LoadAs(string fileName, string text, CniFileRole role)
    {
        if (role == CniFileRole.Ignored) role = CniFileRole.ConfigList;
        try
        {
            return LoadCore(fileName, text, role);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            // Defence in depth: LoadCore checks every shape before reading it.
            return ConfigLoadResult.Failed(fileName, role, new ConfigLoadError(ConfigErrorCode.InvalidJson, ex.Message));
        }
    }

    private static ConfigLoadResult LoadCore(string fileName, string text, CniFileRole role)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            // Go's encoding/json rejects a byte-order mark, so the runtime does too.
            return ConfigLoadResult.Failed(fileName, role, new ConfigLoadError(
                ConfigErrorCode.InvalidJson, "invalid character 'ï' looking for beginning of value (byte-order mark)", 1, 1));
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        if (!TryParseDocument(bytes, out var root, out var parseError))
            return ConfigLoadResult.Failed(fileName, role, parseError);

        if (root.ValueKind != JsonValueKind.Object)
        {
            var what = role == CniFileRole.ConfigList ? "error parsing configuration list" : "error parsing configuration";
            return ConfigLoadResult.Failed(fileName, role, new ConfigLoadError(
                ConfigErrorCode.NotAnObject, $"{what}: cannot unmarshal {GoTypeName(root.ValueKind)} into an object"));
        }

        var offsets = new ByteToCharOffsets(bytes);
        return role == CniFileRole.ConfigList
            ? LoadList(fileName, text, bytes, root, offsets)
            : LoadSingle(fileName, text, bytes, root, offsets);
    }

    private static ConfigLoadResult LoadList(string fileName, string text, byte[] bytes, JsonElement root, ByteToCharOffsets offsets)
    {
        const string Prefix = "error parsing configuration list";
        ConfigLoadResult Fail(ConfigErrorCode code, string message) =>
            ConfigLoadResult.Failed(fileName, CniFileRole.ConfigList, new ConfigLoadError(code, $"{Prefix}: {message}"));

        // The top level is read into a Go map: keys are case-sensitive, the last duplicate wins.
        if (!JsonFields.TryGetLast(root, "name", out var nameValue))
            return Fail(ConfigErrorCode.MissingName, "no name");
        if (nameValue.ValueKind != JsonValueKind.String)
            return Fail(ConfigErrorCode.InvalidFieldType, $"invalid name type {GoTypeName(nameValue.ValueKind)}");

        string? cniVersion = null;
        if (JsonFields.TryGetLast(root, "cniVersion", out var versionValue))
        {
            if (versionValue.ValueKind != JsonValueKind.String)
                return Fail(ConfigErrorCode.InvalidFieldType, $"invalid cniVersion type {GoTypeName(versionValue.ValueKind)}");
            cniVersion = JsonText.String(versionValue);
        }

        var disableCheck = false;
        if (JsonFields.TryGetLast(root, "disableCheck", out var disableValue))
        {
            switch (disableValue.ValueKind)
            {
                case JsonValueKind.True: disableCheck = true; break;
                case JsonValueKind.False: break;
                case JsonValueKind.String when bool.TryParse(JsonText.String(disableValue), out var parsed): disableCheck = parsed; break;
                default: return Fail(ConfigErrorCode.InvalidFieldType, $"invalid disableCheck type {GoTypeName(disableValue.ValueKind)}");
            }
        }

        if (!JsonFields.TryGetLast(root, "plugins", out var pluginsValue))
            return Fail(ConfigErrorCode.MissingPlugins, "no 'plugins' key");
        if (pluginsValue.ValueKind != JsonValueKind.Array)
            return Fail(ConfigErrorCode.InvalidFieldType, $"invalid 'plugins' type {GoTypeName(pluginsValue.ValueKind)}");
        if (pluginsValue.GetArrayLength() == 0)
            return Fail(ConfigErrorCode.EmptyPlugins, "no plugins in list");

        var spans = PluginSpanScanner.ListElementSpans(bytes, offsets);
        var plugins = new List<PluginConfig>(pluginsValue.GetArrayLength());
        var index = 0;
        foreach (var element in pluginsValue.EnumerateArray())
        {
            var span = index < spans.Count ? spans[index] : default;
            var plugin = ReadPlugin(element, index, span, $"/plugins/{index}", out var error);
            if (plugin is null)
            {
                var code = error!.Value.Code == ConfigErrorCode.ConfMissingType ? ConfigErrorCode.PluginMissingType : error.Value.Code;
                return ConfigLoadResult.Failed(fileName, CniFileRole.ConfigList,
                    new ConfigLoadError(code, $"failed to parse plugin config {index}: {error.Value.Message}"));
            }
            plugins.Add(plugin);
            index++;
        }

        var list = new NetworkConfigList(fileName, CniFileRole.ConfigList, text, root, JsonText.String(nameValue), cniVersion, disableCheck, plugins);
        return new ConfigLoadResult { FileName = fileName, Role = CniFileRole.ConfigList, Config = list };
    }

    private static ConfigLoadResult LoadSingle(string fileName, string text, byte[] bytes, JsonElement root, ByteToCharOffsets offsets)
    {
        var span = PluginSpanScanner.RootSpan(bytes, offsets);
        var plugin = ReadPlugin(root, 0, span, "", out var error);
        if (plugin is null)
        {
            var (code, message) = error!.Value;
            // containerd words a missing type this way; a conflist saved as .conf lands here.
            if (code == ConfigErrorCode.ConfMissingType) message = $"network type not found in {fileName}";
            return ConfigLoadResult.Failed(fileName, CniFileRole.SingleConfig, new ConfigLoadError(code, message));
        }

        var list = new NetworkConfigList(fileName, CniFileRole.SingleConfig, text, root, plugin.Name, plugin.CniVersion, false, [plugin]);
        return new ConfigLoadResult { FileName = fileName, Role = CniFileRole.SingleConfig, Config = list };
    }

    /// <summary>libcni <c>ConfFromBytes</c>: unmarshal into <c>types.NetConf</c>, then require <c>type</c>.</summary>
    private static PluginConfig? ReadPlugin(JsonElement json, int index, TextSpan span, string pointer, out (ConfigErrorCode Code, string Message)? error)
    {
        const string Prefix = "error parsing configuration";
        error = null;
        if (json.ValueKind != JsonValueKind.Object)
        {
            error = (ConfigErrorCode.InvalidFieldType, $"{Prefix}: json: cannot unmarshal {GoTypeName(json.ValueKind)} into Go value of type types.NetConf");
            return null;
        }

        // Struct fields match keys case-insensitively and the last matching key wins, but a null is a
        // no-op in Go (the earlier value stays) and any wrongly typed occurrence fails the unmarshal.
        string? ReadString(string field, ref (ConfigErrorCode, string)? err)
        {
            var result = JsonFields.GetStructString(json, field, out var wrongKind);
            if (wrongKind is { } kind && err is null)
                err = (ConfigErrorCode.InvalidFieldType, $"{Prefix}: json: cannot unmarshal {GoTypeName(kind)} into Go struct field NetConf.{field} of type string");
            return result;
        }

        var type = ReadString("type", ref error);
        var name = ReadString("name", ref error);
        var cniVersion = ReadString("cniVersion", ref error);
        if (error is null) error = CheckStructuredFields(json);
        if (error is not null) return null;

        if (string.IsNullOrEmpty(type))
        {
            error = (ConfigErrorCode.ConfMissingType, $"{Prefix}: missing 'type'");
            return null;
        }

        return new PluginConfig(index, type, name, cniVersion, json, span, pointer, KubeconfigPathsOf(json));
    }

    /// <summary>The other typed fields of <c>types.NetConf</c>; a wrong JSON type there fails the unmarshal too.</summary>
    private static (ConfigErrorCode, string)? CheckStructuredFields(JsonElement json)
    {
        static (ConfigErrorCode, string) Wrong(string field, JsonValueKind kind, string goType) =>
            (ConfigErrorCode.InvalidFieldType, $"error parsing configuration: json: cannot unmarshal {GoTypeName(kind)} into Go struct field NetConf.{field} of type {goType}");

        if (JsonFields.TryGetLastIgnoreCase(json, "capabilities", out var caps) && caps.ValueKind != JsonValueKind.Null)
        {
            if (caps.ValueKind != JsonValueKind.Object) return Wrong("capabilities", caps.ValueKind, "map[string]bool");
            foreach (var cap in caps.EnumerateObject())
            {
                if (cap.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                    return Wrong("capabilities", cap.Value.ValueKind, "bool");
            }
        }

        if (JsonFields.TryGetLastIgnoreCase(json, "ipam", out var ipam) && ipam.ValueKind != JsonValueKind.Null)
        {
            if (ipam.ValueKind != JsonValueKind.Object) return Wrong("ipam", ipam.ValueKind, "types.IPAM");
            if (JsonFields.TryGetLastIgnoreCase(ipam, "type", out var ipamType) && ipamType.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                return Wrong("ipam.type", ipamType.ValueKind, "string");
        }

        // RawPrevResult map[string]interface{} `json:"prevResult"` (found by the go-cni differential test).
        if (JsonFields.TryGetLastIgnoreCase(json, "prevResult", out var prevResult) && prevResult.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            return Wrong("prevResult", prevResult.ValueKind, "map[string]interface {}");

        if (JsonFields.TryGetLastIgnoreCase(json, "dns", out var dns) && dns.ValueKind != JsonValueKind.Null)
        {
            if (dns.ValueKind != JsonValueKind.Object) return Wrong("dns", dns.ValueKind, "types.DNS");
            foreach (var listField in (ReadOnlySpan<string>)["nameservers", "search", "options"])
            {
                if (!JsonFields.TryGetLastIgnoreCase(dns, listField, out var list) || list.ValueKind == JsonValueKind.Null) continue;
                if (list.ValueKind != JsonValueKind.Array) return Wrong($"dns.{listField}", list.ValueKind, "[]string");
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String) return Wrong($"dns.{listField}", item.ValueKind, "string");
                }
            }
            if (JsonFields.TryGetLastIgnoreCase(dns, "domain", out var domain) && domain.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                return Wrong("dns.domain", domain.ValueKind, "string");
        }

        return null;
    }

    private static bool TryParseDocument(byte[] bytes, out JsonElement root, out ConfigLoadError error)
    {
        root = default;
        error = null!;
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        try
        {
            // ParseValue copies into a document that needs no disposal, so results can live in caches.
            root = JsonElement.ParseValue(ref reader);
            if (reader.Read())
            {
                var at = (int)reader.TokenStartIndex;
                error = new ConfigLoadError(ConfigErrorCode.InvalidJson, "invalid character after top-level value", LineOf(bytes, at), ColumnOf(bytes, at));
                return false;
            }
            return true;
        }
        catch (JsonException ex)
        {
            var tooDeep = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase);
            var line = ex.LineNumber is { } l ? (int)l + 1 : (int?)null;
            var column = ex.BytePositionInLine is { } c ? (int)c + 1 : (int?)null;
            var message = bytes.Length == 0 || IsWhitespace(bytes) ? "unexpected end of JSON input" : FirstSentence(ex.Message);
            error = new ConfigLoadError(tooDeep ? ConfigErrorCode.TooDeep : ConfigErrorCode.InvalidJson, message, line, column);
            return false;
        }
    }

    private static bool IsWhitespace(byte[] bytes) => bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n');

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends "Path: $ | LineNumber: 3 | BytePositionInLine: 4." — we carry those as fields.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }

    private static int LineOf(byte[] bytes, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < bytes.Length; i++) if (bytes[i] == '\n') line++;
        return line;
    }

    private static int ColumnOf(byte[] bytes, int offset)
    {
        var lineStart = offset <= 0 ? 0 : Array.LastIndexOf(bytes, (byte)'\n', Math.Min(offset, bytes.Length) - 1) + 1;
        return offset - lineStart + 1;
    }

    private static IReadOnlyList<string> KubeconfigPathsOf(JsonElement plugin)
    {
        List<string>? paths = null;
        Collect(plugin, 0);
        return paths ?? (IReadOnlyList<string>)[];

        void Collect(JsonElement element, int depth)
        {
            if (depth > 16) return;
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String
                        && JsonFields.NameContainsIgnoreCase(property, "kubeconfig"u8)
                        && JsonText.String(property.Value) is { Length: > 0 } path && path.StartsWith('/'))
                    {
                        (paths ??= []).Add(path);
                    }
                    else
                    {
                        Collect(property.Value, depth + 1);
                    }
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray()) Collect(item, depth + 1);
            }
        }
    }

    /// <summary>How Go's encoding/json names a JSON value's type in its error messages.</summary>
    internal static string GoTypeName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "float64",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "[]interface {}",
        JsonValueKind.Object => "map[string]interface {}",
        _ => "<nil>",
    };
}
