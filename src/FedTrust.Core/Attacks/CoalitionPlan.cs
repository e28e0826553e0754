using FedTrust.Core.Settings;

namespace FedTrust.Core.Attacks;

/// <summary>What a coalition does next in a round (<see cref="CoalitionPlan.Next"/>).</summary>
public enum CoalitionStep
{
    /// <summary>Wait: a member drawn for the round has not reported yet, or an omniscient coalition has not been shown the honest updates.</summary>
    Wait,

    /// <summary>Craft nothing: no member was drawn for the round, so no one would send it.</summary>
    Nothing,

    /// <summary>Craft from the round's honest updates (omniscient knowledge).</summary>
    FromHonest,

    /// <summary>Craft from the members' own honest updates (colluding knowledge).</summary>
    FromOwn,

    /// <summary>
    /// Craft from the members' own honest updates although the coalition is omniscient: the round has no valid honest
    /// update (it drew only members, or every honest update was rejected or lost). See <see cref="CoalitionPlan.WithoutHonest"/>.
    /// </summary>
    FromOwnWithoutHonest,
}

/// <summary>
/// The coalition's decisions, pure: when it may craft a round's update and from which benign updates. The coalition
/// actor only moves the messages. An omniscient coalition waits until the server has shown it the round's honest updates
/// (at once when the round drew no honest client); a colluding one needs only its members' reports.
/// </summary>
public static class CoalitionPlan
{
    /// <summary>
    /// The next step of a round with <paramref name="members"/> members drawn, <paramref name="reported"/> of them
    /// reported, and <paramref name="honestShown"/> valid honest updates shown by the server (null while not shown).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count, more reports than members, or an undefined knowledge.</exception>
    public static CoalitionStep Next(AttackKnowledge knowledge, int members, int reported, int? honestShown)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(members);
        if (reported < 0 || reported > members)
            throw new ArgumentOutOfRangeException(nameof(reported), reported, $"reports must be in 0..{members}, the members drawn");
        if (honestShown < 0) throw new ArgumentOutOfRangeException(nameof(honestShown), honestShown, "a count of honest updates cannot be negative");
        if (!Enum.IsDefined(knowledge)) throw new ArgumentOutOfRangeException(nameof(knowledge), knowledge, "not a defined attack knowledge");
        if (members == 0) return CoalitionStep.Nothing;
        if (reported < members) return CoalitionStep.Wait;
        if (knowledge == AttackKnowledge.Colluding) return CoalitionStep.FromOwn;
        return honestShown switch
        {
            null => CoalitionStep.Wait,
            0 => CoalitionStep.FromOwnWithoutHonest,
            _ => CoalitionStep.FromHonest,
        };
    }

    /// <summary>
    /// What an omniscient coalition does in a round without a valid honest update, and why, per attack: every colluding
    /// attack crafts from its members' own honest updates (their benign estimate, computed on their own data), as the
    /// attack's paper does when the attacker does not see the honest updates; none withholds its update. The line is
    /// what the coalition logs.
    /// </summary>
    /// <exception cref="ArgumentException">An attack that is not crafted by a coalition.</exception>
    public static string WithoutHonest(AttackKind kind) => kind switch
    {
        // Baruch et al. 2019 §3: the corrupted workers estimate μ and σ from their own data (the paper's attacker is not omniscient).
        AttackKind.Alie => "alie crafts μ − z·σ from the members' own honest updates (Baruch et al. 2019: the corrupted workers estimate μ and σ from their own data)",
        // Xie et al. 2020: −ε·μ needs μ, the true gradient's estimate; the members' own honest updates are one.
        AttackKind.Ipm => "ipm sends −ε·μ of the members' own honest updates (Xie et al. 2020: μ estimates the true gradient, which the members' own data estimates too)",
        // Shejwalkar & Houmansadr 2021 §4: without knowledge of the benign gradients the attacker uses those of its own clients' benign data.
        AttackKind.MinMax or AttackKind.MinSum =>
            $"{AttackKinds.Name(kind)} crafts from the members' own honest updates (Shejwalkar & Houmansadr 2021: the partial-knowledge attacker uses its clients' own benign gradients)",
        // Karimireddy et al. 2022: mimic copies one benign update; with none from honest clients it copies the first member's own.
        AttackKind.Mimic => "mimic copies the first member's own honest update (Karimireddy et al. 2022: mimic repeats one benign update; no honest one was drawn)",
        _ => throw new ArgumentException($"attack '{AttackKinds.Name(kind)}' is not crafted by a coalition", nameof(kind)),
    };
}
