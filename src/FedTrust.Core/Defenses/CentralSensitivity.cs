using FedTrust.Core.Settings;

namespace FedTrust.Core.Defenses;

/// <summary>
/// Which defenses central DP can privatise, and at what sensitivity. The server's noise protects a client only if adding
/// or removing that client moves the noised quantity by a bounded amount. A (trust-)weighted sum of clipped updates with
/// weights in [0, 1] over a fixed denominator moves by at most C when each weight depends on its own client's update and
/// on public information alone (<see cref="Privacy.DpFedAvg"/>; McMahan et al. 2018, §2). Multi-Krum keeping n − f updates is
/// the sum of all kept updates minus the f it drops: one client changes the sum by its own term and can change which f
/// are dropped, so it moves by at most (2f + 1)·C, and the noise is scaled by 2f + 1. The median, the trimmed mean, the
/// geometric median, Bulyan, Krum, centered clipping, FLTrust, FoolsGold and the pre-aggregators let one client move
/// every coordinate or every other update, with no bound of that kind, so they are refused.
/// </summary>
public static class CentralSensitivity
{
    /// <summary>Why <paramref name="defense"/> cannot run under central DP, or null when it can.</summary>
    public static string? Problem(DefenseSettings defense, KrumSettings krum)
    {
        ArgumentNullException.ThrowIfNull(defense);
        ArgumentNullException.ThrowIfNull(krum);
        // Each stage declares its own bound (AggregationRule.CentralProblem, PreAggregator.CentralProblem).
        if (defense.Pre.Count > 0) return defense.Pre[0].CentralProblem;
        var why = defense.Rule.CentralProblem(krum);
        return why;
    }

    /// <summary>
    /// The L2 sensitivity of the round's noised sum in units of the clip norm C: 1 for a (trust-)weighted mean, 2f + 1 for
    /// multi-Krum keeping n − f updates.
    /// </summary>
    /// <exception cref="ArgumentException">The defense cannot run under central DP (<see cref="Problem"/>).</exception>
    public static int Multiplier(DefenseSettings defense, KrumSettings krum)
    {
        if (Problem(defense, krum) is { } problem) throw new ArgumentException($"defense '{defense.Name}' under central DP: {problem}", nameof(defense));
        return defense.Rule.CentralMultiplier(krum);
    }
}
