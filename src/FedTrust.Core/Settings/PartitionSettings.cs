namespace FedTrust.Core.Settings;

/// <summary>How the training samples are divided among the clients (<c>fedtrust.partition.kind</c>).</summary>
public enum PartitionKind
{
    /// <summary>Equal, uniformly random shares (<see cref="FedTrust.Core.Data.Partitioner.Iid(int, int, int, long, int)"/>).</summary>
    Iid,

    /// <summary>Label skew: each class is split among the clients by a Dirichlet(α) draw (Hsu, Qi &amp; Brown 2019).</summary>
    Dirichlet,

    /// <summary>Label skew: label-sorted samples cut into shards, a few shards per client (McMahan et al. 2017, §3).</summary>
    Shards,

    /// <summary>Quantity skew: IID samples in unequal amounts (Li et al. 2022, NIID-Bench).</summary>
    Quantity,
}

/// <summary>How the client sizes of a quantity-skewed split are drawn (<c>fedtrust.partition.sizes</c>).</summary>
public enum QuantitySkew
{
    /// <summary>Proportions from Dirichlet(α·1) over the clients (NIID-Bench's quantity skew).</summary>
    Dirichlet,

    /// <summary>Weights exp(σ·z), z standard normal, normalised (log-normal sizes).</summary>
    LogNormal,
}

/// <summary>
/// The data partition of a run (<c>fedtrust.partition</c>). Only the parameters of <see cref="Kind"/> matter; the others
/// keep their defaults. <see cref="Validate"/> checks each value on its own; whether the values can be met for a given
/// data set and client count is <see cref="FedTrust.Core.Data.Partitioner.Split"/>'s to say (<see cref="FedTrust.Core.Data.PartitionException"/>).
/// </summary>
public sealed record PartitionSettings
{
    /// <summary>The IID split with every parameter at its default.</summary>
    public static PartitionSettings Iid { get; } = new();

    /// <summary>Which split (<c>fedtrust.partition.kind</c>).</summary>
    public PartitionKind Kind { get; init; } = PartitionKind.Iid;

    /// <summary>
    /// The Dirichlet concentration α (<c>fedtrust.partition.alpha</c>): of each class over the clients (label skew), and of
    /// the client sizes (quantity skew with <see cref="QuantitySkew.Dirichlet"/>). Small α concentrates, large α evens out.
    /// </summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Shards per client, McMahan et al.'s k (<c>fedtrust.partition.shards-per-client</c>).</summary>
    public int ShardsPerClient { get; init; } = 2;

    /// <summary>How quantity-skewed client sizes are drawn (<c>fedtrust.partition.sizes</c>).</summary>
    public QuantitySkew Sizes { get; init; } = QuantitySkew.Dirichlet;

    /// <summary>The σ of log-normal client sizes (<c>fedtrust.partition.sigma</c>); 0 gives equal sizes.</summary>
    public double Sigma { get; init; } = 1.0;

    /// <summary>The fewest training samples any client may hold under a non-IID kind (<c>fedtrust.partition.min-samples</c>).</summary>
    public int MinSamples { get; init; } = 10;

    /// <summary>
    /// The kind with the parameter that shapes it, as a run's summary and a grid's labels show it: "iid",
    /// "dirichlet α=0.5", "shards k=2", "quantity α=0.5" or "quantity σ=1".
    /// </summary>
    public string Describe() => Kind switch
    {
        PartitionKind.Dirichlet => Invariant($"dirichlet α={Alpha:0.###}"),
        PartitionKind.Shards => Invariant($"shards k={ShardsPerClient}"),
        PartitionKind.Quantity when Sizes == QuantitySkew.LogNormal => Invariant($"quantity σ={Sigma:0.###}"),
        PartitionKind.Quantity => Invariant($"quantity α={Alpha:0.###}"),
        _ => "iid",
    };

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>Checks every parameter on its own.</summary>
    /// <exception cref="ArgumentException">A value out of range; the message names the key and the value.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentException($"fedtrust.partition.kind = {(int)Kind} is not a partition kind", nameof(Kind));
        if (!(Alpha > 0) || !double.IsFinite(Alpha))
            throw new ArgumentException($"fedtrust.partition.alpha = {Alpha} must be positive and finite", nameof(Alpha));
        if (ShardsPerClient < 1)
            throw new ArgumentException($"fedtrust.partition.shards-per-client = {ShardsPerClient} must be at least 1", nameof(ShardsPerClient));
        if (!Enum.IsDefined(Sizes))
            throw new ArgumentException($"fedtrust.partition.sizes = {(int)Sizes} is not a way to draw client sizes", nameof(Sizes));
        if (!(Sigma >= 0) || !double.IsFinite(Sigma))
            throw new ArgumentException($"fedtrust.partition.sigma = {Sigma} must be non-negative and finite", nameof(Sigma));
        if (MinSamples < 1)
            throw new ArgumentException($"fedtrust.partition.min-samples = {MinSamples} must be at least 1 (a client without training samples cannot train)", nameof(MinSamples));
    }
}

/// <summary>The names of <see cref="PartitionKind"/> as configuration writes them.</summary>
public static class PartitionKinds
{
    /// <summary>iid, dirichlet, shards, quantity.</summary>
    public static IReadOnlyList<string> Names { get; } = ["iid", "dirichlet", "shards", "quantity"];

    /// <summary>The kind named <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    public static PartitionKind Parse(string name) => name switch
    {
        "iid" => PartitionKind.Iid,
        "dirichlet" => PartitionKind.Dirichlet,
        "shards" => PartitionKind.Shards,
        "quantity" => PartitionKind.Quantity,
        _ => throw new ArgumentException($"'{name}' is not one of {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>The configuration name of <paramref name="kind"/>.</summary>
    public static string NameOf(PartitionKind kind) => Names[(int)kind];
}
