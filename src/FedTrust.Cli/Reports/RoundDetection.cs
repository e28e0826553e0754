namespace FedTrust.Cli.Reports;

/// <summary>
/// A true- and false-positive rate of malicious-client detection; either is null where it is undefined
/// (no malicious, or no honest, client to score).
/// </summary>
public readonly record struct DetectionRate(double? Tpr, double? Fpr);

/// <summary>
/// How well a run's defense told its malicious clients from honest ones, round by round (result.json's
/// <c>detection</c> scores the last round only). In a round, the scored clients are the participants and the rejected
/// (those whose update arrived, valid or not); the flagged ones are those the defense did not aggregate
/// (<c>excluded</c>) and the rejected. TPR = flagged malicious / malicious scored, FPR = flagged honest / honest scored.
/// </summary>
public static class RoundDetection
{
    /// <summary>
    /// The rates of one round. Without <c>participants</c> (an older result.json) every client of
    /// <paramref name="clients"/> is scored. A rate is null when the round scored no client of its kind.
    /// </summary>
    public static DetectionRate Of(ResultRound round, IReadOnlySet<string> malicious, IReadOnlyCollection<string> clients)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(malicious);
        ArgumentNullException.ThrowIfNull(clients);
        var rejected = round.Rejected ?? [];
        var scored = (round.Participants ?? clients).Concat(rejected).ToHashSet(StringComparer.Ordinal);
        var flagged = (round.Excluded ?? []).Concat(rejected).Where(scored.Contains).ToHashSet(StringComparer.Ordinal);
        var bad = scored.Count(malicious.Contains);
        var good = scored.Count - bad;
        return new DetectionRate(
            bad == 0 ? null : (double)flagged.Count(malicious.Contains) / bad,
            good == 0 ? null : (double)flagged.Count(id => !malicious.Contains(id)) / good);
    }

    /// <summary>
    /// The run's rates averaged over its rounds: the TPR over the rounds that scored a malicious client, the FPR over
    /// those that scored an honest one (a round without one has no rate of that kind and does not count as 0). Null
    /// rates when the file lists no clients, or no round scored a client of that kind.
    /// </summary>
    public static DetectionRate OverRounds(ResultFile result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Clients is not { Count: > 0 } clients) return new DetectionRate(null, null);
        var malicious = clients.Where(c => c.Malicious).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var ids = clients.Select(c => c.Id).ToList();
        var rounds = result.Rounds.Select(r => Of(r, malicious, ids)).ToList();
        return new DetectionRate(MeanOrNull(rounds.Select(r => r.Tpr)), MeanOrNull(rounds.Select(r => r.Fpr)));
    }

    /// <summary>The mean of the values that are not null; null when every value is.</summary>
    public static double? MeanOrNull(IEnumerable<double?> values)
    {
        var present = values.OfType<double>().ToList();
        return present.Count == 0 ? null : present.Average();
    }
}
