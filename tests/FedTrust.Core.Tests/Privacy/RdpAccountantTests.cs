using FedTrust.Core.Privacy;

namespace FedTrust.Core.Tests.Privacy;

public class RdpAccountantTests
{
    private const double Delta = 1e-5;

    [Fact]
    public void Default_orders_are_the_Opacus_list_plus_128_256_512()
    {
        var orders = RdpAccountant.DefaultOrders;
        Assert.Equal(99 + 52 + 3, orders.Count);
        Assert.Equal(1.1, orders[0], 12);
        Assert.Equal(10.9, orders[98], 12);
        Assert.Equal(new double[] { 12, 63, 128, 256, 512 }, new[] { orders[99], orders[150], orders[151], orders[152], orders[153] });
        Assert.True(orders.Zip(orders.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public void Classic_conversion_for_one_release_at_sigma_1_matches_the_analytic_optimum()
    {
        // One Gaussian release with σ = 1 is (α, α/2)-RDP. Classic conversion: ε(α) = α/2 + ln(1/δ)/(α − 1).
        // With L = ln(1e5) and β = α − 1: ε = 1/2 + β/2 + L/β, minimised at β = sqrt(2L) = 4.7985…,
        // i.e. α* = 5.7985…, ε* = 1/2 + sqrt(2L) = 5.29853. The grid's nearest order 5.8 gives
        // 2.9 + 11.51293/4.8 = 5.29853 — within 0.01 and never below the continuous optimum.
        var accountant = new RdpAccountant();
        accountant.Step(1.0);
        var analytic = 0.5 + Math.Sqrt(2 * Math.Log(1e5));
        Assert.Equal(5.2985, analytic, 4);
        var classic = accountant.EpsilonClassic(Delta);
        Assert.InRange(classic, analytic, analytic + 0.01);
    }

    [Fact]
    public void Reported_epsilon_for_one_release_at_sigma_1_is_the_Balle_bound_and_above_the_exact_curve()
    {
        // Tight conversion: ε(α) = α/2 + ln((α−1)/α) − (ln δ + ln α)/(α−1). Its minimum over real α is at
        // α ≈ 5.432 (ε ≈ 4.72839); on the grid α = 5.4 gives 5.4/2 + ln(4.4/5.4) + (11.51293 − 1.68640)/4.4 = 4.72851.
        // Lower bound: the exact privacy curve of this mechanism (Balle & Wang 2018, analytic Gaussian mechanism:
        // δ(ε) = Φ(1/2 − ε) − e^ε Φ(−1/2 − ε) for σ = 1) gives ε = 4.37718 at δ = 1e-5; no valid accountant may
        // report less.
        var accountant = new RdpAccountant();
        accountant.Step(1.0);
        Assert.Equal(4.72851, accountant.Epsilon(Delta), 4);
        Assert.Equal(5.4, accountant.BestOrder(Delta), 12);
        Assert.True(accountant.Epsilon(Delta) > 4.37718);
        Assert.True(accountant.Epsilon(Delta) < accountant.EpsilonClassic(Delta));
    }

    [Fact]
    public void Ten_releases_at_sigma_1_equal_one_release_at_sigma_over_root_10_and_stay_above_the_exact_curve()
    {
        // k releases with σ compose to k·α/(2σ²), the RDP of one release with σ/√k. The exact ε of that single
        // Gaussian release (σ = 1/√10, δ = 1e-5, analytic Gaussian mechanism) is 17.8566.
        var many = new RdpAccountant();
        for (var round = 0; round < 10; round++) many.Step(1.0);
        var once = new RdpAccountant();
        once.Step(1 / Math.Sqrt(10));
        Assert.Equal(once.Epsilon(Delta), many.Epsilon(Delta), 9);
        Assert.Equal(10, many.Steps);
        Assert.InRange(many.Epsilon(Delta), 17.8566, 17.8566 + 2.0);

        var batched = new RdpAccountant();
        batched.Step(1.0, steps: 10);
        Assert.All(many.Rdp.Zip(batched.Rdp), pair => Assert.Equal(pair.First, pair.Second, 1e-12));
        Assert.Equal(10, batched.Steps);
    }

    [Fact]
    public void Epsilon_grows_with_every_round()
    {
        var accountant = new RdpAccountant();
        var previous = accountant.Epsilon(Delta);
        Assert.Equal(0.0, previous);
        for (var round = 1; round <= 100; round++)
        {
            accountant.Step(1.1);
            var epsilon = accountant.Epsilon(Delta);
            Assert.True(epsilon > previous, $"round {round}: ε {epsilon} did not grow from {previous}");
            previous = epsilon;
        }
    }

    [Theory]
    [InlineData(0.5, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.1, 100)]
    [InlineData(4.0, 20)]
    [InlineData(20.0, 1)]
    public void Classic_conversion_is_never_below_the_reported_one(double sigma, int steps)
    {
        var accountant = new RdpAccountant();
        accountant.Step(sigma, steps);
        foreach (var delta in new[] { 1e-3, 1e-5, 1e-8 })
        {
            Assert.True(accountant.EpsilonClassic(delta) >= accountant.Epsilon(delta), $"σ {sigma}, {steps} steps, δ {delta}");
        }
    }

    [Fact]
    public void A_release_without_noise_has_infinite_epsilon()
    {
        var accountant = new RdpAccountant();
        accountant.Step(2.0);
        accountant.Step(0.0);
        Assert.Equal(double.PositiveInfinity, accountant.Epsilon(Delta));
        Assert.Equal(double.PositiveInfinity, accountant.EpsilonClassic(Delta));
        Assert.True(double.IsNaN(accountant.BestOrder(Delta)));
        Assert.Equal(2, accountant.Steps);
    }

    [Fact]
    public void Classic_calibration_for_epsilon_1_is_conservative_for_one_release()
    {
        // σ = 4.845 from Dwork & Roth's formula; the RDP accountant proves ε ≈ 0.822 < 1 for that single release.
        var accountant = new RdpAccountant();
        accountant.Step(GaussianMechanism.NoiseMultiplier(1.0, Delta));
        Assert.InRange(accountant.Epsilon(Delta), 0.5, 1.0);
    }

    [Fact]
    public void Refuses_bad_orders_noise_steps_and_delta()
    {
        Assert.Throws<ArgumentException>(() => new RdpAccountant([1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => new RdpAccountant([]));
        var accountant = new RdpAccountant([2.0, 4.0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => accountant.Step(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => accountant.Step(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => accountant.Step(1, steps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => accountant.Epsilon(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => accountant.EpsilonClassic(1));
        Assert.Equal(0, accountant.Steps);
    }
}
