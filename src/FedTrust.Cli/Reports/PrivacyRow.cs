namespace FedTrust.Cli.Reports;

/// <summary>A cell of a grid's ε sweep: its result and its ε target (the per-round ε of local DP, or the total ε of central DP).</summary>
public sealed record SweepCell(CellResult Cell, double Target);

/// <summary>
/// One row of the privacy report: a (defense, attack, intensity, client count, ε target) point of the ε sweep over its
/// seeds. <see cref="Tpr"/> and <see cref="Fpr"/> (malicious-client detection, averaged over rounds then seeds, see
/// <see cref="RoundDetection.OverRounds"/>, else result.json's <c>detection</c>) only for an attacked row whose runs
/// recorded them.
/// </summary>
/// <param name="PerRound">Clients sampled per round (<c>config.clients-per-round</c>; the client count for "all").</param>
/// <param name="Central">Whether the ε is the total over the run (central DP) rather than per round (local DP).</param>
/// <param name="Epsilon">The ε spent (<see cref="RunPrivacy.Epsilon"/>), mean over seeds; +∞ when a seed's is.</param>
/// <param name="NoiseMultiplier">σ relative to the clipping norm, mean over the seeds that recorded it.</param>
/// <param name="Rounds">Rounds run, mean over seeds (fewer than planned where a run stopped at its budget).</param>
/// <param name="Stopped">Seeds whose run stopped at its privacy budget.</param>
public sealed record PrivacyRow(
    string Defense, string Attack, double Intensity, int Clients, int PerRound, bool Central, double Target,
    MetricSummary Accuracy, double Epsilon, double? Delta, double? NoiseMultiplier, double Rounds, int Stopped,
    double? Tpr, double? Fpr, int Seeds)
{
    /// <summary>
    /// The rows of <paramref name="cells"/>, one per (defense, attack, intensity, client count, ε target), in report
    /// order: defense, attack and intensity as Table 1 orders them, then client count and ε target ascending (∞ last).
    /// </summary>
    public static IReadOnlyList<PrivacyRow> Of(IReadOnlyList<SweepCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return cells
            .GroupBy(s => (s.Cell.Defense, s.Cell.Attack, s.Cell.Intensity, s.Cell.Clients, s.Target))
            .Select(g => Row(g.Key, [.. g.Select(s => s.Cell)]))
            .Order(Comparer<PrivacyRow>.Create((a, b) =>
            {
                var byCell = Table1.Compare((a.Defense, a.Attack, a.Intensity), (b.Defense, b.Attack, b.Intensity));
                if (byCell != 0) return byCell;
                var byClients = a.Clients.CompareTo(b.Clients);
                return byClients != 0 ? byClients : a.Target.CompareTo(b.Target);
            }))
            .ToList();
    }

    private static PrivacyRow Row((string Defense, string Attack, double Intensity, int Clients, double Target) key, IReadOnlyList<CellResult> seeds)
    {
        var privacy = seeds.Select(c => RunPrivacy.Of(c.Result)).ToList();
        var detection = key.Attack == "none"
            ? []
            : seeds.Select(c => RoundDetection.OverRounds(c.Result) is var rate && (rate.Tpr ?? rate.Fpr) is not null
                ? rate
                : new DetectionRate(c.Result.Detection?.Tpr, c.Result.Detection?.Fpr)).ToList();
        return new PrivacyRow(
            key.Defense, key.Attack, key.Intensity, key.Clients, seeds[0].Result.Config.PerRound, privacy.Any(p => p.Central), key.Target,
            MetricSummary.Of([.. seeds.Select(c => c.Result.Final.Accuracy)]),
            privacy.Any(p => double.IsPositiveInfinity(p.Epsilon)) ? double.PositiveInfinity : privacy.Average(p => p.Epsilon),
            RoundDetection.MeanOrNull(privacy.Select(p => p.Delta)),
            RoundDetection.MeanOrNull(privacy.Select(p => p.NoiseMultiplier)),
            seeds.Average(c => (double)c.Result.Rounds.Count),
            privacy.Count(p => p.StoppedRound is not null),
            RoundDetection.MeanOrNull(detection.Select(d => d.Tpr)),
            RoundDetection.MeanOrNull(detection.Select(d => d.Fpr)),
            seeds.Count);
    }
}
