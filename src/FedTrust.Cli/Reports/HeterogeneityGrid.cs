using FedTrust.Cli.Grid;
using FedTrust.Core.Data;

namespace FedTrust.Cli.Reports;

/// <summary>A value reached under one attack: the attack, its intensity, its name as the reports write it, and the value.</summary>
public readonly record struct UnderAttack(string Attack, double Intensity, string Label, double Value);

/// <summary>
/// One defense (at f malicious clients) on one data set and partition of a heterogeneity grid, over its seeds: the
/// no-attack accuracy (mean ± sample std over seeds) and the honest clients' false-exclusion rate without attack; the
/// worst-case accuracy over the attacks (mean over seeds of the attack whose mean is lowest, with that attack's sample
/// std); the highest false-exclusion rate over the attacks; and the detection rate averaged over the attacks and its
/// lowest. Rates are each run's averaged over rounds (<see cref="RoundDetection.OverRounds"/>), then over seeds; they are
/// null for a defense that never excludes anyone in the grid. <see cref="F"/> is null for a defense run without attacks
/// at this level (it then has only the no-attack values).
/// </summary>
public sealed record HeterogeneityRow(
    string Dataset,
    PartitionLevel Partition,
    string Defense,
    int? F,
    int Seeds,
    MetricSummary? NoAttack,
    double? NoAttackFpr,
    UnderAttack? Worst,
    double? WorstStd,
    UnderAttack? WorstFpr,
    double? MeanTpr,
    UnderAttack? MinTpr);

/// <summary>
/// Where a defense (at f malicious clients) stops holding as the data get less homogeneous, on one data set: the first
/// partition level, walking them from most to least homogeneous (<see cref="PartitionLevel.Homogeneity"/>), at which
/// <see cref="Accuracy"/> (its worst-case accuracy fell more than <see cref="HeterogeneityGrid.AccuracyDrop"/> below the
/// level's clean baseline) or <see cref="FalseExclusions"/> (its honest false-exclusion rate without attack exceeded
/// <see cref="HeterogeneityGrid.FalseExclusionRate"/>) happened; <see cref="At"/> is null when neither happened at any
/// level (it holds). The numbers are those of the level it broke at, or of the least homogeneous level when it holds.
/// <see cref="OwnBaseline"/>: at some level walked, fedavg had no no-attack cell, so the defense's own no-attack accuracy
/// was the baseline.
/// </summary>
public sealed record BreakingPoint(
    string Dataset,
    string Defense,
    int? F,
    PartitionLevel? At,
    bool Accuracy,
    bool FalseExclusions,
    PartitionLevel? Shown,
    double? WorstAccuracy,
    double? Baseline,
    bool OwnBaseline,
    double? NoAttackFpr);

/// <summary>
/// A heterogeneity grid's cells summarised for its reports: the same defenses and attacks run on several data sets and
/// partitions (<c>fedtrust.grid.datasets</c>, <c>fedtrust.grid.partitions</c>). Each (data set, partition) level is
/// summarised as a robustness grid of its own (<see cref="RobustnessGrid"/>), with one verdict for the whole grid on which
/// defenses detect (<see cref="RobustnessGrid.Excludes"/>), so a defense's rates mean the same at every level.
/// </summary>
public sealed class HeterogeneityGrid
{
    /// <summary>
    /// Breaking-point criterion (a): a defense breaks at a level where its worst-case accuracy is more than this below the
    /// level's clean baseline, fedavg's no-attack accuracy on the same data set and partition (the accuracy the data allow
    /// without attack and without defense).
    /// </summary>
    public const double AccuracyDrop = 0.10;

    /// <summary>
    /// Breaking-point criterion (b): a defense breaks at a level where, without attack, it excludes more than this share of
    /// the honest clients per round on average (it mistakes the heterogeneity itself for an attack).
    /// </summary>
    public const double FalseExclusionRate = 0.10;

    /// <summary>The defense whose no-attack accuracy is a level's clean baseline.</summary>
    public const string BaselineDefense = "fedavg";

    /// <summary>Whether <paramref name="cells"/> vary in data set or partition: more than one distinct (data set, partition).</summary>
    public static bool Applies(IReadOnlyList<CellResult> cells) =>
        cells.Select(c => (c.Dataset, c.Partition)).Distinct().Skip(1).Any();

    /// <summary>Summarises <paramref name="cells"/> (loaded by <see cref="GridResults.Load"/>).</summary>
    public HeterogeneityGrid(IReadOnlyList<CellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var excludes = RobustnessGrid.ExcludingDefenses(cells);
        Datasets = [.. cells.Select(c => c.Dataset).Distinct()
            .OrderBy(d => DatasetCatalog.Names.Contains(d) ? DatasetCatalog.Names.ToList().IndexOf(d) : int.MaxValue).ThenBy(d => d, StringComparer.Ordinal)];
        FVaries = cells.Where(c => c.Attack != "none").Select(c => c.Malicious).Distinct().Skip(1).Any();

        var levels = cells.GroupBy(c => (c.Dataset, c.Partition))
            .ToDictionary(g => g.Key, g => (Grid: new RobustnessGrid([.. g], excludes), Cells: g.ToList()));
        Partitions = Datasets.ToDictionary(d => d,
            d => (IReadOnlyList<PartitionLevel>)[.. levels.Keys.Where(k => k.Dataset == d).Select(k => k.Partition).Order(PartitionLevel.Homogeneity)]);
        Levels = levels.ToDictionary(l => l.Key, l => l.Value.Grid);

        var rows = levels.SelectMany(l => RowsOf(l.Key.Dataset, l.Key.Partition, l.Value.Grid, l.Value.Cells)).ToList();
        Defenses = Datasets.ToDictionary(d => d, d => DefenseOrder(rows.Where(r => r.Dataset == d).ToList(), Partitions[d][^1]));
        Rows = [.. Datasets.SelectMany(d => Partitions[d].SelectMany(p => Defenses[d].SelectMany(defense =>
            rows.Where(r => r.Dataset == d && r.Partition == p && r.Defense == defense).OrderBy(r => r.F))))];
        BreakingPoints = [.. Datasets.SelectMany(d => Defenses[d].SelectMany(defense => BreakingPointsOf(d, defense)))];
    }

    /// <summary>The data sets, the catalogue's first (mnist, fashion-mnist), then any other by name.</summary>
    public IReadOnlyList<string> Datasets { get; }

    /// <summary>Each data set's partition levels, from most to least homogeneous (<see cref="PartitionLevel.Homogeneity"/>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PartitionLevel>> Partitions { get; }

    /// <summary>
    /// Each data set's defenses in report order: by worst-case accuracy at its least homogeneous level (at the largest f
    /// when f varies), highest first; a defense without one there last; ties alphabetically.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Defenses { get; }

    /// <summary>Whether the attacked cells were run at more than one malicious count f.</summary>
    public bool FVaries { get; }

    /// <summary>Each (data set, partition) level summarised as a robustness grid (its per-attack rows, worst cases, detection).</summary>
    public IReadOnlyDictionary<(string Dataset, PartitionLevel Partition), RobustnessGrid> Levels { get; }

    /// <summary>One row per data set, partition, defense and f, in the order of <see cref="Datasets"/>, <see cref="Partitions"/>, <see cref="Defenses"/>, f.</summary>
    public IReadOnlyList<HeterogeneityRow> Rows { get; }

    /// <summary>One breaking point per data set, defense and f, in the order of <see cref="Datasets"/>, <see cref="Defenses"/>, f.</summary>
    public IReadOnlyList<BreakingPoint> BreakingPoints { get; }

    private static IEnumerable<HeterogeneityRow> RowsOf(string dataset, PartitionLevel partition, RobustnessGrid grid, IReadOnlyList<CellResult> cells)
    {
        foreach (var defense in grid.Defenses)
        {
            // The reference with the fewest configured malicious clients (a level has one unless folders of grids were mixed).
            var reference = grid.Rows.Where(r => r.Defense == defense && r.Attack == "none").MinBy(r => r.F);
            var seeds = cells.Where(c => c.Defense == defense).Select(c => c.Seed).Distinct().Count();
            var attacked = grid.Rows.Where(r => r.Defense == defense && r.Attack != "none").GroupBy(r => r.F).ToList();
            if (attacked.Count == 0)
            {
                yield return new HeterogeneityRow(dataset, partition, defense, null, seeds, reference?.Accuracy, reference?.Detection.Fpr,
                    null, null, null, null, null);
                continue;
            }
            foreach (var atF in attacked)
            {
                var worst = grid.WorstCases.Single(w => w.Defense == defense && w.F == atF.Key);
                var detection = grid.Detection.Single(d => d.Defense == defense && d.F == atF.Key);
                UnderAttack? Extreme(Func<RobustnessRow, double?> rate, bool highest)
                {
                    var rated = atF.Where(r => rate(r) is not null)
                        .OrderBy(r => highest ? -rate(r)!.Value : rate(r)!.Value)
                        .ThenBy(r => r.Attack, Comparer<string>.Create(Table1.CompareAttack)).ThenBy(r => r.Intensity).FirstOrDefault();
                    return rated is null ? null : new UnderAttack(rated.Attack, rated.Intensity, grid.AttackLabel(rated.Attack, rated.Intensity), rate(rated)!.Value);
                }
                yield return new HeterogeneityRow(dataset, partition, defense, atF.Key, seeds, reference?.Accuracy, reference?.Detection.Fpr,
                    new UnderAttack(worst.Attack, worst.Intensity, grid.AttackLabel(worst.Attack, worst.Intensity), worst.Accuracy.Mean), worst.Accuracy.Std,
                    Extreme(r => r.Detection.Fpr, highest: true), detection.Rates.Tpr, Extreme(r => r.Detection.Tpr, highest: false));
            }
        }
    }

    private static IReadOnlyList<string> DefenseOrder(IReadOnlyList<HeterogeneityRow> rows, PartitionLevel leastHomogeneous)
    {
        var atLast = rows.Where(r => r.Partition == leastHomogeneous && r.Worst is not null)
            .GroupBy(r => r.Defense).ToDictionary(g => g.Key, g => g.MaxBy(r => r.F)!.Worst!.Value.Value, StringComparer.Ordinal);
        return [.. rows.Select(r => r.Defense).Distinct()
            .OrderByDescending(d => atLast.GetValueOrDefault(d, double.NegativeInfinity)).ThenBy(d => d, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The defense's breaking point at each f it was attacked at on <paramref name="dataset"/> (one, f null, when it
    /// never was): the levels walked from most to least homogeneous, the first one meeting a criterion.
    /// </summary>
    private IEnumerable<BreakingPoint> BreakingPointsOf(string dataset, string defense)
    {
        var rows = Rows.Where(r => r.Dataset == dataset && r.Defense == defense).ToList();
        var attackedAt = rows.Select(r => r.F).Where(f => f is not null).Distinct().Order().ToList();
        IReadOnlyList<int?> fs = attackedAt.Count == 0 ? [null] : attackedAt;
        foreach (var f in fs)
        {
            var ownBaseline = false;
            BreakingPoint? last = null;
            foreach (var level in Partitions[dataset])
            {
                var atLevel = rows.Where(r => r.Partition == level).ToList();
                if (atLevel.Count == 0) continue;
                var row = atLevel.FirstOrDefault(r => r.F == f);
                var noAttack = atLevel[0];
                var fedavg = Rows.FirstOrDefault(r => r.Dataset == dataset && r.Partition == level && r.Defense == BaselineDefense && r.NoAttack is not null);
                var baseline = fedavg?.NoAttack?.Mean ?? noAttack.NoAttack?.Mean;
                var worst = row?.Worst?.Value;
                var own = fedavg is null && baseline is not null && worst is not null;
                ownBaseline |= own;
                var accuracy = worst is { } w && baseline is { } b && w < b - AccuracyDrop;
                var falseExclusions = noAttack.NoAttackFpr is > FalseExclusionRate;
                last = new BreakingPoint(dataset, defense, f, null, false, false, level, worst, baseline, ownBaseline, noAttack.NoAttackFpr);
                if (accuracy || falseExclusions)
                {
                    yield return last with { At = level, Accuracy = accuracy, FalseExclusions = falseExclusions };
                    last = null;
                    break;
                }
            }
            if (last is not null) yield return last;
        }
    }
}
