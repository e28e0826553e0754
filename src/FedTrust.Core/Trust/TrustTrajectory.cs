namespace FedTrust.Core.Trust;

/// <summary>One journaled change of a client's trust (what the ledger persists), in the form replay needs.</summary>
public sealed record TrustChange(long SequenceNr, int Round, string ClientId, double OldScore, double NewScore, string Reason);

/// <summary>
/// Every client's trust after every round, rebuilt from the ledger's journaled changes: a client with no change in a
/// round keeps its score. Checks the journal's integrity on the way: sequence numbers 1, 2, 3, … without gap or
/// repeat, rounds never going back, and each change starting from the score the previous one left.
/// </summary>
public sealed class TrustTrajectory
{
    private readonly SortedDictionary<int, IReadOnlyDictionary<string, double>> _rounds = [];

    public TrustTrajectory(IReadOnlyList<TrustChange> changes, string source)
    {
        var scores = new SortedDictionary<string, double>(StringComparer.Ordinal);
        long expected = 1;
        var round = 0;
        foreach (var change in changes)
        {
            if (change.SequenceNr != expected)
                throw new InvalidDataException($"{source}: event sequence numbers jump from {expected - 1} to {change.SequenceNr} (missing or duplicate events)");
            if (change.Round < round)
                throw new InvalidDataException($"{source}: event {change.SequenceNr} is for round {change.Round} after round {round}");
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

    /// <summary>The scores as they stood after round <paramref name="round"/> (the last recorded round at or before it).</summary>
    public IReadOnlyDictionary<string, double>? At(int round) =>
        _rounds.LastOrDefault(kv => kv.Key <= round).Value;
}
