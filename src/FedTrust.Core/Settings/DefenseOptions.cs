namespace FedTrust.Core.Settings;

/// <summary>
/// Parameters of the rules and pre-aggregators (the object form of <c>fedtrust.defense</c>); a preset or '+' name uses these defaults.
/// </summary>
/// <param name="Trim">trimmed-mean: values dropped at each end of every coordinate; null = f.</param>
/// <param name="GmIterations">geometric-median: most Weiszfeld iterations.</param>
/// <param name="GmNu">geometric-median: the smoothing ν (Pillutla et al. 2022).</param>
/// <param name="GmTolerance">geometric-median: stop when the objective changes by less than this fraction.</param>
/// <param name="CcTau">centered-clipping: the radius τ.</param>
/// <param name="CcIterations">centered-clipping: the iterations L.</param>
/// <param name="RootSamples">fltrust: the server's clean root-set size, taken out of the training set before it is split.</param>
/// <param name="BucketSize">bucketing: updates per bucket s.</param>
/// <param name="ClipNorm">clip: the norm C; null = the round's median update norm.</param>
public sealed record DefenseOptions(
    int? Trim = null,
    int GmIterations = 100,
    double GmNu = 1e-6,
    double GmTolerance = 1e-6,
    double CcTau = 10,
    int CcIterations = 1,
    int RootSamples = 100,
    int BucketSize = 2,
    double? ClipNorm = null,
    IReadOnlyDictionary<string, double>? Extra = null)
{
    public static readonly DefenseOptions Default = new();

    /// <summary>The keys the typed parameters above are read from; any other stage key goes to <see cref="Extra"/>.</summary>
    public static IReadOnlyList<string> TypedKeys { get; } =
        ["trim", "gm-iterations", "gm-nu", "gm-tolerance", "cc-tau", "cc-iterations", "root-samples", "bucket-size", "clip-norm"];

    /// <summary>The value the configuration gave <paramref name="key"/> (one of <see cref="Extra"/>'s), or <paramref name="fallback"/>.</summary>
    public double Number(string key, double fallback) => Extra is not null && Extra.TryGetValue(key, out var value) ? value : fallback;
}
