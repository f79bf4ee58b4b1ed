using System.Text;
using System.Text.Json;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Diff;

/// <summary>
/// What changed between two network configurations in the runtime's terms: plugins added, removed or
/// moved in the chain, plugin settings, and the list's name/cniVersion/disableCheck. Positions in
/// <see cref="ChainChange.Position"/> are 0-based like the JSON pointers; positions in messages are
/// 1-based, as a person counts ("linkerd-cni removed at position 5" is the fifth plugin).
/// </summary>
public static class ChainDiff
{
    /// <summary>Most setting changes reported per plugin pair; a rewritten plugin says so once it is past this.</summary>
    public const int MaxSettingChangesPerPlugin = 50;

    private const string None = "(none)";

    /// <summary>Compares two configurations; null is a file that does not load (or does not exist).</summary>
    public static IReadOnlyList<ChainChange> Compare(NetworkConfigList? left, NetworkConfigList? right)
    {
        if (left is null && right is null) return [];
        if (left is null || right is null)
        {
            var file = (left ?? right)!.FileName;
            return
            [
                new ChainChange
                {
                    Kind = ChainChangeKind.LoadabilityChanged,
                    Message = left is null ? $"{file} loads now (it did not load before)" : $"{file} no longer loads",
                },
            ];
        }

        var changes = new List<ChainChange>();
        if (!string.Equals(left.Name, right.Name, StringComparison.Ordinal))
        {
            changes.Add(new ChainChange
            {
                Kind = ChainChangeKind.NameChanged,
                Before = Quote(left.Name),
                After = Quote(right.Name),
                Message = $"name {left.Name ?? None} → {right.Name ?? None}",
            });
        }
        if (!string.Equals(left.CniVersion, right.CniVersion, StringComparison.Ordinal))
        {
            changes.Add(new ChainChange
            {
                Kind = ChainChangeKind.CniVersionChanged,
                Before = Quote(left.CniVersion),
                After = Quote(right.CniVersion),
                Message = $"cniVersion {left.CniVersion ?? None} → {right.CniVersion ?? None}",
            });
        }
        if (left.DisableCheck != right.DisableCheck)
        {
            changes.Add(new ChainChange
            {
                Kind = ChainChangeKind.DisableCheckChanged,
                Before = left.DisableCheck ? "true" : "false",
                After = right.DisableCheck ? "true" : "false",
                Message = $"disableCheck {(left.DisableCheck ? "true" : "false")} → {(right.DisableCheck ? "true" : "false")}",
            });
        }

        changes.AddRange(ComparePlugins(left.Plugins, right.Plugins));
        return changes;
    }

    private static List<ChainChange> ComparePlugins(IReadOnlyList<PluginConfig> left, IReadOnlyList<PluginConfig> right)
    {
        var pairs = MatchByType(left, right);
        var matchedLeft = new bool[left.Count];
        var matchedRight = new bool[right.Count];
        foreach (var (l, r) in pairs)
        {
            matchedLeft[l] = true;
            matchedRight[r] = true;
        }

        // A type that left one place and appeared in another moved; pair them first-come.
        var moves = new List<(int Left, int Right)>();
        for (var l = 0; l < left.Count; l++)
        {
            if (matchedLeft[l]) continue;
            for (var r = 0; r < right.Count; r++)
            {
                if (matchedRight[r] || right[r].Type != left[l].Type) continue;
                moves.Add((l, r));
                matchedLeft[l] = matchedRight[r] = true;
                break;
            }
        }

        var changes = new List<(int Order, ChainChange Change)>();
        for (var l = 0; l < left.Count; l++)
        {
            if (matchedLeft[l]) continue;
            changes.Add((l, new ChainChange
            {
                Kind = ChainChangeKind.PluginRemoved,
                PluginType = left[l].Type,
                Position = l,
                JsonPointer = left[l].JsonPointer,
                Before = Compact(left[l].Json),
                Message = $"{left[l].Type} removed at position {l + 1}",
            }));
        }
        for (var r = 0; r < right.Count; r++)
        {
            if (matchedRight[r]) continue;
            changes.Add((r, new ChainChange
            {
                Kind = ChainChangeKind.PluginAdded,
                PluginType = right[r].Type,
                Position = r,
                JsonPointer = right[r].JsonPointer,
                After = Compact(right[r].Json),
                Message = $"{right[r].Type} added at position {r + 1}",
            }));
        }
        foreach (var (l, r) in moves)
        {
            changes.Add((r, new ChainChange
            {
                Kind = ChainChangeKind.PluginMoved,
                PluginType = right[r].Type,
                Position = r,
                JsonPointer = right[r].JsonPointer,
                Message = $"{right[r].Type} moved from position {l + 1} to {r + 1}",
            }));
        }
        foreach (var (l, r) in pairs.Concat(moves))
        {
            var settings = new List<ChainChange>();
            CompareValues(left[l].Json, right[r].Json, right[r].JsonPointer, right[r].Type, settings);
            changes.AddRange(settings.Select(s => (r, s)));
        }

        return changes.OrderBy(c => c.Order).ThenBy(c => c.Change.Kind).Select(c => c.Change).ToList();
    }

    /// <summary>Longest common subsequence of the two type sequences: the plugins that stayed in order.</summary>
    private static List<(int Left, int Right)> MatchByType(IReadOnlyList<PluginConfig> left, IReadOnlyList<PluginConfig> right)
    {
        var n = left.Count;
        var m = right.Count;
        // The table is n × m; a real chain has a handful of plugins, a hostile file may have thousands.
        if ((long)n * m > MaxLcsCells) return MatchInOrder(left, right);
        var lengths = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                lengths[i, j] = left[i].Type == right[j].Type
                    ? lengths[i + 1, j + 1] + 1
                    : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
            }
        }

        var pairs = new List<(int, int)>();
        for (int i = 0, j = 0; i < n && j < m;)
        {
            if (left[i].Type == right[j].Type)
            {
                pairs.Add((i, j));
                i++;
                j++;
            }
            else if (lengths[i + 1, j] >= lengths[i, j + 1])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return pairs;
    }

    /// <summary>Largest LCS table built; beyond it plugins are paired by order of occurrence of each type.</summary>
    private const long MaxLcsCells = 1_000_000;

    /// <summary>The k-th plugin of a type on the left pairs with the k-th of that type on the right, kept in left order.</summary>
    private static List<(int Left, int Right)> MatchInOrder(IReadOnlyList<PluginConfig> left, IReadOnlyList<PluginConfig> right)
    {
        var queues = new Dictionary<string, Queue<int>>(StringComparer.Ordinal);
        for (var r = 0; r < right.Count; r++)
        {
            if (!queues.TryGetValue(right[r].Type, out var queue)) queues[right[r].Type] = queue = new Queue<int>();
            queue.Enqueue(r);
        }
        var pairs = new List<(int, int)>();
        var lastRight = -1;
        for (var l = 0; l < left.Count; l++)
        {
            // Only increasing pairs are "in order"; the rest surface as moves.
            if (queues.TryGetValue(left[l].Type, out var queue) && queue.Count > 0 && queue.Peek() > lastRight)
            {
                lastRight = queue.Dequeue();
                pairs.Add((l, lastRight));
            }
        }
        return pairs;
    }

    private static void CompareValues(JsonElement before, JsonElement after, string pointer, string pluginType, List<ChainChange> changes)
    {
        if (changes.Count >= MaxSettingChangesPerPlugin) return;
        if (before.ValueKind == JsonValueKind.Object && after.ValueKind == JsonValueKind.Object)
        {
            // Go keeps the last of duplicate keys; so does this comparison.
            var l = LastByName(before);
            var r = LastByName(after);
            foreach (var (name, value) in l)
            {
                var child = $"{pointer}/{Escape(name)}";
                if (r.TryGetValue(name, out var other)) CompareValues(value, other, child, pluginType, changes);
                else Add(changes, pluginType, child, value, null);
            }
            foreach (var (name, value) in r)
            {
                if (!l.ContainsKey(name)) Add(changes, pluginType, $"{pointer}/{Escape(name)}", null, value);
            }
            return;
        }

        if (!JsonElement.DeepEquals(before, after)) Add(changes, pluginType, pointer, before, after);
    }

    private static void Add(List<ChainChange> changes, string pluginType, string pointer, JsonElement? before, JsonElement? after)
    {
        if (changes.Count >= MaxSettingChangesPerPlugin) return;
        var b = before is { } x ? Compact(x) : null;
        var a = after is { } y ? Compact(y) : null;
        var setting = SettingPath(pointer);
        var what = (b, a) switch
        {
            (null, _) => $"{setting} added: {Shorten(a!)}",
            (_, null) => $"{setting} removed (was {Shorten(b)})",
            _ => $"{setting} {Shorten(b)} → {Shorten(a)}",
        };
        changes.Add(new ChainChange
        {
            Kind = ChainChangeKind.PluginSettingChanged,
            PluginType = pluginType,
            Position = PositionOf(pointer),
            JsonPointer = pointer,
            Before = b,
            After = a,
            Message = $"{pluginType}: {what}",
        });
    }

    private static Dictionary<string, JsonElement> LastByName(JsonElement obj)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject()) result[JsonText.Name(p)] = p.Value;
        return result;
    }

    /// <summary><c>/plugins/4/linkerd/iptables-mode</c> → <c>linkerd.iptables-mode</c>, how people name a setting.</summary>
    private static string SettingPath(string pointer)
    {
        var parts = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var skip = parts.Length >= 2 && parts[0] == "plugins" ? 2 : 0;
        return string.Join('.', parts.Skip(skip).Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)));
    }

    private static int? PositionOf(string pointer)
    {
        var parts = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 2 && parts[0] == "plugins" && int.TryParse(parts[1], out var i)) return i;
        return 0; // a single .conf: its one plugin
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string? Quote(string? value) => value is null ? null : $"\"{JsonEncodedText.Encode(value)}\"";

    private static string Shorten(string json) => json.Length <= 80 ? json : json[..77] + "...";

    /// <summary>The value as compact JSON, whatever the file's formatting.</summary>
    private static string Compact(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
