using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Privacy;

/// <summary>
/// Which defenses central DP can privatise, and at what sensitivity. The server's noise protects a client only if adding
/// or removing that client moves the noised quantity by a bounded amount. A (trust-)weighted sum of clipped updates with
/// weights in [0, 1] over a fixed denominator moves by at most C when each weight depends on its own client's update and
/// on public information alone (<see cref="DpFedAvg"/>; McMahan et al. 2018, §2). Multi-Krum keeping n − f updates is
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
        if (defense.Pre.Count > 0)
            return $"the pre-aggregator '{PreAggregators.Name(defense.Pre[0])}' reshapes each update with the others' statistics, so one client moves many " +
                   "updates and the noise has no sensitivity bound to be calibrated to (the server already clips every update to fedtrust.dp.clip)";
        var why = defense.Rule switch
        {
            AggregationRule.Mean => null,
            AggregationRule.MultiKrum when krum.M is not null =>
                $"multi-krum with fedtrust.krum.m = {krum.M} drops a number of updates that grows with the round's n, so its sensitivity is unbounded; " +
                "with m = auto (n − f) it is (2f + 1)·C",
            AggregationRule.MultiKrum => null,
            AggregationRule.Krum => "Krum releases one client's update as the round's aggregate: one client changes which one, by up to 2C on an update no longer than C, so no noise can hide it and leave the model useful",
            AggregationRule.Median or AggregationRule.TrimmedMean =>
                "a coordinate-wise order statistic has no L2 sensitivity bound in one client's clipped update (it can move every coordinate at once)",
            AggregationRule.GeometricMedian => "the geometric median moves with every update's position, with no L2 sensitivity bound in one client's update",
            AggregationRule.Bulyan => "Bulyan's selection and trimming let one client change both which updates are kept and each coordinate's trimmed set",
            AggregationRule.CenteredClipping => "centered clipping's iterations re-centre on the others' updates, so one client moves every clipped term",
            AggregationRule.FlTrust => "FLTrust divides by the sum of the round's trust scores, a denominator one client changes",
            AggregationRule.FoolsGold => "FoolsGold weighs each client by its similarity to the others, so one client changes every weight",
            _ => $"the rule '{AggregationRules.Name(defense.Rule)}' has no known sensitivity bound",
        };
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
        return defense.Rule == AggregationRule.MultiKrum ? 2 * krum.F + 1 : 1;
    }
}
