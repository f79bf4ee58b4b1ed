namespace CniDashboard.Simulator.KubeApi;

/// <summary>
/// Names and uids from one seeded <see cref="Random"/>, so a simulation started with the same seed
/// names its pods the same way. Used only under the cluster lock.
/// </summary>
internal sealed class NameGenerator
{
    // The alphabet of the API server's generateName suffixes: lowercase alphanumerics without vowels
    // and look-alikes, so generated names never spell words.
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly Random _random;

    public NameGenerator(int seed)
    {
        _random = new Random(seed);
    }

    public string RandomSuffix(int length = 5)
    {
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = SuffixAlphabet[_random.Next(SuffixAlphabet.Length)];
        }

        return new string(chars);
    }

    public string NewUid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
