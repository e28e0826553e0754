namespace FedTrust.Core.Settings;

/// <summary>What a round with too few valid updates for the Krum family's f does (<c>fedtrust.krum.short-rounds</c>).</summary>
public enum ShortRoundPolicy
{
    /// <summary>Run with the largest f the round's n allows (the mean below 3 updates); the default, as before the key existed.</summary>
    ShrinkF,
    /// <summary>Make no model update this round (the global model stays) and record why.</summary>
    SkipRound,
    /// <summary>End the run (exit 1) naming the round, n and f, after writing result.json.</summary>
    Fail,
}

