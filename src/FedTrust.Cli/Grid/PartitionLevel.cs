using System.Globalization;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Grid;

/// <summary>
/// One level of a grid's heterogeneity: a partition kind with the one parameter that shapes it (an entry of
/// <c>fedtrust.grid.partitions</c>, or the partition a result.json recorded). The parameter is the Dirichlet α of
/// <see cref="PartitionKind.Dirichlet"/> and <see cref="PartitionKind.Quantity"/>, the shards per client of
/// <see cref="PartitionKind.Shards"/>, and null for <see cref="PartitionKind.Iid"/>.
/// </summary>
public sealed record PartitionLevel(PartitionKind Kind, double? Parameter)
{
    /// <summary>The IID level.</summary>
    public static PartitionLevel Iid { get; } = new(PartitionKind.Iid, null);

    /// <summary>The level's folder name in a grid: "iid", "dirichlet-0.5", "shards-2", "quantity-0.5" (3 decimals, as every folder).</summary>
    public string Folder => Parameter is { } p ? $"{Name}-{GridCell.Format(p)}" : Name;

    /// <summary>The level as <c>fedtrust.grid.partitions</c> writes it: "iid", "dirichlet@0.5", "shards@2", "quantity@0.5".</summary>
    public string Entry => Parameter is { } p ? $"{Name}@{GridCell.Format(p, "R")}" : Name;

    /// <summary>The level for a reader: "iid", "dirichlet α=0.5", "shards k=2", "quantity α=0.5".</summary>
    public string Label => Parameter is not { } p ? Name
        : Kind == PartitionKind.Shards ? $"{Name} k={GridCell.Format(p)}"
        : $"{Name} α={GridCell.Format(p)}";

    private string Name => PartitionKinds.NameOf(Kind);

    /// <summary>The HOCON of the level inside <c>fedtrust { … }</c>: the kind and its parameter.</summary>
    public string Overrides() => Kind switch
    {
        PartitionKind.Shards => $" partition {{ kind = {Name}, shards-per-client = {GridCell.Format(Parameter!.Value, "R")} }}\n",
        PartitionKind.Dirichlet or PartitionKind.Quantity => $" partition {{ kind = {Name}, alpha = {GridCell.Format(Parameter!.Value, "R")} }}\n",
        _ => $" partition {{ kind = {Name} }}\n",
    };

    /// <summary>
    /// The level a run's partition is: its kind with α (dirichlet, quantity) or shards per client (shards), the other
    /// parameters set aside (they do not shape that kind's split).
    /// </summary>
    public static PartitionLevel Of(PartitionKind kind, double alpha, int shardsPerClient) => kind switch
    {
        PartitionKind.Iid => Iid,
        PartitionKind.Shards => new(kind, shardsPerClient),
        _ => new(kind, alpha),
    };

    /// <summary>
    /// Orders levels from the most to the least homogeneous: iid, then dirichlet by α descending, then shards by shards per
    /// client descending, then quantity by α descending (larger α and more shards per client give each client a mix
    /// nearer the whole set's). Levels of different kinds are not comparable in degree; this is the order the reports walk.
    /// </summary>
    public static IComparer<PartitionLevel> Homogeneity { get; } = Comparer<PartitionLevel>.Create((a, b) =>
        a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : (b.Parameter ?? 0).CompareTo(a.Parameter ?? 0));

    /// <summary>
    /// Parses an entry of <paramref name="key"/>: "iid", "dirichlet@α", "shards@k" (k whole, ≥ 1), "quantity@α"; a bare
    /// "dirichlet", "shards" or "quantity" takes its parameter from <paramref name="basePartition"/> (the base configuration's).
    /// </summary>
    /// <exception cref="ConfigurationException">The entry is not one of those forms; the message names the key, the entry and the form.</exception>
    public static PartitionLevel Parse(string entry, string key, Func<PartitionSettings> basePartition)
    {
        var at = entry.IndexOf('@');
        var name = at < 0 ? entry : entry[..at];
        if (!PartitionKinds.Names.Contains(name))
            throw new ConfigurationException(
                $"{key}: '{name}' is not one of {string.Join(", ", PartitionKinds.Names)}; write \"iid\", \"dirichlet@0.5\", \"shards@2\" or \"quantity@0.5\"");
        var kind = PartitionKinds.Parse(name);
        if (kind == PartitionKind.Iid)
            return at < 0 ? Iid : throw new ConfigurationException($"{key}: '{entry}': iid takes no parameter; write \"iid\"");
        if (kind == PartitionKind.Quantity && basePartition().Sizes != QuantitySkew.Dirichlet)
            throw new ConfigurationException(
                $"{key}: '{entry}': a quantity level is its alpha, which shapes the client sizes only with fedtrust.partition.sizes = dirichlet " +
                "(it is log-normal); set fedtrust.partition.sizes = dirichlet");
        if (at < 0)
        {
            var settings = basePartition();
            return Of(kind, settings.Alpha, settings.ShardsPerClient);
        }
        var text = entry[(at + 1)..];
        if (kind == PartitionKind.Shards)
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) && k >= 1
                ? new PartitionLevel(kind, k)
                : throw new ConfigurationException($"{key}: '{entry}': expected shards@k with a whole number k ≥ 1 of shards per client, e.g. \"shards@2\"");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var alpha) && double.IsFinite(alpha) && alpha > 0
            ? new PartitionLevel(kind, alpha)
            : throw new ConfigurationException($"{key}: '{entry}': expected {name}@alpha with a positive number alpha, e.g. \"{name}@0.5\"");
    }
}
