namespace FedTrust.Core.Settings;

/// <summary>
/// The knobs of the adaptive trust rule (<see cref="FedTrust.Core.Trust.TrustRule"/>).
/// </summary>
/// <param name="Initial">The score a client starts with, in [0, 1].</param>
/// <param name="Threshold">Clients whose score is below this are excluded from aggregation, in [0, 1].</param>
/// <param name="Penalty">The fraction of the gap to a worse behaviour the score falls each round, in [0, 1].</param>
/// <param name="Recovery">The fraction of the gap to a better behaviour the score regains each round, in [0, 1].</param>
/// <param name="CosineFloor">The cosine at or below which an update's direction counts as fully bad, in [−1, 1).</param>
/// <param name="NormTolerance">The robust z-score of the update's norm up to which its magnitude counts as fine, &gt; 0.</param>
/// <param name="Judgement">How a round's evidence is formed: the paper rule, or the rule tolerant of heterogeneous clients.</param>
/// <param name="CosineTolerance">Under <see cref="TrustJudgement.Tolerant"/>: the robust z-score of a cosine below the
/// round's typical one up to which the update's direction counts as agreeing, &gt; 0.</param>
public sealed record TrustSettings(
    double Initial = 1.0,
    double Threshold = 0.5,
    double Penalty = 0.4,
    double Recovery = 0.1,
    double CosineFloor = 0.0,
    double NormTolerance = 3.0,
    TrustJudgement Judgement = TrustJudgement.Paper,
    double CosineTolerance = 3.0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter outside its range.</summary>
    public void Validate()
    {
        RequireUnit(Initial, nameof(Initial));
        RequireUnit(Threshold, nameof(Threshold));
        RequireUnit(Penalty, nameof(Penalty));
        RequireUnit(Recovery, nameof(Recovery));
        if (!(CosineFloor >= -1 && CosineFloor < 1))
            throw new ArgumentException($"trust parameter {nameof(CosineFloor)} = {CosineFloor} must lie in [-1, 1)", nameof(CosineFloor));
        if (!(NormTolerance > 0))
            throw new ArgumentException($"trust parameter {nameof(NormTolerance)} = {NormTolerance} must be positive", nameof(NormTolerance));
        if (!(CosineTolerance > 0))
            throw new ArgumentException($"trust parameter {nameof(CosineTolerance)} = {CosineTolerance} must be positive", nameof(CosineTolerance));
        if (!Enum.IsDefined(Judgement))
            throw new ArgumentException($"trust parameter {nameof(Judgement)} = {(int)Judgement} is not a judgement", nameof(Judgement));
    }

    private static void RequireUnit(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
            throw new ArgumentException($"trust parameter {name} = {value} must lie in [0, 1]", name);
    }
}

/// <summary>How the round's evidence about each update is formed (<c>fedtrust.trust.rule</c>).</summary>
public enum TrustJudgement
{
    /// <summary>
    /// The rule this project's Table 1 was measured with: every valid update is judged against the coordinate-wise
    /// median of all the round's valid updates, a norm far from the median on either side is suspect, and direction is
    /// scored by the ratio of the cosine to the typical cosine.
    /// </summary>
    Paper,

    /// <summary>
    /// The rule for heterogeneous clients: the reference (median update, typical cosine, norm statistics) comes from the
    /// clients trusted before the round, so a coherent group of excluded clients cannot pull it toward itself; a cosine
    /// within <see cref="TrustSettings.CosineTolerance"/> robust standard deviations of the typical one counts as
    /// agreement (under non-IID data honest clients differ by that much every round); norms are compared per
    /// √sample (a client with more data takes more local steps and sends a larger update); and only a norm above the
    /// median is suspect (a small update cannot poison, and a client with little or easy data sends one).
    /// </summary>
    Tolerant,
}

