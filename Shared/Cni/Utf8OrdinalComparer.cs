using System.Text;

namespace CniDashboard.Shared.Cni;

/// <summary>
/// Orders names by their UTF-8 bytes, as Go's <c>sort.Strings</c> does when libcni sorts the folder.
/// UTF-16 ordinal order differs from it for characters outside the Basic Multilingual Plane.
/// </summary>
public sealed class Utf8OrdinalComparer : IComparer<string>
{
    public static readonly Utf8OrdinalComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        if (Ascii.IsValid(x) && Ascii.IsValid(y)) return string.CompareOrdinal(x, y);
        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }
}

/// <summary>
/// Orders folder entries as the runtime does: by the bytes of their names — the raw bytes for a name
/// that is not UTF-8 (<see cref="CniFolderFile.RawName"/>), the UTF-8 of <see cref="CniFolderFile.Name"/> otherwise.
/// </summary>
public sealed class CniFolderFileOrder : IComparer<CniFolderFile>
{
    public static readonly CniFolderFileOrder Instance = new();

    public int Compare(CniFolderFile? x, CniFolderFile? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        if (x.RawName is null && y.RawName is null) return Utf8OrdinalComparer.Instance.Compare(x.Name, y.Name);
        return BytesOf(x).AsSpan().SequenceCompareTo(BytesOf(y));
    }

    private static byte[] BytesOf(CniFolderFile file) =>
        file.RawName is { } hex ? Convert.FromHexString(hex) : Encoding.UTF8.GetBytes(file.Name);
}
