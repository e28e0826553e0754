using System.Globalization;

namespace FedTrust.Cli.Reports;

/// <summary>
/// One (defense, attack, intensity, f) of a robustness grid over its seeds: the final accuracy (mean ± sample std),
/// under the backdoor the attack success rate (the final round's, mean ± sample std over seeds; and the mean over
/// rounds, averaged over seeds), and the malicious-client detection averaged over rounds then seeds (null where
/// undefined, or where the defense never excludes anyone, see <see cref="RobustnessGrid.Excludes"/>).
/// </summary>
public sealed record RobustnessRow(
    string Defense,
    string Attack,
    double Intensity,
    int F,
    MetricSummary Accuracy,
    int Seeds,
    MetricSummary? FinalAsr,
    double? RoundsAsr,
    DetectionRate Detection);

/// <summary>
/// The worst attack against a defense at f malicious clients: the attack (and intensity) whose final accuracy,
/// averaged over seeds, is lowest among the <paramref name="Attacks"/> attacks run at that f, with that attack's mean
/// ± sample std over its <paramref name="Seeds"/> seeds.
/// </summary>
public sealed record WorstCase(string Defense, int F, string Attack, double Intensity, MetricSummary Accuracy, int Seeds, int Attacks);

/// <summary>
/// A defense's malicious-client detection at f malicious clients: the per-run rates averaged over rounds, then over
/// seeds within each attack, then over the <paramref name="Attacks"/> attacks (each attack weighs the same).
/// </summary>
public sealed record DetectionSummary(string Defense, int F, DetectionRate Rates, int Attacks);

/// <summary>
/// A robustness grid's cells summarised for its reports: honest clients plus f ∈ {…} malicious ones, many attacks
/// against many defenses, several seeds. The attacked cells (attack other than "none") make the f columns; the
/// no-attack cells are each defense's reference.
/// </summary>
public sealed class RobustnessGrid
{
    /// <summary>Summarises <paramref name="cells"/> (loaded by <see cref="GridResults.Load"/>).</summary>
    /// <param name="cells">The cells; without attacked ones there are no f columns, worst cases or detection summaries.</param>
    /// <param name="excludes">
    /// The defenses that detect (<see cref="Excludes"/>) when <paramref name="cells"/> are part of a larger grid that
    /// decides it (a heterogeneity grid's, level by level); by default those that excluded someone in <paramref name="cells"/>.
    /// </param>
    public RobustnessGrid(IReadOnlyList<CellResult> cells, IReadOnlySet<string>? excludes = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var attacked = cells.Where(c => c.Attack != "none").ToList();

        F = [.. attacked.Select(c => c.Malicious).Distinct().Order()];
        _intensities = attacked.GroupBy(c => c.Attack).ToDictionary(g => g.Key, g => g.Select(c => c.Intensity).Distinct().Count());
        Excludes = excludes ?? ExcludingDefenses(cells);

        var rows = cells.GroupBy(c => (c.Defense, c.Attack, c.Intensity, F: c.Malicious)).Select(Summarise).ToList();
        var byDefenseAndF = rows.Where(r => r.Attack != "none").GroupBy(r => (r.Defense, r.F)).ToList();
        var worst = byDefenseAndF.Select(Worst).ToList();
        var detection = byDefenseAndF.Select(g => new DetectionSummary(
            g.Key.Defense, g.Key.F,
            new DetectionRate(RoundDetection.MeanOrNull(g.Select(r => r.Detection.Tpr)), RoundDetection.MeanOrNull(g.Select(r => r.Detection.Fpr))),
            g.Count())).ToList();

        var atLargest = worst.Where(w => w.F == F[^1]).ToDictionary(w => w.Defense, w => w.Accuracy.Mean, StringComparer.Ordinal);
        Defenses = [.. rows.Select(r => r.Defense).Distinct()
            .OrderByDescending(d => atLargest.GetValueOrDefault(d, double.NegativeInfinity)).ThenBy(d => d, StringComparer.Ordinal)];
        var rank = Defenses.Select((d, i) => (d, i)).ToDictionary(p => p.d, p => p.i, StringComparer.Ordinal);
        Rows = [.. rows.OrderBy(r => rank[r.Defense])
            .ThenBy(r => r.Attack, Comparer<string>.Create(Table1.CompareAttack)).ThenBy(r => r.Intensity).ThenBy(r => r.F)];
        WorstCases = [.. worst.OrderBy(w => rank[w.Defense]).ThenBy(w => w.F)];
        Detection = [.. detection.OrderBy(d => rank[d.Defense]).ThenBy(d => d.F)];
    }

    private readonly Dictionary<string, int> _intensities;

    /// <summary>The malicious counts f of the attacked cells, ascending (none without attacked cells).</summary>
    public IReadOnlyList<int> F { get; }

    /// <summary>
    /// The defenses in report order: by worst-case accuracy at the largest f, highest first (a defense without cells
    /// at that f last), ties alphabetically.
    /// </summary>
    public IReadOnlyList<string> Defenses { get; }

    /// <summary>
    /// Every (defense, attack, intensity, f), the no-attack references included, in the order of <see cref="Defenses"/>,
    /// then attack (as in Table 1), intensity and f.
    /// </summary>
    public IReadOnlyList<RobustnessRow> Rows { get; }

    /// <summary>Each defense's worst attack at each f it was run at, in the order of <see cref="Defenses"/> then f.</summary>
    public IReadOnlyList<WorstCase> WorstCases { get; }

    /// <summary>
    /// Each defense's detection at each f, in the order of <see cref="Defenses"/> then f. Rates are null for a defense
    /// that never excludes anyone (see <see cref="Excludes"/>).
    /// </summary>
    public IReadOnlyList<DetectionSummary> Detection { get; }

    /// <summary>
    /// The defenses that excluded some participant in some round of the grid. The others (fedavg, median, …) aggregate
    /// every valid update: their detection rates would only count the invalid updates the framework rejects, so they
    /// have none.
    /// </summary>
    public IReadOnlySet<string> Excludes { get; }

    /// <summary>The defenses among <paramref name="cells"/> that excluded some participant in some round.</summary>
    public static IReadOnlySet<string> ExcludingDefenses(IEnumerable<CellResult> cells) =>
        cells.Where(c => c.Result.Rounds.Any(r => r.Excluded is { Count: > 0 })).Select(c => c.Defense).ToHashSet(StringComparer.Ordinal);

    /// <summary>The attack success rates of the backdoor: the rows whose runs recorded one.</summary>
    public IEnumerable<RobustnessRow> AsrRows => Rows.Where(r => r.FinalAsr is not null && r.Attack != "none");

    /// <summary>An attack's name, with "@intensity" when the grid runs it at several intensities.</summary>
    public string AttackLabel(string attack, double intensity) =>
        _intensities.GetValueOrDefault(attack) > 1 ? $"{attack}@{Number(intensity)}" : attack;

    /// <summary>A number as the reports write intensities: up to 4 decimals, invariant culture.</summary>
    public static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private RobustnessRow Summarise(IGrouping<(string Defense, string Attack, double Intensity, int F), CellResult> group)
    {
        var runs = group.ToList();
        var asr = runs.Select(c => c.Result.Rounds.Where(r => r.AttackSuccessRate is not null).Select(r => r.AttackSuccessRate!.Value).ToList())
            .Where(rates => rates.Count > 0).ToList();
        var excludes = Excludes.Contains(group.Key.Defense);
        var detection = runs.Select(c => RoundDetection.OverRounds(c.Result)).ToList();
        return new RobustnessRow(
            group.Key.Defense, group.Key.Attack, group.Key.Intensity, group.Key.F,
            MetricSummary.Of([.. runs.Select(c => c.Result.Final.Accuracy)]), runs.Count,
            asr.Count == 0 ? null : MetricSummary.Of([.. asr.Select(rates => rates[^1])]),
            asr.Count == 0 ? null : asr.Average(rates => rates.Average()),
            excludes
                ? new DetectionRate(RoundDetection.MeanOrNull(detection.Select(d => d.Tpr)), RoundDetection.MeanOrNull(detection.Select(d => d.Fpr)))
                : new DetectionRate(null, null));
    }

    /// <summary>The attack with the lowest mean accuracy; ties go to the attack first in Table 1's order, then the lower intensity.</summary>
    private static WorstCase Worst(IGrouping<(string Defense, int F), RobustnessRow> group)
    {
        var worst = group
            .OrderBy(r => r.Accuracy.Mean)
            .ThenBy(r => r.Attack, Comparer<string>.Create(Table1.CompareAttack))
            .ThenBy(r => r.Intensity)
            .First();
        return new WorstCase(group.Key.Defense, group.Key.F, worst.Attack, worst.Intensity, worst.Accuracy, worst.Seeds, group.Count());
    }
}
