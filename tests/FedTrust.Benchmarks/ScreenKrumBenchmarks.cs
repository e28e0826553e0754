using BenchmarkDotNet.Attributes;
using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;

namespace FedTrust.Benchmarks;

/// <summary>
/// The server's whole screening of a round under the krum defense (<see cref="RobustAggregation.Screen"/>): validation,
/// Krum scores and ranking, and the trust evidence (coordinate-wise median, norms, cosines).
/// </summary>
public class ScreenKrumBenchmarks : RoundBenchmark
{
    private static readonly DefenseSettings Defense = DefenseSettings.Parse("krum");
    private List<RoundUpdate> _round = [];

    protected override void Prepare() =>
        _round = Updates.Select((delta, k) => new RoundUpdate($"client-{k:D3}", delta, 600)).ToList();

    [Benchmark]
    public Screening Screen() => RobustAggregation.Screen(_round, Defense, RoundUpdates.ByzantineFor(N));
}
