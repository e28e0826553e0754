using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Sampling;

/// <summary>The per-round client sample: seeded, without replacement, the right size, the right rate, only live clients.</summary>
public class ClientSamplerTests
{
    private static readonly IReadOnlyList<int> Thousand = Enumerable.Range(0, 1000).ToList();

    private static SamplingSettings Fixed(int k) => new(k, SamplingKind.Fixed);
    private static SamplingSettings Poisson(int k) => new(k, SamplingKind.Poisson);

    [Fact]
    public void Without_sampling_every_live_client_takes_part()
    {
        var live = new[] { 3, 5, 8 };
        Assert.Equal(live, ClientSampler.Draw(live, SamplingSettings.Everyone, 10, seed: 1, round: 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(999)]
    public void A_fixed_sample_has_exactly_k_distinct_live_clients_in_client_order(int k)
    {
        for (var round = 1; round <= 20; round++)
        {
            var sample = ClientSampler.Draw(Thousand, Fixed(k), 1000, seed: 42, round);
            Assert.Equal(k, sample.Count);
            Assert.Equal(k, sample.Distinct().Count());
            Assert.Equal(sample.Order(), sample);
            Assert.All(sample, c => Assert.InRange(c, 0, 999));
        }
    }

    [Fact]
    public void The_sample_depends_on_the_seed_and_the_round_only()
    {
        var a = ClientSampler.Draw(Thousand, Fixed(100), 1000, seed: 42, round: 7);
        Assert.Equal(a, ClientSampler.Draw(Thousand.ToArray(), Fixed(100), 1000, seed: 42, round: 7));
        Assert.NotEqual(a, ClientSampler.Draw(Thousand, Fixed(100), 1000, seed: 42, round: 8));
        Assert.NotEqual(a, ClientSampler.Draw(Thousand, Fixed(100), 1000, seed: 43, round: 7));
    }

    [Fact]
    public void Every_client_is_drawn_about_k_over_n_of_the_rounds()
    {
        // 2,000 rounds of 10 out of 50: each client is expected in 400 rounds (binomial sd ≈ 18.97); 5 sd either side.
        var live = Enumerable.Range(0, 50).ToList();
        var counts = new int[50];
        for (var round = 1; round <= 2000; round++)
            foreach (var c in ClientSampler.Draw(live, Fixed(10), 50, seed: 9, round)) counts[c]++;
        Assert.All(counts, n => Assert.InRange(n, 400 - 95, 400 + 95));
        // Pairs too: without replacement, no client is ever drawn twice in a round (checked above), and the pairs are spread.
        Assert.Equal(2000 * 10, counts.Sum());
    }

    [Fact]
    public void A_fixed_sample_is_drawn_from_the_live_clients_only_and_is_all_of_them_when_fewer_are_left()
    {
        var live = Enumerable.Range(0, 1000).Where(c => c % 3 != 0).ToList();
        var sample = ClientSampler.Draw(live, Fixed(100), 1000, seed: 1, round: 1);
        Assert.Equal(100, sample.Count);
        Assert.All(sample, c => Assert.NotEqual(0, c % 3));
        var few = new[] { 4, 9, 11 };
        Assert.Equal(few, ClientSampler.Draw(few, Fixed(100), 1000, seed: 1, round: 1));
    }

    [Fact]
    public void A_Poisson_sample_includes_each_client_with_probability_q()
    {
        // q = 100 / 1000 = 0.1 over 500 rounds: 50,000 expected inclusions (sd ≈ 212); each client 50 (sd ≈ 6.7).
        var counts = new int[1000];
        var sizes = new List<int>();
        for (var round = 1; round <= 500; round++)
        {
            var sample = ClientSampler.Draw(Thousand, Poisson(100), 1000, seed: 3, round);
            Assert.Equal(sample.Count, sample.Distinct().Count());
            Assert.Equal(sample.Order(), sample);
            sizes.Add(sample.Count);
            foreach (var c in sample) counts[c]++;
        }
        Assert.InRange(counts.Sum(), 50_000 - 1_100, 50_000 + 1_100);
        Assert.All(counts, n => Assert.InRange(n, 50 - 34, 50 + 34));
        // The size varies from round to round (Binomial(1000, 0.1) has sd ≈ 9.5), unlike a fixed sample.
        Assert.InRange(sizes.Max() - sizes.Min(), 20, 100);
        var mean = sizes.Average();
        var variance = sizes.Sum(s => (s - mean) * (s - mean)) / (sizes.Count - 1);
        Assert.InRange(variance, 90 * 0.7, 90 * 1.3);
    }

    [Fact]
    public void Poissons_rate_is_set_by_the_run_size_not_by_how_many_clients_are_left()
    {
        // Half the clients are gone: q stays 100 / 1000, so about 50 of the 500 left are drawn (not 100).
        var live = Enumerable.Range(0, 500).ToList();
        var total = Enumerable.Range(1, 200).Sum(r => ClientSampler.Draw(live, Poisson(100), 1000, seed: 5, r).Count);
        Assert.InRange(total / 200.0, 45, 55);
        Assert.Equal(0.1, Poisson(100).Rate(1000));
        Assert.Equal(1.0, SamplingSettings.Everyone.Rate(1000));
    }

    [Fact]
    public void A_Poisson_sample_can_be_empty_and_a_rate_of_one_takes_everyone()
    {
        var live = Enumerable.Range(0, 10).ToList();
        Assert.Contains(Enumerable.Range(1, 200), r => ClientSampler.Draw(live, Poisson(1), 10, seed: 2, r).Count == 0);
        Assert.Equal(live, ClientSampler.Draw(live, Poisson(10), 10, seed: 2, round: 1));
    }

    [Fact]
    public void Bad_arguments_are_refused_with_what_was_wrong()
    {
        Assert.Contains("rounds are numbered from 1", Assert.Throws<ArgumentOutOfRangeException>(() => ClientSampler.Draw(Thousand, Fixed(3), 1000, 1, 0)).Message);
        Assert.Contains("probability", Assert.Throws<ArgumentOutOfRangeException>(() => ClientSampler.Poisson(Thousand, 1.5, DeterministicRandom.For(1))).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentOutOfRangeException>(() => ClientSampler.WithoutReplacement(Thousand, -1, DeterministicRandom.For(1))).Message);
    }
}
