using BenchmarkDotNet.Attributes;

namespace FedTrust.Benchmarks;

/// <summary>
/// What every aggregation benchmark shares: its sizes (n updates of the MLP's or cnn-large's length d) and the round's
/// updates, generated once per size by <see cref="RoundUpdates.Generate"/>.
/// </summary>
[MemoryDiagnoser]
public abstract class RoundBenchmark
{
    protected List<float[]> Updates { get; private set; } = [];

    [Params(10, 100)]
    public int N { get; set; }

    [Params(159_010, 1_199_882)]
    public int D { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Updates = RoundUpdates.Generate(N, D);
        Prepare();
    }

    /// <summary>Builds whatever else a benchmark needs from <see cref="Updates"/>.</summary>
    protected virtual void Prepare()
    {
    }
}
