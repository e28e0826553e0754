using BenchmarkDotNet.Attributes;
using FedTrust.Core.Defenses;

namespace FedTrust.Benchmarks;

/// <summary>
/// The server's whole screening of a round under the krum defense (<see cref="RobustAggregation.Screen"/>): validation,
/// Krum scores and ranking, and the trust evidence (coordinate-wise median, norms, cosines).
/// </summary>
[MemoryDiagnoser]
public class ScreenKrumBenchmarks
{
    private static readonly DefenseSettings Defense = DefenseSettings.Parse("krum");
    private List<RoundUpdate> _round = [];

    [Params(10, 100)]
    public int N { get; set; }

    [Params(159_010, 1_199_882)]
    public int D { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _round = RoundUpdates.Generate(N, D).Select((delta, k) => new RoundUpdate($"client-{k:D3}", delta, 600)).ToList();

    [Benchmark]
    public Screening Screen() => RobustAggregation.Screen(_round, Defense, RoundUpdates.ByzantineFor(N));
}
