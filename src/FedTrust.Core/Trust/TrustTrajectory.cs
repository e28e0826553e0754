using System.Globalization;

namespace FedTrust.Core.Trust;

/// <summary>
/// One journaled change of a client's trust (what the ledger persists), in the form replay needs.
/// <see cref="Behaviour"/> is the behaviour score b that moved it, when the journal recorded one.
/// </summary>
public sealed record TrustChange(long SequenceNr, int Round, string ClientId, double OldScore, double NewScore, string Reason, double? Behaviour = null)
{
    /// <summary>
    /// The reasons the ledger records, each with the direction it moves a score: "excluded" (fell below the threshold)
    /// and "penalised" down, "readmitted" (rose back to it) and "rewarded" up, "unchanged" not at all.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, int> Reasons = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["excluded"] = -1, ["penalised"] = -1, ["readmitted"] = 1, ["rewarded"] = 1, ["unchanged"] = 0,
    };
}

/// <summary>
/// Every client's trust after every round, rebuilt from the ledger's journaled changes: a client with no change in a
/// round keeps its score. Checks the journal's integrity on the way: sequence numbers 1, 2, 3, … without gap or
/// repeat, rounds from 1 and never going back, each change starting from the score the previous one left, scores and
/// behaviours finite and in [0, 1], a known reason that agrees with the way the score moved, one event per client
/// and round (the ledger writes no more), and, when the run's clients are known, only those clients.
/// <see cref="FirstDifference"/> compares the result with the per-round trust a run's result.json or checkpoint recorded.
/// </summary>
public sealed class TrustTrajectory
{
    private readonly SortedDictionary<int, IReadOnlyDictionary<string, double>> _rounds = [];

    /// <summary>Rebuilds the trajectory from <paramref name="changes"/> in journal order.</summary>
    /// <param name="changes">The run's events, in sequence-number order.</param>
    /// <param name="source">Names the journal and run in error messages.</param>
    /// <param name="clients">The run's clients; null when unknown (then events are not checked against them).</param>
    /// <exception cref="InvalidDataException">An event breaks one of the checks; the message starts with <paramref name="source"/> and names the event.</exception>
    public TrustTrajectory(IReadOnlyList<TrustChange> changes, string source, IReadOnlySet<string>? clients = null)
    {
        var scores = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var inRound = new Dictionary<string, long>(StringComparer.Ordinal); // the round's clients so far, with their event
        long expected = 1;
        var round = 0;
        foreach (var change in changes)
        {
            if (change.SequenceNr != expected)
                throw new InvalidDataException($"{source}: event sequence numbers jump from {expected - 1} to {change.SequenceNr} (missing or duplicate events)");
            Check(change, clients, source);
            if (change.Round < round)
                throw new InvalidDataException($"{source}: event {change.SequenceNr} is for round {change.Round} after round {round}");
            if (change.Round > round) inRound.Clear();
            if (!inRound.TryAdd(change.ClientId, change.SequenceNr))
                throw new InvalidDataException(
                    $"{source}: event {change.SequenceNr} is a second event for {change.ClientId} in round {change.Round} (the first is event {inRound[change.ClientId]}); the ledger writes one per client and round");
            if (change.Round > round && round > 0) _rounds[round] = new SortedDictionary<string, double>(scores, StringComparer.Ordinal);
            if (scores.TryGetValue(change.ClientId, out var previous) && previous != change.OldScore)
                throw new InvalidDataException(
                    $"{source}: event {change.SequenceNr} moves {change.ClientId} from {change.OldScore} but the previous event left {previous}");
            scores[change.ClientId] = change.NewScore;
            round = change.Round;
            expected++;
        }
        if (round > 0) _rounds[round] = new SortedDictionary<string, double>(scores, StringComparer.Ordinal);
        Events = changes.Count;
    }

    public int Events { get; }

    /// <summary>The rounds that recorded evidence, in order, each with every known client's score after it.</summary>
    public IReadOnlyList<(int Round, IReadOnlyDictionary<string, double> Scores)> Rounds =>
        _rounds.Select(kv => (kv.Key, kv.Value)).ToList();

    /// <summary>The last round that recorded evidence (0 when none did).</summary>
    public int LastRound => _rounds.Count == 0 ? 0 : _rounds.Keys.Last();

    /// <summary>The scores as they stood after round <paramref name="round"/> (the last recorded round at or before it).</summary>
    public IReadOnlyDictionary<string, double>? At(int round) =>
        _rounds.LastOrDefault(kv => kv.Key <= round).Value;

    /// <summary>
    /// The first place where this trajectory and the per-round trust a run recorded elsewhere disagree, as one
    /// sentence naming the round and client, or null when they agree. <paramref name="recorded"/> holds the run's
    /// rounds in order, each with the scores it recorded (client → score, in client order; under sampling only the
    /// round's sample). Every round that recorded scores must have events (the ledger journals every round with
    /// evidence, and only a Poisson draw of nobody has none: it records no scores), each recorded score must equal the
    /// rebuilt one exactly (a client without any event yet stands at <paramref name="initial"/>; unchecked when that is
    /// unknown), and the journal may not go past the last recorded round, except by <paramref name="ahead"/> rounds (1
    /// for a checkpoint: a run killed after journaling a round but before checkpointing it).
    /// </summary>
    /// <param name="what">Names the record in the sentence ("result.json").</param>
    public string? FirstDifference(IReadOnlyList<(int Round, IReadOnlyList<KeyValuePair<string, double>> Scores)> recorded, string what,
        int ahead = 0, double? initial = null)
    {
        var last = recorded.Count == 0 ? 0 : recorded[^1].Round;
        foreach (var (round, scores) in recorded)
        {
            if (scores.Count == 0) continue;
            if (!_rounds.TryGetValue(round, out var rebuilt))
            {
                return $"at round {round}, {scores[0].Key}: {what} records round {round} but the journal has no event of it " +
                       $"(the journal's rounds end at {LastRound}, {what}'s at {last})";
            }
            foreach (var (client, score) in scores)
            {
                if (!rebuilt.TryGetValue(client, out var journaled))
                {
                    if (initial is not { } start || start == score) continue;
                    return $"at round {round}, {client}: {what} records a trust of {Number(score)} but the journal has no event of {client} by then (so the initial {Number(start)})";
                }
                if (journaled != score)
                    return $"at round {round}, {client}: {what} records a trust of {Number(score)} but the journal's events give {Number(journaled)}";
            }
        }
        var beyond = _rounds.Keys.FirstOrDefault(r => r > last + ahead);
        if (beyond > 0)
        {
            var client = _rounds[beyond].Keys.First();
            return $"at round {beyond}, {client}: the journal has events of round {beyond} but {what} records rounds only up to {last}";
        }
        return null;
    }

    /// <summary>Whether <paramref name="value"/> can be a trust or behaviour score: finite and in [0, 1].</summary>
    public static bool IsScore(double value) => double.IsFinite(value) && value is >= 0 and <= 1;

    /// <summary>The checks one event must pass on its own (the chain and order checks need its neighbours).</summary>
    private static void Check(TrustChange change, IReadOnlySet<string>? clients, string source)
    {
        var at = $"{source}: event {change.SequenceNr}";
        if (change.Round < 1)
            throw new InvalidDataException($"{at} is for round {change.Round}; rounds start at 1");
        if (string.IsNullOrEmpty(change.ClientId))
            throw new InvalidDataException($"{at} names no client");
        if (clients is not null && !clients.Contains(change.ClientId))
            throw new InvalidDataException($"{at} is for '{change.ClientId}', which is not one of the run's {clients.Count} clients");
        if (!IsScore(change.OldScore))
            throw new InvalidDataException($"{at} gives {change.ClientId} an old score of {Number(change.OldScore)}, not a finite number in [0, 1]");
        if (!IsScore(change.NewScore))
            throw new InvalidDataException($"{at} gives {change.ClientId} a new score of {Number(change.NewScore)}, not a finite number in [0, 1]");
        if (change.Behaviour is { } b && !IsScore(b))
            throw new InvalidDataException($"{at} gives {change.ClientId} a behaviour of {Number(b)}, not a finite number in [0, 1]");
        if (!TrustChange.Reasons.TryGetValue(change.Reason ?? "", out var direction))
            throw new InvalidDataException(
                $"{at} has the unknown reason '{change.Reason}' (expected one of {string.Join(", ", TrustChange.Reasons.Keys)})");
        if (Math.Sign(change.NewScore - change.OldScore) != direction)
            throw new InvalidDataException(
                $"{at} says '{change.Reason}' but moves {change.ClientId} from {Number(change.OldScore)} to {Number(change.NewScore)}");
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
