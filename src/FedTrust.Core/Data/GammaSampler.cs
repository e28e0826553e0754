namespace FedTrust.Core.Data;

/// <summary>
/// Gamma(shape, 1) draws, and symmetric Dirichlet draws built from them, on a <see cref="DeterministicRandom"/>.
/// Source: Marsaglia &amp; Tsang, "A Simple Method for Generating Gamma Variables", ACM TOMS 26(3), 2000 (shape ≥ 1 by
/// squeeze and rejection; shape a &lt; 1 by the paper's boost Gamma(a) = Gamma(a + 1)·U^(1/a)).
/// </summary>
public static class GammaSampler
{
    /// <summary>A Gamma(<paramref name="shape"/>, 1) draw: mean and variance both equal <paramref name="shape"/>.</summary>
    /// <remarks>For a tiny shape the draw may underflow to 0; <see cref="NextLog"/> keeps it finite.</remarks>
    public static double Next(DeterministicRandom random, double shape) => Math.Exp(NextLog(random, shape));

    /// <summary>
    /// The natural logarithm of a Gamma(<paramref name="shape"/>, 1) draw (the same draw <see cref="Next"/> gives),
    /// finite even where the draw itself is below the smallest double (shape well under 0.01).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape is not positive and finite.</exception>
    public static double NextLog(DeterministicRandom random, double shape)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(shape > 0) || !double.IsFinite(shape))
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "a Gamma shape must be positive and finite");
        if (shape >= 1) return Math.Log(MarsagliaTsang(random, shape));
        // ln(Gamma(a + 1)·U^(1/a)) = ln Gamma(a + 1) + ln(U)/a, with U in (0, 1] so the logarithm is finite.
        return Math.Log(MarsagliaTsang(random, shape + 1)) + Math.Log(1.0 - random.NextDouble()) / shape;
    }

    /// <summary>
    /// Fills <paramref name="into"/> with a Dirichlet(α·1) draw over its length: independent Gamma(α, 1) draws divided by
    /// their sum (the standard construction), normalised in log space so that a small α cannot give 0/0.
    /// </summary>
    public static void Dirichlet(DeterministicRandom random, double alpha, Span<double> into)
    {
        if (into.IsEmpty) return;
        PartitionWork.Add(3L * into.Length);
        double max = double.NegativeInfinity;
        for (int i = 0; i < into.Length; i++)
        {
            into[i] = NextLog(random, alpha);
            max = Math.Max(max, into[i]);
        }
        double sum = 0;
        for (int i = 0; i < into.Length; i++)
        {
            into[i] = Math.Exp(into[i] - max);
            sum += into[i];
        }
        for (int i = 0; i < into.Length; i++)
        {
            into[i] /= sum;
        }
    }

    /// <summary>Marsaglia &amp; Tsang's method for shape ≥ 1: d·v with d = a − 1/3, v = (1 + c·x)³, c = 1/√(9d), x standard normal.</summary>
    private static double MarsagliaTsang(DeterministicRandom random, double shape)
    {
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x = random.NextGaussian();
            double v = 1.0 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = 1.0 - random.NextDouble();
            double x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
            if (Math.Log(u) < 0.5 * x2 + d * (1.0 - v + Math.Log(v))) return d * v;
        }
    }
}
