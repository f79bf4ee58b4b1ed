using System.Text;

namespace CniDashboard.Shared.Tests.GoCni;

/// <summary>Why a generated folder's load outcome is not held to go-cni's (see <see cref="GoCniDifferentialTests"/>).</summary>
[Flags]
internal enum OutOfScope
{
    None = 0,
    /// <summary>A symbolic link whose target is outside the folder: the agent never follows it.</summary>
    LinkLeavesFolder = 1,
    /// <summary>A file with a second hard link: the agent withholds its content.</summary>
    HardLink = 2,
    /// <summary>Content that is not UTF-8 text: the agent keeps only UTF-8 text.</summary>
    NotUtf8Content = 4,
    /// <summary>
    /// <c>"disableCheck"</c> as a string: libcni 1.2 and later (containerd 2) accept <c>"true"</c>/<c>"false"</c>,
    /// libcni 1.1.2 (containerd 1.7, and Debian's go-cni here) rejects any string; the project follows the newer rule.
    /// </summary>
    DisableCheckString = 8,
}

/// <summary>One generated CNI folder: its entries, described for a failure message.</summary>
internal sealed record GeneratedFolder(string Case, string Path, IReadOnlyList<string> Entries, OutOfScope Scope)
{
    public override string ToString() => $"{Case}: [{string.Join(", ", Entries)}]";
}

/// <summary>
/// Generates CNI folders that probe every rule of primary selection: names and extensions in every
/// order and case, prefixes that collide (<c>05-x.conf</c> beside <c>05-x.conflist</c>),
/// <c>.conf</c>/<c>.json</c> holding a conflist and the reverse, zero-byte, broken and oddly typed
/// JSON, directories and links named like configs, and names that are not UTF-8.
/// </summary>
internal sealed class FolderGenerator(Random random, string outside)
{
    private static readonly string[] PluginTypes = ["bridge", "portmap", "aws-cni", "cilium-cni", "linkerd-cni", "egress-cni", "tuning", "bandwidth"];
    private static readonly string[] Prefixes = ["", "00-", "05-", "05", "10-", "5-", "99-", "A", "a", "Z", "z", "-", "_", ".", "~", "0", "1", "é", "\uFF10", "\U0001F600"];
    private static readonly string[] Stems = ["x", "X", "cilium", "aws", "net", "k8s-pod-network", "x.conf", "x.conflist", "x.json", "x.conf.bak", ""];
    private static readonly string[] Extensions =
    [
        ".conf", ".conflist", ".json", ".conf", ".conflist", ".json", ".conflist", ".conf",
        ".CONF", ".Conflist", ".JSON", ".conf.bak", ".conflist.cilium_bak", "", ".conf~", ".yaml", ".conflistx", ".con", ".json.conflist", ".conflist.conf",
    ];
    private static readonly byte[][] NotUtf8 = [[0x80], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xFE, 0xFE]];

    private static readonly System.Text.RegularExpressions.Regex BoolString = new("\"disableCheck\": \"(?i:true|false)\"");

    private int _outsideFiles;

    /// <summary>Writes folder <paramref name="caseName"/> under <paramref name="root"/>.</summary>
    public GeneratedFolder Generate(string root, string caseName)
    {
        var dir = System.IO.Path.Combine(root, caseName);
        Directory.CreateDirectory(dir);
        var scope = OutOfScope.None;
        var described = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var count = random.Next(1, 6);
        var stem = Pick(Prefixes) + Pick(Stems);

        for (var i = 0; i < count; i++)
        {
            // Half of the time reuse the folder's stem with another extension: 05-x.conf beside 05-x.conflist.
            var name = (random.Next(2) == 0 ? stem : Pick(Prefixes) + Pick(Stems)) + Pick(Extensions);
            if (name.Length == 0 || name is "." or ".." || !names.Add(name)) continue;
            var path = System.IO.Path.Combine(dir, name);
            var roll = random.Next(100);
            if (roll < 6)
            {
                Directory.CreateDirectory(path);
                described.Add($"{name}/ (directory)");
            }
            else if (roll < 14 && names.Count > 1)
            {
                var target = names.Where(n => n != name).ElementAt(random.Next(names.Count - 1));
                File.CreateSymbolicLink(path, target);
                described.Add($"{name} -> {target}");
            }
            else if (roll < 17)
            {
                File.CreateSymbolicLink(path, "missing-" + name);
                described.Add($"{name} -> missing-{name} (dangling)");
            }
            else if (roll < 21)
            {
                var target = OutsideFile();
                File.CreateSymbolicLink(path, target);
                scope |= OutOfScope.LinkLeavesFolder;
                described.Add($"{name} -> {target} (outside)");
            }
            else if (roll < 24)
            {
                var target = OutsideFile();
                RawNames.HardLink(target, path);
                scope |= OutOfScope.HardLink;
                described.Add($"{name} (hard link to {target})");
            }
            else
            {
                var (content, kind, utf8) = Content();
                File.WriteAllBytes(path, content);
                if (!utf8) scope |= OutOfScope.NotUtf8Content;
                if (BoolString.IsMatch(Encoding.UTF8.GetString(content))) scope |= OutOfScope.DisableCheckString;
                described.Add($"{name} ({kind})");
            }
        }

        // Some names that are not UTF-8 at all: Go sorts and reads them by their bytes.
        if (random.Next(12) == 0)
        {
            var raw = (byte[])[.. Encoding.UTF8.GetBytes(Pick(["", "00-", "05-", "a"])), .. Pick(NotUtf8), .. Encoding.UTF8.GetBytes(Pick([".conf", ".conflist", ".json", ".bak"]))];
            var (content, kind, utf8) = Content();
            File.WriteAllBytes(System.IO.Path.Combine(dir, "raw-name.tmp"), content);
            RawNames.RenameTo(dir, "raw-name.tmp", raw);
            if (!utf8) scope |= OutOfScope.NotUtf8Content;
            described.Add($"{Convert.ToHexString(raw)} (raw name bytes; {kind})");
        }

        return new GeneratedFolder(caseName, dir, described, scope);
    }

    private string OutsideFile()
    {
        var path = System.IO.Path.Combine(outside, $"outside-{_outsideFiles++}.conflist");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(ValidList()));
        return path;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private string Chain(int min = 1) =>
        string.Join(", ", Enumerable.Range(0, random.Next(min, 5)).Select(_ => $$"""{"type": "{{Pick(PluginTypes)}}"{{Extra()}}}"""));

    private string Extra() => random.Next(4) switch
    {
        0 => "",
        1 => """, "name": "p" """,
        2 => """, "capabilities": {"portMappings": true}, "ipam": {"type": "host-local"}""",
        _ => """, "kubernetes": {"kubeconfig": "/etc/cni/net.d/ZZZ-kubeconfig"}, "dns": {"nameservers": ["10.0.0.10"]}""",
    };

    private string ValidList() => $$"""{"cniVersion": "0.4.0", "name": "net-{{random.Next(100)}}", "plugins": [{{Chain()}}]}""";

    private string ValidSingle() => $$"""{"cniVersion": "0.3.1", "name": "single", "type": "{{Pick(PluginTypes)}}"{{Extra()}}}""";

    /// <summary>Content of one file: bytes, a short description, and whether it is UTF-8 text.</summary>
    private (byte[] Bytes, string Kind, bool Utf8) Content()
    {
        var type = Pick(PluginTypes);
        (string Text, string Kind) text = random.Next(40) switch
        {
            < 10 => (ValidList(), "conflist"),
            < 17 => (ValidSingle(), "single conf"),
            17 => ("", "zero bytes"),
            18 => (" \n\t", "whitespace"),
            19 => (ValidList()[..random.Next(1, 30)], "truncated"),
            20 => ($$"""{"name": "n", "plugins": [{"type": "{{type}}"}, {"name": "no-type"}]}""", "plugin without type"),
            21 => ("""{"name": "n", "plugins": []}""", "empty plugins"),
            22 => ($$"""{"plugins": [{"type": "{{type}}"}]}""", "conflist without name"),
            23 => ($$"""{"name": 5, "plugins": [{"type": "{{type}}"}]}""", "name not a string"),
            24 => ("{\"name\": \"n\", \"plugins\": {\"type\": \"" + type + "\"}}", "plugins not an array"),
            25 => (Pick(["[]", "\"text\"", "42", "null", "true", "[{\"type\": \"bridge\"}]"]), "not an object"),
            26 => ("\uFEFF" + ValidList(), "byte-order mark"),
            27 => (ValidList() + Pick([" x", "}", " {}", "\n"]), "trailing text"),
            28 => ($$"""{"name": "n", "type": "{{type}}", "type": "{{Pick(PluginTypes)}}", "plugins": [{"type": "a", "type": "b"}]}""", "duplicate keys"),
            29 => ($$"""{"cniVersion": 1, "name": "n", "type": "{{type}}", "plugins": [{"type": "{{type}}"}]}""", "cniVersion not a string"),
            30 => ($$"""{"name": "n", "type": 5, "plugins": [{"type": 5}]}""", "type not a string"),
            31 => (Pick([
                $$"""{"name": "n", "type": "{{type}}", "capabilities": {"portMappings": "yes"}, "plugins": [{"type": "{{type}}", "capabilities": []}]}""",
                $$$"""{"name": "n", "type": "{{{type}}}", "ipam": "host-local", "plugins": [{"type": "{{{type}}}", "ipam": {"type": 1}}]}""",
                $$"""{"name": "n", "type": "{{type}}", "dns": {"nameservers": "10.0.0.10"}, "plugins": [{"type": "{{type}}", "dns": []}]}""",
                $$"""{"name": "n", "type": "{{type}}", "prevResult": [], "plugins": [{"type": "{{type}}", "prevResult": "x"}]}""",
                ]), "NetConf field of the wrong type"),
            32 => ($$"""{"name": "n", "disableCheck": {{Pick(["\"true\"", "\"False\"", "1", "true", "\"no\""])}}, "type": "{{type}}", "plugins": [{"type": "{{type}}"}]}""", "disableCheck"),
            33 => ("// comment\n" + ValidList(), "comment"),
            34 => ($$"""{"name": "n", "type": {{Pick(["\"\"", "null"])}}, "plugins": [{"type": {{Pick(["\"\"", "null", "\"ok\""])}}}]}""", "empty or null type"),
            35 => ("""{"name": "n", "type": "\u0062ridge", "plugins": [{"type": "\u0062ridge", "name": "\ud83d\ude00"}]}""", "escaped strings"),
            36 => ($$"""{"Name": "n", "TYPE": "{{type}}", "Plugins": [{"type": "{{type}}"}], "plugins": [{"Type": "{{type}}"}]}""", "key case"),
            37 => ($$"""{"name": "n", "type": "{{type}}", "deep": {{new string('[', 200)}}{{new string(']', 200)}}, "plugins": [{"type": "{{type}}"}]}""", "deep nesting"),
            38 => ($$$"""{"name": "n", "type": "{{{type}}}", "plugins": [{"type": "{{{type}}}", "mtu": 9001, "args": {"labels": [1, 2.5e3, -0, true, null]}}]}""", "numbers and nulls"),
            _ => ($$"""{"name" : "n" ,"cniVersion":"1.0.0","plugins":[ {"type":"{{type}}"} ],"type":"{{type}}"}""", "compact mixed"),
        };

        // One file in twenty is not UTF-8: a stray byte in a string (Go replaces it) or a NUL.
        if (random.Next(20) == 0 && text.Text.Length > 2)
        {
            var bytes = Encoding.UTF8.GetBytes(text.Text);
            var at = random.Next(1, bytes.Length - 1);
            return ([.. bytes[..at], Pick<byte>([0xFF, 0x80, 0x00]), .. bytes[at..]], text.Kind + " with a byte that is not UTF-8", false);
        }
        return (Encoding.UTF8.GetBytes(text.Text), text.Kind, true);
    }
}
