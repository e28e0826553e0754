using FedTrust.Core.Attacks;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Attacks;

/// <summary>
/// Min-max and min-sum: the crafted update is μ + γ·p, satisfies its distance constraint (checked directly, O(n·d)),
/// and γ is maximal within the search tolerance (γ + 2τ violates it), for every perturbation; the O(n) expansion
/// the search uses equals the direct distance.
/// </summary>
public sealed class MinMaxTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<Perturbation, MinMaxObjective, int> Cases()
    {
        var data = new TheoryData<Perturbation, MinMaxObjective, int>();
        foreach (var perturbation in Enum.GetValues<Perturbation>())
            foreach (var objective in Enum.GetValues<MinMaxObjective>())
                foreach (var seed in new[] { 1, 2, 3 })
                    data.Add(perturbation, objective, seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_update_satisfies_its_constraint_and_gamma_plus_two_tau_violates_it(Perturbation perturbation, MinMaxObjective objective, int seed)
    {
        var benign = RandomUpdates(n: 7, d: 50, seed);

        var result = MinMax.Craft(benign, perturbation, objective, tolerance: Tolerance);

        var threshold = DirectThreshold(benign, objective);
        Assert.InRange(result.Gamma, 1e-3, 10); // a real move, and inside the range the search covers
        // The update is rounded to float once: allow that rounding (relative 1e-6), nothing more.
        Assert.True(DirectMeasure(benign, result.Update.Select(v => (double)v).ToArray(), objective) <= threshold * (1 + 1e-6),
            $"the crafted update breaks the {objective} constraint");
        var beyond = Candidate(benign, perturbation, result.Gamma + 2 * Tolerance);
        Assert.True(DirectMeasure(benign, beyond, objective) > threshold, $"γ = {result.Gamma} is not maximal within 2τ");
    }

    [Theory]
    [InlineData(Perturbation.UnitVector)]
    [InlineData(Perturbation.Std)]
    [InlineData(Perturbation.Sign)]
    public void The_update_is_the_mean_plus_gamma_times_the_perturbation(Perturbation perturbation)
    {
        var benign = RandomUpdates(n: 5, d: 20, seed: 4);

        var result = MinMax.Craft(benign, perturbation, MinMaxObjective.MinMax);

        var expected = Candidate(benign, perturbation, result.Gamma).Select(v => (float)v).ToArray();
        Assert.Equal(expected, result.Update);
    }

    [Fact]
    public void The_perturbations_are_against_the_mean_with_unit_length_std_or_sign()
    {
        float[][] benign = [[2f, -1f, 0f], [4f, -3f, 0f]]; // μ = (3, −2, 0), σ = (1, 1, 0)
        var mean = new[] { 3.0, -2.0, 0.0 };

        Assert.Equal([-3 / Math.Sqrt(13), 2 / Math.Sqrt(13), 0], Direction(benign, Perturbation.UnitVector));
        Assert.Equal([-1.0, -1.0, 0.0], Direction(benign, Perturbation.Std));
        Assert.Equal([-1.0, 1.0, 0.0], Direction(benign, Perturbation.Sign));
        Assert.Equal(mean, Candidate(benign, Perturbation.Sign, 0));
    }

    [Fact]
    public void The_expansion_equals_the_direct_squared_distance()
    {
        var benign = RandomUpdates(n: 6, d: 101, seed: 5);
        var mean = Mean(benign);
        var random = DeterministicRandom.For(5, 1);
        var direction = Enumerable.Range(0, 101).Select(_ => random.NextGaussian()).ToArray();
        var distances = new CandidateDistances(benign, mean, direction);

        foreach (var gamma in new[] { 0.0, 0.37, 2.5, 19.0 })
        {
            for (var i = 0; i < benign.Length; i++)
            {
                double direct = 0;
                for (var j = 0; j < mean.Length; j++)
                {
                    var d = mean[j] + gamma * direction[j] - benign[i][j];
                    direct += d * d;
                }
                Assert.Equal(direct, distances.Squared(i, gamma), direct * 1e-12);
            }
            Assert.Equal(Enumerable.Range(0, benign.Length).Max(i => distances.Squared(i, gamma)), distances.Max(gamma));
            Assert.Equal(Enumerable.Range(0, benign.Length).Sum(i => distances.Squared(i, gamma)), distances.Sum(gamma), 1e-9);
        }
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(4.0)]
    [InlineData(7.3)]
    [InlineData(19.9)]
    public void The_search_ends_within_two_tau_below_the_largest_feasible_gamma_anywhere_in_its_range(double largest)
    {
        var gamma = MinMax.Search(g => g <= largest, gammaInit: 10, tolerance: Tolerance);

        Assert.InRange(gamma, largest - 2 * Tolerance, largest);
    }

    [Fact]
    public void The_search_cannot_go_beyond_twice_gamma_init()
    {
        var gamma = MinMax.Search(_ => true, gammaInit: 10, tolerance: Tolerance);

        Assert.InRange(gamma, 20 - 2 * Tolerance, 20);
    }

    [Theory]
    [InlineData(MinMaxObjective.MinMax)]
    [InlineData(MinMaxObjective.MinSum)]
    public void One_benign_update_leaves_no_room_so_gamma_is_zero(MinMaxObjective objective)
    {
        float[][] benign = [[0.5f, -1f, 2f]];

        var result = MinMax.Craft(benign, Perturbation.UnitVector, objective);

        Assert.Equal(0, result.Gamma);
        Assert.Equal(benign[0], result.Update);
    }

    [Fact]
    public void A_zero_perturbation_returns_the_mean_with_gamma_zero()
    {
        float[][] same = [[1f, -2f], [1f, -2f], [1f, -2f]];
        float[][] zeroMean = [[1f, -2f], [-1f, 2f]];

        var std = MinMax.Craft(same, Perturbation.Std, MinMaxObjective.MinMax); // σ = 0
        Assert.Equal([1f, -2f], std.Update);
        Assert.Equal(0, std.Gamma);
        var signed = MinMax.Craft(zeroMean, Perturbation.Sign, MinMaxObjective.MinSum); // μ = 0
        Assert.Equal([0f, 0f], signed.Update);
        Assert.Equal(0, signed.Gamma);
        Assert.Equal(0, MinMax.Craft(zeroMean, Perturbation.UnitVector, MinMaxObjective.MinSum).Gamma);
    }

    [Fact]
    public void Craft_leaves_its_input_unchanged()
    {
        var benign = RandomUpdates(n: 4, d: 9, seed: 6);
        var copy = benign.Select(v => v.ToArray()).ToArray();

        MinMax.Craft(benign, Perturbation.Std, MinMaxObjective.MinSum);

        Assert.Equal(copy, benign);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_a_reason()
    {
        var benign = RandomUpdates(n: 3, d: 4, seed: 7);
        Assert.Contains("at least one benign update", Assert.Throws<ArgumentException>(() => MinMax.Craft([], Perturbation.Std, MinMaxObjective.MinMax)).Message);
        Assert.Contains("γ_init", Assert.Throws<ArgumentOutOfRangeException>(() => MinMax.Craft(benign, Perturbation.Std, MinMaxObjective.MinMax, gammaInit: 0)).Message);
        Assert.Contains("τ", Assert.Throws<ArgumentOutOfRangeException>(() => MinMax.Craft(benign, Perturbation.Std, MinMaxObjective.MinMax, tolerance: double.NaN)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MinMax.Craft(benign, (Perturbation)9, MinMaxObjective.MinMax));
        Assert.Throws<ArgumentOutOfRangeException>(() => MinMax.Craft(benign, Perturbation.Sign, (MinMaxObjective)9));
    }

    /// <summary>n updates around a common direction, each with its own spread, as client updates look.</summary>
    private static float[][] RandomUpdates(int n, int d, int seed)
    {
        var random = DeterministicRandom.For(seed);
        var common = Enumerable.Range(0, d).Select(_ => random.NextGaussian() * 0.1).ToArray();
        return [.. Enumerable.Range(0, n).Select(_ =>
        {
            var spread = 0.02 + 0.05 * random.NextDouble();
            return common.Select(c => (float)(c + spread * random.NextGaussian())).ToArray();
        })];
    }

    private static double[] Mean(float[][] benign) =>
        [.. Enumerable.Range(0, benign[0].Length).Select(j => benign.Sum(v => (double)v[j]) / benign.Length)];

    /// <summary>p, from its definition in the paper.</summary>
    private static double[] Direction(float[][] benign, Perturbation perturbation)
    {
        var mean = Mean(benign);
        return perturbation switch
        {
            Perturbation.UnitVector => [.. mean.Select(m => -m / Math.Sqrt(mean.Sum(x => x * x)))],
            Perturbation.Std => [.. mean.Select((m, j) => -Math.Sqrt(benign.Sum(v => (v[j] - m) * (v[j] - m)) / benign.Length))],
            _ => [.. mean.Select(m => -(double)Math.Sign(m))],
        };
    }

    /// <summary>μ + γ·p in double.</summary>
    private static double[] Candidate(float[][] benign, Perturbation perturbation, double gamma)
    {
        var direction = Direction(benign, perturbation);
        return [.. Mean(benign).Select((m, j) => m + gamma * direction[j])];
    }

    private static double SquaredDistance(IReadOnlyList<double> a, float[] b) => a.Select((v, j) => (v - b[j]) * (v - b[j])).Sum();

    /// <summary>max_i ‖x − ∇_i‖² or Σ_i ‖x − ∇_i‖², straight from the definition.</summary>
    private static double DirectMeasure(float[][] benign, double[] x, MinMaxObjective objective)
    {
        var distances = benign.Select(v => SquaredDistance(x, v)).ToArray();
        return objective == MinMaxObjective.MinMax ? distances.Max() : distances.Sum();
    }

    /// <summary>max_{i,j} ‖∇_i − ∇_j‖² or max_i Σ_j ‖∇_i − ∇_j‖², straight from the definition.</summary>
    private static double DirectThreshold(float[][] benign, MinMaxObjective objective)
    {
        var rows = benign.Select(a => benign.Select(b => SquaredDistance(a.Select(v => (double)v).ToArray(), b)).ToArray()).ToArray();
        return objective == MinMaxObjective.MinMax ? rows.Max(r => r.Max()) : rows.Max(r => r.Sum());
    }
}
