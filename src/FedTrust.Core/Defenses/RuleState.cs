namespace FedTrust.Core.Defenses;

/// <summary>
/// What a stateful rule carries from one round to the next (<see cref="AggregationRule.NewState"/>): one instance per
/// run, which the rule reads and updates in <see cref="AggregationRule.Aggregate"/> (through
/// <see cref="DefenseState.Of{T}"/>) and which saves itself into a run's checkpoint and restores itself from one. The
/// server and the checkpoint file know only <see cref="RuleStateSnapshot"/>'s shapes, never which rule uses them, so a
/// new stateful rule needs no edit outside its own file and its registration line.
/// </summary>
public abstract class RuleState
{
    /// <summary>
    /// The state as the checkpoint stores it. It may refer to the live state rather than copy it (the checkpoint is
    /// written before the next round changes it).
    /// </summary>
    public abstract RuleStateSnapshot Save();

    /// <summary>Replaces the state with <paramref name="saved"/> (a run resumed from its checkpoint; slots this rule does not use are ignored).</summary>
    /// <exception cref="ArgumentException">The saved state cannot be this rule's (e.g. vectors of different lengths).</exception>
    public abstract void Restore(RuleStateSnapshot saved);
}

/// <summary>
/// A rule's carried state in the shapes a checkpoint stores; a rule uses the slots it needs. checkpoint.json keeps each
/// slot under its own key: <see cref="Vector"/> as <c>previousAggregate</c>, <see cref="Vectors"/> as <c>histories</c>
/// (the keys centered-clipping and foolsgold have always used, so older checkpoints resume and older fedtrust reads
/// newer ones), <see cref="Numbers"/> as <c>ruleNumbers</c>.
/// </summary>
/// <param name="Vector">One vector (centered clipping's centre).</param>
/// <param name="Vectors">Vectors by key (FoolsGold's history of each client id).</param>
/// <param name="Numbers">Numbers by name.</param>
public sealed record RuleStateSnapshot(
    float[]? Vector = null,
    IReadOnlyDictionary<string, float[]>? Vectors = null,
    IReadOnlyDictionary<string, double>? Numbers = null)
{
    /// <summary>Whether no slot holds anything (the state of a rule that has not aggregated yet, or of a stateless rule).</summary>
    public bool IsEmpty => Vector is null && Vectors is null && Numbers is null;
}
