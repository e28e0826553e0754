namespace FedTrust.Core.Privacy;

/// <summary>
/// A Rényi-DP accountant for the Gaussian mechanism, either applied to every client's whole update each round
/// (<see cref="Step(double, int)"/>: at order α one release with noise multiplier σ — noise std σ·C for sensitivity
/// C — is (α, α/(2σ²))-RDP, Mironov 2017, "Rényi Differential Privacy", Prop. 7 / Table 2) or to a Poisson
/// subsample drawn with rate q (<see cref="Step(double, double, int)"/>: the Sampled Gaussian Mechanism of Mironov,
/// Talwar &amp; Zhang 2019, see <see cref="SampledGaussianMechanism"/>). Releases compose by adding their RDP at each
/// order (Mironov 2017, Prop. 1).
/// <para>
/// <see cref="Epsilon"/> — the number to report — converts to (ε, δ)-DP with the tighter bound of Balle et al. 2020
/// ("Hypothesis Testing Interpretations and Rényi Differential Privacy", Theorem 21), as Opacus'
/// <c>get_privacy_spent</c> does. <see cref="EpsilonClassic"/> gives Mironov's original conversion (Prop. 3), which
/// is always at least as large. Both take the minimum over a grid of orders, so they are upper bounds on the
/// privacy loss, slightly above the minimum over all real α.
/// </para>
/// The default orders are Opacus' <c>DEFAULT_ALPHAS</c> (1.1, 1.2, …, 10.9 and 12, 13, …, 63) plus 128, 256 and
/// 512 from TF-Privacy's default list, which matter when σ is large. The state — <see cref="Orders"/>,
/// <see cref="Rdp"/>, <see cref="Steps"/> — is all there is, and <see cref="Restore"/> rebuilds an accountant
/// from it exactly (for checkpoints). Not thread-safe.
/// </summary>
public sealed class RdpAccountant
{
    private readonly double[] _orders;
    private readonly double[] _rdp;

    // The per-release RDP of the last (σ, q) stepped or asked about: rounds repeat the same pair, and the
    // fractional orders' series are the costly part.
    private double _cachedNoiseMultiplier = double.NaN;
    private double _cachedSamplingRate = double.NaN;
    private double[]? _cachedRdp;

    /// <summary>An accountant over <see cref="DefaultOrders"/>.</summary>
    public RdpAccountant() : this(DefaultOrders)
    {
    }

    /// <summary>An accountant over the given RDP orders α, each finite and &gt; 1.</summary>
    public RdpAccountant(IEnumerable<double> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        _orders = orders.ToArray();
        if (_orders.Length == 0) throw new ArgumentException("the accountant needs at least one RDP order", nameof(orders));
        foreach (var alpha in _orders)
        {
            if (!(alpha > 1) || double.IsInfinity(alpha))
                throw new ArgumentException($"RDP orders must be finite and > 1: got {alpha}", nameof(orders));
        }
        _rdp = new double[_orders.Length];
    }

    /// <summary>1 + x/10 for x = 1..99, then 12..63, then 128, 256, 512.</summary>
    public static IReadOnlyList<double> DefaultOrders { get; } = Array.AsReadOnly(
        Enumerable.Range(1, 99).Select(x => 1 + x / 10.0)
            .Concat(Enumerable.Range(12, 52).Select(x => (double)x))
            .Concat([128.0, 256.0, 512.0])
            .ToArray());

    /// <summary>The orders α this accountant tracks.</summary>
    public IReadOnlyList<double> Orders => Array.AsReadOnly(_orders);

    /// <summary>The accumulated RDP at each of <see cref="Orders"/> (+∞ after a release without noise).</summary>
    public IReadOnlyList<double> Rdp => Array.AsReadOnly(_rdp);

    /// <summary>How many releases have been accounted for.</summary>
    public int Steps { get; private set; }

    /// <summary>
    /// Accounts for <paramref name="steps"/> releases of the Gaussian mechanism with noise multiplier σ:
    /// RDP(α) += steps · α / (2σ²) (Mironov 2017, Prop. 7 and Prop. 1). σ = 0 (no noise) makes ε infinite.
    /// The same as <see cref="Step(double, double, int)"/> with sampling rate 1.
    /// </summary>
    public void Step(double noiseMultiplier, int steps = 1) => Step(noiseMultiplier, 1.0, steps);

    /// <summary>
    /// Accounts for <paramref name="steps"/> releases of the Sampled Gaussian Mechanism with noise multiplier σ and
    /// Poisson sampling rate q: RDP(α) += steps · ε_SGM(α) (Mironov, Talwar &amp; Zhang 2019, Sec. 3.3; Mironov 2017,
    /// Prop. 1). q = 1 is the plain Gaussian mechanism, α/(2σ²); q = 0 adds nothing; σ = 0 &lt; q makes ε infinite.
    /// Pass q by name (<c>samplingRate: 0.1</c>) when it could read as a step count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">σ negative, infinite or NaN; q outside [0, 1]; steps &lt; 1.</exception>
    public void Step(double noiseMultiplier, double samplingRate, int steps = 1)
    {
        SampledGaussianMechanism.RequireArguments(noiseMultiplier, samplingRate);
        RequireSteps(steps);
        var perRelease = PerReleaseRdp(noiseMultiplier, samplingRate);
        var total = checked(Steps + steps);
        for (var k = 0; k < _orders.Length; k++) _rdp[k] += steps * perRelease[k];
        Steps = total;
    }

    /// <summary>
    /// The <see cref="Epsilon"/> this accountant would report after <paramref name="steps"/> more releases of the
    /// Sampled Gaussian Mechanism with σ and q, leaving the accountant unchanged — to stop before a round that would
    /// exceed a privacy budget.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As <see cref="Step(double, double, int)"/>, or δ outside (0, 1).</exception>
    public double EpsilonAfter(double noiseMultiplier, double samplingRate, double delta, int steps = 1)
    {
        SampledGaussianMechanism.RequireArguments(noiseMultiplier, samplingRate);
        RequireSteps(steps);
        RequireDelta(delta);
        var perRelease = PerReleaseRdp(noiseMultiplier, samplingRate);
        var rdp = new double[_orders.Length];
        for (var k = 0; k < _orders.Length; k++) rdp[k] = _rdp[k] + steps * perRelease[k];
        return Math.Max(0, TightEpsilons(rdp, delta).Min());
    }

    /// <summary>
    /// An accountant in the state another one exported through <see cref="Orders"/>, <see cref="Rdp"/> and
    /// <see cref="Steps"/>: it reports the same ε and continues exactly as the original would.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The orders are not valid (see the constructor), the lists differ in length, an RDP value is NaN or negative,
    /// or there are no steps but some RDP is not 0.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    public static RdpAccountant Restore(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, int steps)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(rdp);
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be ≥ 0");
        var accountant = new RdpAccountant(orders);
        if (rdp.Count != orders.Count)
            throw new ArgumentException($"the accountant has {orders.Count} RDP orders but {rdp.Count} RDP values", nameof(rdp));
        for (var k = 0; k < rdp.Count; k++)
        {
            if (!(rdp[k] >= 0))
                throw new ArgumentException($"RDP values must be ≥ 0 (or +∞): got {rdp[k]} at order {orders[k]}", nameof(rdp));
            if (steps == 0 && rdp[k] != 0)
                throw new ArgumentException($"an accountant with no steps has RDP 0 at every order: got {rdp[k]} at order {orders[k]}", nameof(rdp));
            accountant._rdp[k] = rdp[k];
        }
        accountant.Steps = steps;
        return accountant;
    }

    /// <summary>
    /// The reported ε at <paramref name="delta"/>: min over α of
    /// RDP(α) + ln((α−1)/α) − (ln δ + ln α)/(α−1) (Balle et al. 2020, Theorem 21; Opacus <c>get_privacy_spent</c>),
    /// floored at 0. 0 before any step; +∞ after a release without noise.
    /// </summary>
    public double Epsilon(double delta)
    {
        var epsilons = TightEpsilons(_rdp, delta);
        return Steps == 0 ? 0 : Math.Max(0, epsilons.Min());
    }

    /// <summary>
    /// Mironov's classic conversion: min over α of RDP(α) + ln(1/δ)/(α−1) (Mironov 2017, Prop. 3). Never below
    /// <see cref="Epsilon"/>; kept for comparison with papers that use it.
    /// </summary>
    public double EpsilonClassic(double delta)
    {
        RequireDelta(delta);
        if (Steps == 0) return 0;
        var best = double.PositiveInfinity;
        for (var k = 0; k < _orders.Length; k++)
        {
            best = Math.Min(best, _rdp[k] + Math.Log(1 / delta) / (_orders[k] - 1));
        }
        return Math.Max(0, best);
    }

    /// <summary>
    /// The order α at which <see cref="Epsilon"/> attains its minimum (the first such in <see cref="Orders"/>);
    /// NaN before any step and when ε is infinite, since then no order is better than another.
    /// </summary>
    public double BestOrder(double delta)
    {
        var epsilons = TightEpsilons(_rdp, delta);
        if (Steps == 0) return double.NaN;
        var best = 0;
        for (var k = 1; k < epsilons.Length; k++)
        {
            if (epsilons[k] < epsilons[best]) best = k;
        }
        return double.IsPositiveInfinity(epsilons[best]) ? double.NaN : _orders[best];
    }

    private double[] TightEpsilons(double[] rdp, double delta)
    {
        RequireDelta(delta);
        var epsilons = new double[_orders.Length];
        var logDelta = Math.Log(delta);
        for (var k = 0; k < _orders.Length; k++)
        {
            var alpha = _orders[k];
            epsilons[k] = rdp[k] + Math.Log((alpha - 1) / alpha) - (logDelta + Math.Log(alpha)) / (alpha - 1);
        }
        return epsilons;
    }

    /// <summary>The RDP of one release at every order, computed once for a run of calls with the same (σ, q).</summary>
    private double[] PerReleaseRdp(double noiseMultiplier, double samplingRate)
    {
        if (_cachedRdp is null || noiseMultiplier != _cachedNoiseMultiplier || samplingRate != _cachedSamplingRate)
        {
            _cachedRdp = _orders.Select(alpha => SampledGaussianMechanism.Rdp(noiseMultiplier, samplingRate, alpha)).ToArray();
            _cachedNoiseMultiplier = noiseMultiplier;
            _cachedSamplingRate = samplingRate;
        }
        return _cachedRdp;
    }

    private static void RequireSteps(int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1");
    }

    private static void RequireDelta(double delta)
    {
        if (!(delta > 0 && delta < 1))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must lie strictly between 0 and 1");
    }
}
