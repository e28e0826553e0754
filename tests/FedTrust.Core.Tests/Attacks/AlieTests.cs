using FedTrust.Core.Attacks;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Tests.Attacks;

/// <summary>ALIE: z from n and f as Algorithm 3 defines it, and μ − z·σ with the population standard deviation.</summary>
public sealed class AlieTests
{
    /// <summary>Column means 4, 2, 2; population stds √5 (deviations ±1, ±3), 0 and 2 (deviations ±2).</summary>
    private static readonly float[][] Benign =
    [
        [1f, 2f, 0f],
        [3f, 2f, 4f],
        [5f, 2f, 0f],
        [7f, 2f, 4f],
    ];

    [Fact]
    public void Craft_is_the_mean_minus_z_population_stds_per_coordinate()
    {
        var crafted = Alie.Craft(Benign, 0.5);

        Assert.Equal([(float)(4 - 0.5 * Math.Sqrt(5)), 2f, 1f], crafted);
    }

    [Fact]
    public void A_negative_z_moves_the_other_way_and_z_zero_gives_the_mean()
    {
        Assert.Equal([(float)(4 + 2 * Math.Sqrt(5)), 2f, 6f], Alie.Craft(Benign, -2));
        Assert.Equal([4f, 2f, 2f], Alie.Craft(Benign, 0));
    }

    [Fact]
    public void Craft_leaves_its_input_unchanged()
    {
        var copy = Benign.Select(v => v.ToArray()).ToArray();
        Alie.Craft(Benign, 1.5);
        Assert.Equal(copy, Benign);
    }

    [Theory]
    [InlineData(50, 24, 0.96, 1.7506860712521692)]   // s = 26 − 24 = 2
    [InlineData(40, 20, 0.975, 1.959963984540054)]   // s = 21 − 20 = 1
    [InlineData(10, 5, 0.9, 1.2815515655446004)]     // s = 6 − 5 = 1
    [InlineData(4, 2, 0.75, 0.6744897501960817)]     // s = 3 − 2 = 1
    [InlineData(10, 2, 0.6, 0.2533471031357997)]     // s = 6 − 2 = 4
    [InlineData(10, 1, 0.5, 0.0)]                    // s = 5: no shift at all
    public void Z_is_the_normal_quantile_of_the_share_outside_the_needed_majority(int n, int f, double share, double z)
    {
        var s = n / 2 + 1 - f;
        Assert.Equal(share, (double)(n - s) / n, 1e-15);
        Assert.Equal(z, Alie.Z(n, f), 1e-12);
    }

    [Theory]
    [InlineData(50, 24)]
    [InlineData(10, 5)]
    [InlineData(10, 1)]
    [InlineData(3, 0)]
    public void Z_from_the_formula_records_no_fallback(int n, int f)
    {
        var z = Alie.ZFor(n, f);
        Assert.Null(z.Fallback);
        Assert.Equal(Alie.Z(n, f), z.Value);
    }

    [Theory]
    [InlineData(10, 6, 0.9)]     // s = 6 − 6 = 0: a malicious majority
    [InlineData(10, 10, 0.9)]    // s = −4: every participant malicious
    [InlineData(5, 4, 0.8)]      // s = 3 − 4 = −1
    [InlineData(2, 2, 0.5)]      // s = 0: z = Φ⁻¹(1/2) = 0
    public void A_malicious_majority_clamps_s_to_one_and_says_so(int n, int f, double share)
    {
        var z = Alie.ZFor(n, f);
        Assert.Equal(StandardNormal.InverseCdf(share), z.Value, 1e-15);
        Assert.True(double.IsFinite(z.Value));
        Assert.Equal(z.Value, Alie.Z(n, f));
        Assert.NotNull(z.Fallback);
        Assert.Contains($"malicious majority (f = {f} of n = {n}", z.Fallback);
        Assert.Contains("z clamped to s = 1", z.Fallback);
        // The crafted update is defined: μ − z·σ with that z.
        Assert.Equal(Alie.Craft(Benign, z.Value), Alie.Craft(Benign, Alie.Z(n, f)));
    }

    [Theory]
    [InlineData(1, 1)]   // a lone participant, malicious: s = 0, but Φ⁻¹(0/1) has no value
    [InlineData(1, 0)]   // (n − s)/n = −1
    [InlineData(2, 0)]   // (n − s)/n = 0
    public void Where_no_quantile_exists_z_is_zero_and_says_so(int n, int f)
    {
        var z = Alie.ZFor(n, f);
        Assert.Equal(0.0, z.Value);
        Assert.Contains($"f = {f} of n = {n}", z.Fallback);
        Assert.Contains("z = 0, the benign mean", z.Fallback);
        Assert.Equal([4f, 2f, 2f], Alie.Craft(Benign, z.Value));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, -1)]
    [InlineData(10, 11)]
    public void Z_refuses_impossible_client_counts(int n, int f)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Alie.Z(n, f));
    }

    [Fact]
    public void Craft_refuses_bad_updates_and_a_non_finite_z()
    {
        Assert.Contains("at least one benign update", Assert.Throws<ArgumentException>(() => Alie.Craft([], 1)).Message);
        Assert.Contains("length", Assert.Throws<ArgumentException>(() => Alie.Craft([[1f, 2f], [1f]], 1)).Message);
        var nan = Assert.Throws<ArgumentException>(() => Alie.Craft([[1f, 2f], [1f, float.NaN]], 1));
        Assert.Contains("benign update 1", nan.Message);
        Assert.Contains("index 1", nan.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Alie.Craft(Benign, double.PositiveInfinity));
    }
}
