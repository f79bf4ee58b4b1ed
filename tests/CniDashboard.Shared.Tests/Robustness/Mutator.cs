using System.Text;

namespace CniDashboard.Shared.Tests.Robustness;

/// <summary>Seeded mutations of file bytes: the damage real folders see, and worse.</summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xED, 0xA0, 0x80], [0xF0, 0x28, 0x8C, 0x28], [0xC0, 0xAF], [0x80], [0x00],
    ];

    private static readonly string[] WrongValues =
    [
        "5", "-1e309", "true", "null", "[]", "{}", "[1,\"a\",null]", "{\"type\":7}", "\"\"", "\"\\ud800\"", "\"\\u0000\"", "18446744073709551616",
    ];

    private readonly Random _random = new(seed);

    public string LastMutation { get; private set; } = "";

    public byte[] Mutate(byte[] input)
    {
        var kind = _random.Next(12);
        LastMutation = kind.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return kind switch
        {
            0 => FlipBytes(input),
            1 => input[..(input.Length == 0 ? 0 : _random.Next(input.Length))],
            2 => Insert(input, DeepNesting(_random.Next(1, 3000))),
            3 => Insert(input, Encoding.UTF8.GetBytes("\"" + new string('x', _random.Next(1, 100_000)) + "\"")),
            4 => Insert(input, RandomBytes(_random.Next(1, 64))),
            5 => Insert(input, InvalidUtf8[_random.Next(InvalidUtf8.Length)]),
            6 => [.. (_random.Next(3) switch { 0 => new byte[] { 0xEF, 0xBB, 0xBF }, 1 => [0xFF, 0xFE], _ => [0xFE, 0xFF] }), .. input],
            7 => DuplicateKeys(input),
            8 => WrongType(input),
            9 => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(input).Replace("\n", "\r\n", StringComparison.Ordinal)),
            10 => RandomBytes(_random.Next(0, 4096)),
            _ => Mutate(Mutate(input)),
        };
    }

    private byte[] FlipBytes(byte[] input)
    {
        if (input.Length == 0) return input;
        var copy = (byte[])input.Clone();
        for (var i = _random.Next(1, 9); i > 0; i--) copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        return copy;
    }

    private byte[] Insert(byte[] input, byte[] insert)
    {
        var at = input.Length == 0 ? 0 : _random.Next(input.Length + 1);
        return [.. input.AsSpan(0, at), .. insert, .. input.AsSpan(at)];
    }

    private byte[] DeepNesting(int depth)
    {
        var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var balanced = _random.Next(3) != 0;
        return Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth)) + (balanced ? "1" + string.Concat(Enumerable.Repeat(close, depth)) : ""));
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] DuplicateKeys(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var keys = new[] { "\"type\"", "\"name\"", "\"plugins\"", "\"cniVersion\"", "\"kubeconfig\"", "\"disableCheck\"", "token:", "server:" };
        var key = keys[_random.Next(keys.Length)];
        var at = text.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return input;
        var value = key.EndsWith(':') ? " dup\n" : $": {WrongValues[_random.Next(WrongValues.Length)]}, ";
        var casing = _random.Next(2) == 0 ? key : key.ToUpperInvariant();
        return Encoding.UTF8.GetBytes(text.Insert(at, casing + value));
    }

    private byte[] WrongType(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var quote = text.IndexOf(": \"", _random.Next(Math.Max(1, text.Length)), StringComparison.Ordinal);
        if (quote < 0) quote = text.IndexOf(": \"", StringComparison.Ordinal);
        if (quote < 0) return input;
        var end = text.IndexOf('"', quote + 3);
        if (end < 0) return input;
        return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, quote + 2), WrongValues[_random.Next(WrongValues.Length)], text.AsSpan(end + 1)));
    }
}
