using BenchmarkDotNet.Attributes;
using FedTrust.Core.Defenses;
using FedTrust.Core.Tests.Defenses;

namespace FedTrust.Benchmarks;

/// <summary>
/// The trust evidence's coordinate-wise median: a sort per coordinate (the former code, without its check for
/// non-finite values) against the blocked comparator network (with it).
/// </summary>
[MemoryDiagnoser]
public class CoordinateMedianBenchmarks
{
    private List<float[]> _updates = [];

    [Params(10, 100)]
    public int N { get; set; }

    [Params(159_010, 1_199_882)]
    public int D { get; set; }

    [GlobalSetup]
    public void Setup() => _updates = RoundUpdates.Generate(N, D);

    [Benchmark(Baseline = true)]
    public float[] Sorted() => Definitions.CoordinateMedian(_updates);

    [Benchmark]
    public float[] Blocked() => VectorMath.CoordinateMedian(_updates);
}
