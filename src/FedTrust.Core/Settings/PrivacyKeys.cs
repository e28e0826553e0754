namespace FedTrust.Core.Settings;

/// <summary>
/// Which <c>fedtrust.dp</c> keys a run uses, so that one it would ignore is refused instead of recorded as if it had
/// acted: no key without a defense that has dp, the per-round <c>epsilon</c> only under local DP, central DP's keys
/// (<c>target-epsilon</c>, <c>noise-multiplier</c>, <c>clip-at</c>, <c>adaptive-clip</c>) only under central DP, and
/// adaptive clipping's parameters only when it is enabled.
/// </summary>
public static class PrivacyKeys
{
    private const string LocalOnly = "only local DP uses it (dp.mode = local with a defense that has dp: dp, trust+dp, hybrid or another pipeline ending in +dp)";
    private const string CentralOnly = "only central DP uses it (dp.mode = central with a defense that has dp: dp, trust+dp, multi-krum+dp, hybrid)";
    private const string AnyDp = "only a defense with dp uses it (dp, trust+dp, hybrid or another pipeline ending in +dp)";

    /// <summary>
    /// Of the keys set away from their defaults (<paramref name="set"/>: the key below <c>fedtrust.dp</c>, e.g.
    /// <c>target-epsilon</c>, and its value as given), those that <paramref name="defense"/> under <paramref name="dp"/>'s
    /// mode would not use, each with a one-line message naming the key, its value and what would use it, in the order given.
    /// </summary>
    public static IReadOnlyList<(string Key, string Message)> Unused(DefenseSettings defense, DpSettings dp, IEnumerable<(string Key, string Value)> set)
    {
        ArgumentNullException.ThrowIfNull(defense);
        ArgumentNullException.ThrowIfNull(dp);
        var unused = new List<(string, string)>();
        // The mode last: a key it would have used says more than the mode does (e.g. target-epsilon under fedavg).
        foreach (var (key, value) in set.OrderBy(s => s.Key == "mode"))
        {
            var central = key is "target-epsilon" or "noise-multiplier" or "clip-at" || key.StartsWith("adaptive-clip.", StringComparison.Ordinal);
            var what = key == "epsilon" ? LocalOnly : central ? CentralOnly : AnyDp;
            string? why = null;
            if (!defense.ClientPrivacy) why = $"{what}; defense '{defense.Name}' adds no noise";
            else if (key == "epsilon" && dp.Mode == DpMode.Central) why = $"{what}; under dp.mode = central the total ε of the planned rounds is fedtrust.dp.target-epsilon";
            else if (central && dp.Mode == DpMode.Local) why = $"{what}; under dp.mode = local each client's per-round ε is fedtrust.dp.epsilon";
            else if (key.StartsWith("adaptive-clip.", StringComparison.Ordinal) && key != "adaptive-clip.enabled" && dp.Adaptive is null)
                why = "only adaptive clipping uses it (fedtrust.dp.adaptive-clip.enabled = on); with it off C stays fedtrust.dp.clip";
            if (why is not null) unused.Add((key, $"fedtrust.dp.{key} = {value}: {why}"));
        }
        return unused;
    }
}
