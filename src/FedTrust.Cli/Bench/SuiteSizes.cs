namespace FedTrust.Cli.Bench;

/// <summary>
/// How much work each stage of the bench suite does: <see cref="Quick"/> (<c>--quick</c>), <see cref="Full"/>
/// (<c>--suite</c>, and <c>--json</c> alone), and <see cref="Tiny"/>, which exists for the tests (hidden option
/// <c>--tiny</c>). Sizes change how long a figure takes to measure and how noisy it is, never what it compares: every
/// figure is a time ratio to a reference measured in the same process run.
/// </summary>
internal sealed record SuiteSizes
{
    /// <summary>The number of parameters of the MLP, and of the 1.2M-parameter cnn-large: the two update lengths aggregation is timed at.</summary>
    public const int MlpParameters = 159_010;
    public const int CnnLargeParameters = 1_199_882;

    /// <summary>"quick", "full" or "tiny", as written in the report.</summary>
    public required string Name { get; init; }

    /// <summary>Clients of the training and overhead stages (the default run's 10).</summary>
    public int Clients { get; init; } = 10;

    /// <summary>
    /// Stage 1: how long one timed round of local training should take, in seconds; the training images are then cut
    /// to what the bare loop trains in that time (at least <see cref="MinTrainingImages"/>). Null: all 60,000 images.
    /// </summary>
    public double? TrainingSeconds { get; init; }

    /// <summary>The fewest training images stage 1 trains on (100 per client).</summary>
    public int MinTrainingImages { get; init; } = 1_000;

    /// <summary>The training images stage 1 times the bare loop on to size its measurements (when <see cref="TrainingSeconds"/> is set).</summary>
    public int ProbeTrainingImages { get; init; } = 2_000;

    /// <summary>Timed repetitions of each measurement (after one warm-up); the median is reported.</summary>
    public required int Repetitions { get; init; }

    /// <summary>Stage 2: runs of the real simulation per defense, and rounds per run (round 1 is warm-up and not counted).</summary>
    public required int OverheadRuns { get; init; }
    public required int OverheadRounds { get; init; }

    /// <summary>Stage 2: the training images the run and its reference use; null: all 60,000.</summary>
    public int? OverheadTrainingImages { get; init; }

    /// <summary>Stage 3: the (updates, length) cells aggregation is timed at.</summary>
    public required IReadOnlyList<(int N, int D)> AggregationCells { get; init; }

    /// <summary>Stage 3: cells left out at this size, with the reason printed under the table.</summary>
    public IReadOnlyList<(int N, int D, string Reason)> AggregationSkipped { get; init; } = [];

    /// <summary>Stage 4: the client counts, each run in its own process, and rounds per run.</summary>
    public required IReadOnlyList<int> ScaleClients { get; init; }
    public required int ScaleRounds { get; init; }

    /// <summary>Stage 4: clients sampled per round (all of them when there are fewer).</summary>
    public int ScaleClientsPerRound { get; init; } = 100;

    /// <summary>Stage 5: runs of each side per experiment (0: the stage is skipped), and rounds per run (round 1 is not counted).</summary>
    public required int PyTorchRuns { get; init; }
    public int PyTorchRounds { get; init; } = 5;

    /// <summary>Stage 5: the PyTorch loop's modes (<see cref="PyTorchStage.Modes"/> unless <c>--pytorch-modes</c>).</summary>
    public IReadOnlyList<string> PyTorchModes { get; init; } = PyTorchStage.Modes;

    private static readonly int[] UpdateCounts = [10, 100, 1000];
    private static readonly int[] UpdateLengths = [MlpParameters, CnnLargeParameters];
    private static readonly int[] AllScales = [10, 100, 1_000, 10_000];

    private static IReadOnlyList<(int N, int D)> Grid(Func<int, int, bool> keep) =>
        [.. from d in UpdateLengths from n in UpdateCounts where keep(n, d) select (n, d)];

    /// <summary><c>--quick</c>: a few minutes on 2 cores, about 4 more when stage 5 finds torch.</summary>
    public static SuiteSizes Quick { get; } = new()
    {
        Name = "quick",
        TrainingSeconds = 1.5,
        Repetitions = 5,
        OverheadRuns = 2,
        OverheadRounds = 4,
        AggregationCells = Grid((n, d) => !(n == 1000 && d == CnnLargeParameters)),
        AggregationSkipped = [(1000, CnnLargeParameters, "skipped by --quick: 4.8 GB of updates (run --suite)")],
        ScaleClients = AllScales,
        ScaleRounds = 3,
        PyTorchRuns = 2,
        PyTorchRounds = 3,
    };

    /// <summary><c>--suite</c>: every image, every cell (memory permitting), more repetitions.</summary>
    public static SuiteSizes Full { get; } = new()
    {
        Name = "full",
        Repetitions = 5,
        OverheadRuns = 3,
        OverheadRounds = 6,
        AggregationCells = Grid((_, _) => true),
        ScaleClients = AllScales,
        ScaleRounds = 5,
        PyTorchRuns = 5,
    };

    /// <summary>The tests' size: every stage and every code path, in well under a minute.</summary>
    public static SuiteSizes Tiny { get; } = new()
    {
        Name = "tiny",
        TrainingSeconds = 0,
        ProbeTrainingImages = 1_000,
        Repetitions = 1,
        OverheadRuns = 1,
        OverheadRounds = 2,
        OverheadTrainingImages = 2_000,
        AggregationCells = [(10, MlpParameters)],
        AggregationSkipped = [(100, CnnLargeParameters, "skipped at the tests' size")],
        ScaleClients = [10],
        ScaleRounds = 2,
        PyTorchRuns = 0,
    };
}
