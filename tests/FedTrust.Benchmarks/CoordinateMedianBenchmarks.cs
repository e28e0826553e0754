using BenchmarkDotNet.Attributes;
using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Tests.Defenses;

namespace FedTrust.Benchmarks;

/// <summary>
/// The trust evidence's coordinate-wise median: a sort per coordinate (the former code, without its check for
/// non-finite values) against the blocked comparator network (with it).
/// </summary>
public class CoordinateMedianBenchmarks : RoundBenchmark
{
    [Benchmark(Baseline = true)]
    public float[] Sorted() => Definitions.CoordinateMedian(Updates);

    [Benchmark]
    public float[] Blocked() => VectorMath.CoordinateMedian(Updates);
}
