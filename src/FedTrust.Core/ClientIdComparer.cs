namespace FedTrust.Core;

/// <summary>Orders "client-2" before "client-10": by the trailing number when both ids have one, else ordinally.</summary>
public sealed class ClientIdComparer : IComparer<string>
{
    public static readonly ClientIdComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null) return string.CompareOrdinal(x, y);
        var nx = TrailingNumber(x);
        var ny = TrailingNumber(y);
        if (nx is not null && ny is not null && x[..^nx.Value.Digits] == y[..^ny.Value.Digits])
            return nx.Value.Value.CompareTo(ny.Value.Value);
        return string.CompareOrdinal(x, y);
    }

    private static (long Value, int Digits)? TrailingNumber(string s)
    {
        var i = s.Length;
        while (i > 0 && char.IsAsciiDigit(s[i - 1])) i--;
        var digits = s.Length - i;
        return digits is > 0 and < 18 ? (long.Parse(s.AsSpan(i)), digits) : null;
    }
}
