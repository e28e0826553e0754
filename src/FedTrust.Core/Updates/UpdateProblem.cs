namespace FedTrust.Core.Updates;

/// <summary>The kind of fault that makes an update unusable.</summary>
public enum UpdateFault
{
    /// <summary>The update does not have one value per model parameter.</summary>
    WrongLength,

    /// <summary>The update holds NaN or ±∞.</summary>
    NonFinite,

    /// <summary>The update claims no training samples, so it carries no weight in an average.</summary>
    NoSamples,
}

/// <summary>Why an update was rejected: its <see cref="Fault"/>, and a description that completes "the update of client-3 …".</summary>
public sealed record UpdateProblem(UpdateFault Fault, string Description)
{
    /// <summary>
    /// What a DP client that withheld its update may say: the kind of fault, never the values (nothing unprivatised
    /// leaves a client under DP), e.g. "was withheld by the client under DP (non-finite, found before clipping)".
    /// </summary>
    public static UpdateProblem Withheld(UpdateFault fault) =>
        new(fault, $"was withheld by the client under DP ({Name(fault)}, found before clipping)");

    /// <summary>
    /// A round's rejections in one phrase: "10 rejected (10 non-finite; client-0 has 159010 non-finite values (NaN at index 0))",
    /// the counts by fault and the first client's reason (clients in the order given); "none rejected" when empty.
    /// </summary>
    public static string Summarize(IReadOnlyCollection<KeyValuePair<string, UpdateProblem>> rejections)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        if (rejections.Count == 0) return "none rejected";
        var counts = rejections.GroupBy(r => r.Value.Fault).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Name(g.Key)}");
        var (client, problem) = rejections.First();
        return $"{rejections.Count} rejected ({string.Join(", ", counts)}; {client} {problem.Description})";
    }

    /// <summary>The fault's short name: "wrong length", "non-finite", "no samples".</summary>
    public static string Name(UpdateFault fault) => fault switch
    {
        UpdateFault.WrongLength => "wrong length",
        UpdateFault.NonFinite => "non-finite",
        UpdateFault.NoSamples => "no samples",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "unknown update fault"),
    };
}
