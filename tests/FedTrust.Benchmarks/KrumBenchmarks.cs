using BenchmarkDotNet.Attributes;
using FedTrust.Core.Defenses;

namespace FedTrust.Benchmarks;

/// <summary>Krum's scores: one distance per pair (the former code) against the blocked pass, at the MLP's and the CNN's size.</summary>
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
    public double[] Direct() => DirectKrum.Scores(_updates, RoundUpdates.ByzantineFor(N));

    [Benchmark]
    public double[] Blocked() => Krum.Scores(_updates, RoundUpdates.ByzantineFor(N));
}
