using BenchmarkDotNet.Attributes;
using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Defenses;
using FedTrust.Core.Tests.Defenses;

namespace FedTrust.Benchmarks;

/// <summary>
/// Krum's scores: one distance per pair and a sort per row (the former code, without its validation of the updates)
/// against the blocked pass (with it), at the MLP's and a CNN's size.
/// </summary>
public class KrumBenchmarks : RoundBenchmark
{
    [Benchmark(Baseline = true)]
    public double[] Direct() => Definitions.KrumScores(Updates, RoundUpdates.ByzantineFor(N));

    [Benchmark]
    public double[] Blocked() => Krum.Scores(Updates, RoundUpdates.ByzantineFor(N));
}
