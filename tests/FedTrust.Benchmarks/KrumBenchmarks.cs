using BenchmarkDotNet.Attributes;
using FedTrust.Core.Defenses;
using FedTrust.Core.Tests.Defenses;

namespace FedTrust.Benchmarks;

/// <summary>
/// Krum's scores: one distance per pair and a sort per row (the former code, without its validation of the updates)
/// against the blocked pass (with it), at the MLP's and a CNN's size.
/// </summary>
[MemoryDiagnoser]
public class KrumBenchmarks
{
    private List<float[]> _updates = [];

    [Params(10, 100)]
    public int N { get; set; }

    [Params(159_010, 1_199_882)]
    public int D { get; set; }

    [GlobalSetup]
    public void Setup() => _updates = RoundUpdates.Generate(N, D);

    [Benchmark(Baseline = true)]
    public double[] Direct() => Definitions.KrumScores(_updates, RoundUpdates.ByzantineFor(N));

    [Benchmark]
    public double[] Blocked() => Krum.Scores(_updates, RoundUpdates.ByzantineFor(N));
}
