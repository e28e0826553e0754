namespace FedTrust.Core.Settings;

/// <summary>Where a defense with <c>dp</c> adds its noise (<c>fedtrust.dp.mode</c>).</summary>
public enum DpMode
{
    /// <summary>Every client clips its update and adds its own Gaussian noise, calibrated to a per-round (ε, δ) (the seed paper's eq. 11).</summary>
    Local,

    /// <summary>
    /// DP-FedAvg (McMahan et al. 2018): each round's clients' updates are clipped, the server sums them, adds Gaussian noise
    /// once to the sum and divides by the expected number of participants; the accountant composes the subsampled mechanism.
    /// </summary>
    Central,
}

/// <summary>Where a central-DP update is clipped to C (<c>fedtrust.dp.clip-at</c>); the server clips every update again either way.</summary>
public enum ClipSite
{
    /// <summary>The client clips before it sends: no unclipped update leaves it.</summary>
    Client,

    /// <summary>The client sends its update as trained; the server clips.</summary>
    Server,
}

/// <summary>
/// Adaptive clipping (Andrew et al. 2021, "Differentially Private Learning with Adaptive Clipping", Algorithm 1): after each
/// round C ← C · exp(−η (b̃ − γ)), where b̃ is the noisy share of the round's updates that were within C.
/// </summary>
/// <param name="TargetQuantile">γ: the share of updates C aims to leave unclipped, in (0, 1).</param>
/// <param name="LearningRate">η_C: the geometric step of C per round, &gt; 0.</param>
/// <param name="CountNoise">σ_b: the std of the Gaussian noise on the count of unclipped updates; null = expected participants / 20 (the paper's choice).</param>
public sealed record AdaptiveClipping(double TargetQuantile = 0.5, double LearningRate = 0.2, double? CountNoise = null)
{
    /// <summary>σ_b for a round of <paramref name="expectedParticipants"/> expected updates.</summary>
    public double CountNoiseFor(double expectedParticipants) => CountNoise ?? expectedParticipants / 20.0;
}

/// <summary>
/// Differential privacy (<c>fedtrust.dp</c>) for a defense with <c>dp</c> (its local noise multiplier: FedTrust.Core.Privacy's <c>dp.NoiseMultiplier</c>). <see cref="Mode"/> local: each client clips to
/// <see cref="Clip"/> and adds noise calibrated to the per-round <see cref="Epsilon"/>. Central: DP-FedAvg with the noise
/// multiplier given (<see cref="CentralNoiseMultiplier"/>) or calibrated so the planned rounds spend <see cref="TargetEpsilon"/>.
/// Either way <see cref="MaxEpsilon"/> stops a run before a round that would take its spent ε above it.
/// </summary>
public sealed record DpSettings(double Epsilon, double Delta, double Clip)
{
    public DpMode Mode { get; init; } = DpMode.Local;

    /// <summary>Central: where updates are clipped.</summary>
    public ClipSite ClipAt { get; init; } = ClipSite.Client;

    /// <summary>Central: the total ε (at <see cref="Delta"/>) the planned rounds may spend; σ is calibrated to it. +∞: no noise.</summary>
    public double TargetEpsilon { get; init; } = double.PositiveInfinity;

    /// <summary>Central: the noise multiplier z given directly (noise std z·C on the sum); null = calibrated from <see cref="TargetEpsilon"/>.</summary>
    public double? CentralNoiseMultiplier { get; init; }

    /// <summary>The privacy budget: a run stops, with its result, before a round that would take its ε above this. +∞: no limit.</summary>
    public double MaxEpsilon { get; init; } = double.PositiveInfinity;

    /// <summary>Central: adaptive clipping, or null for a fixed C.</summary>
    public AdaptiveClipping? Adaptive { get; init; }
}
