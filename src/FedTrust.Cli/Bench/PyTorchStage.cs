using System.Globalization;
using FedTrust.Actors.Hosting;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;
using Spectre.Console;
using Spectre.Console.Rendering;
using static FedTrust.Cli.Bench.SuiteFormat;

namespace FedTrust.Cli.Bench;

/// <summary>
/// Stage 5: FedTrust against a plain PyTorch FedAvg loop (scripts/pytorch_fedavg.py) doing the same experiment, as a
/// user choosing between them would run both: <c>fedtrust run</c> in a process of its own (its default journal and
/// checkpoint, <see cref="ChildRun"/>) and the script, in each of <see cref="SuiteSizes.PyTorchModes"/>, on a plan FedTrust writes
/// from the same settings (<see cref="PyTorchPlan"/>: initial weights, split, sample, batch order, hyper-parameters),
/// each experiment of <see cref="Experiments"/> with fedavg and no attack. Runs alternate (FedTrust, then each mode,
/// the order rotated every run); seconds per round are the mean of rounds 2 and later of a run; the ratio of a run is
/// FedTrust's over PyTorch's better mode (the lower median) in the same run, reported as median and min–max. The
/// accuracies of every round must agree within <see cref="AccuracyTolerance"/> (the same work on both sides); a larger
/// gap is printed in red. Without python3 and torch, or with torch on the reference BLAS, the stage is skipped with
/// the reason and how to install the reference.
/// </summary>
internal static class PyTorchStage
{
    /// <summary>The experiments: model, clients, clients per round (mlp and cnn at 10 clients; mlp at 1,000 clients, 100 a round, 60 images each).</summary>
    public static readonly IReadOnlyList<PyTorchExperiment> Experiments =
    [
        new("mlp", 10, 10),
        new("cnn", 10, 10),
        new("mlp", 1_000, 100),
    ];

    /// <summary>
    /// The script's modes: 2 processes × 1 thread (weights and updates in shared memory), 1 process × 2 threads. On a
    /// machine loaded by other work the second can crawl (each of libtorch's OpenMP regions waits for both threads to
    /// be scheduled): <c>--pytorch-modes 2x1</c> leaves it out.
    /// </summary>
    public static readonly IReadOnlyList<string> Modes = ["2x1", "1x2"];

    /// <summary>The modes in <paramref name="list"/> (comma-separated PxT: 1xT or Px1), checked; a bad one is a one-line error naming it.</summary>
    public static IReadOnlyList<string> ParseModes(string list)
    {
        var modes = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        if (modes.Count == 0) throw new ArgumentException($"--pytorch-modes '{list}': give one or more of PxT, e.g. 2x1,1x2");
        foreach (var mode in modes)
        {
            var parts = mode.Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ||
                !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t) || p < 1 || t < 1 || (p > 1 && t > 1))
                throw new ArgumentException($"--pytorch-modes '{list}': '{mode}' is not 1xT (one process of T threads) or Px1 (P processes of one thread)");
        }
        return modes;
    }

    public const double AccuracyTolerance = 0.005;

    public static async Task<PyTorchResult> RunAsync(SuiteContext context)
    {
        var runs = context.Sizes.PyTorchRuns;
        if (runs < 1) return PyTorchResult.Skip("skipped at the tests' size");
        var (script, reason) = await PyTorchScript.FindAsync(context.Cancellation);
        if (script is null) return PyTorchResult.Skip(reason!);
        context.Console.MarkupLineInterpolated($"[grey]pytorch:[/] {script.Python}, torch {script.Torch}, BLAS {script.Blas} ({script.BlasLibrary})");
        var figures = new List<PyTorchFigure>();
        foreach (var experiment in Experiments)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            figures.Add(await MeasureAsync(context, script, experiment, runs, context.Sizes.PyTorchModes));
        }
        return new PyTorchResult(figures, null, script.Python, script.Torch, script.Blas, script.BlasLibrary);
    }

    private static async Task<PyTorchFigure> MeasureAsync(SuiteContext context, PyTorchScript script, PyTorchExperiment experiment, int runs,
        IReadOnlyList<string> modes)
    {
        var rounds = context.Sizes.PyTorchRounds;
        var (_, settings) = context.With(Assignments(experiment, rounds));
        var folder = Directory.CreateTempSubdirectory("fedtrust-bench-pytorch-").FullName;
        try
        {
            WritePlan(folder, settings, context);
            var file = PyTorchScript.WriteTo(folder);
            var ours = new List<PyTorchRun>();
            var theirs = modes.ToDictionary(m => m, _ => new List<PyTorchRun>(), StringComparer.Ordinal);
            var contenders = new List<Func<Task>>
            {
                async () =>
                {
                    var result = await ChildRun.RunAsync(Options(context, experiment, rounds), context.Cancellation);
                    ours.Add(PyTorchRun.Of(result.Rounds.Select(r => (r.Seconds, r.Accuracy)).ToList()));
                },
            };
            foreach (var mode in modes)
            {
                contenders.Add(async () =>
                {
                    var result = await script.RunAsync(file, folder, mode, context.Cancellation);
                    theirs[mode].Add(PyTorchRun.Of(result.Select(r => (r.Seconds, r.Accuracy)).ToList()));
                });
            }
            for (var run = 0; run < runs; run++)
            {
                context.Console.MarkupLineInterpolated(
                    $"[grey]pytorch:[/] {experiment.Label}, {rounds} rounds, run {run + 1}/{runs}: fedtrust, {string.Join(", ", modes.Select(m => "pytorch " + m))} (rotated)");
                for (var k = 0; k < contenders.Count; k++)
                {
                    Timing.Collect();
                    await contenders[(k + run) % contenders.Count]();
                }
            }
            return new PyTorchFigure(experiment, rounds, ours, theirs);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The keys the experiment sets, as the child run is given them and the plan is written from.</summary>
    private static string[] Assignments(PyTorchExperiment experiment, int rounds) =>
    [
        $"fedtrust.model = {experiment.Model}",
        $"fedtrust.clients = {experiment.Clients}",
        $"fedtrust.clients-per-round = {(experiment.PerRound < experiment.Clients ? experiment.PerRound.ToString(CultureInfo.InvariantCulture) : "all")}",
        $"fedtrust.rounds = {rounds}",
        "fedtrust.defense = fedavg",
        "fedtrust.attack.type = none",
    ];

    /// <summary>The experiment's plan, from the suite's data set and the experiment's settings.</summary>
    private static void WritePlan(string folder, ExperimentSettings settings, SuiteContext context)
    {
        var dataset = context.Dataset;
        using var train = new LabeledTensors(dataset.TrainImages, dataset.TrainLabels, dataset.Normalization);
        PyTorchPlan.Write(folder, settings, SimulationHost.Clients(settings, train, dataset.TestLabels), context.DataDir);
    }

    /// <summary>
    /// The child's options: the suite's configuration (without its --model, which the experiment chooses), the data
    /// folder, then the experiment's keys (--set wins over --config and earlier --set).
    /// </summary>
    private static List<string> Options(SuiteContext context, PyTorchExperiment experiment, int rounds)
    {
        var options = new List<string>();
        var forwarded = context.ForwardedOptions;
        for (var i = 0; i < forwarded.Count; i++)
        {
            if (forwarded[i] == "--model" && i + 1 < forwarded.Count) i++;
            else options.Add(forwarded[i]);
        }
        options.AddRange(["--data-dir", context.DataDir]);
        foreach (var assignment in Assignments(experiment, rounds)) options.AddRange(["--set", assignment.Replace(" = ", "=", StringComparison.Ordinal)]);
        return options;
    }

    public static IRenderable Table(PyTorchResult result)
    {
        if (result.Skipped is { } skipped) return new Text($"stage 5 skipped: {skipped}");
        var modes = result.Figures.FirstOrDefault()?.Theirs.Keys.ToList() ?? [];
        string[] columns = ["experiment", "FedTrust s/round", .. modes.Select(m => $"PyTorch {m.Replace('x', '×')}"), "ratio vs better", "accuracy FedTrust / PyTorch"];
        var table = new Table().Border(TableBorder.Simple)
            .Title("stage 5: FedTrust (fedtrust run) vs a plain PyTorch FedAvg loop, the same experiment (s/round, rounds 2 and later)")
            .AddColumns(columns);
        foreach (var f in result.Figures)
        {
            string[] cells =
            [
                f.Experiment.Label, Range(f.OurSeconds),
                .. modes.Select(m => Range(f.TheirSeconds(m)) + (m == f.BetterMode ? " *" : "")),
                $"{Ratio(Timing.Median(f.Ratios))} ({Ratio(f.Ratios.Min())}–{Ratio(f.Ratios.Max())})",
                string.Create(CultureInfo.InvariantCulture, $"{f.OurAccuracy:F4} / {f.TheirAccuracy:F4}") + (f.AccuracyAgrees ? "" : " [red bold]DIFFER[/]"),
            ];
            table.AddRow(cells);
        }
        table.Caption(Markup.Escape($"ratio = FedTrust / PyTorch seconds per round, per run against PyTorch's better mode (*): median (min–max) of " +
                      $"{result.Figures.FirstOrDefault()?.Runs} runs, alternating; accuracy after the last round; " +
                      $"torch {result.Torch} ({result.Blas}: {result.BlasLibrary}) via {result.Python}"));
        var notes = result.Figures.Where(f => !f.AccuracyAgrees).Select(f =>
            string.Create(CultureInfo.InvariantCulture,
                $"ACCURACY DIFFERS: {f.Experiment.Label}: FedTrust and PyTorch differ by up to {f.AccuracyGap:F4} in some round (more than ±{AccuracyTolerance}): the two sides did not do the same experiment, so this row's ratio compares different work"));
        var rows = new List<IRenderable> { table };
        rows.AddRange(notes.Select(n => (IRenderable)new Markup($"[red bold]{Markup.Escape(n)}[/]")));
        return new Rows(rows);
    }

    private static string Range(IReadOnlyList<double> values) =>
        $"{Seconds(Timing.Median(values))} ({Seconds(values.Min())}–{Seconds(values.Max())})";
}

/// <summary>One experiment: the model, the clients and how many are sampled a round.</summary>
internal sealed record PyTorchExperiment(string Model, int Clients, int PerRound)
{
    public string Label => PerRound < Clients
        ? $"{Model}, {Clients.ToString("N0", CultureInfo.InvariantCulture)} clients, {PerRound} a round"
        : $"{Model}, {Clients} clients";

    /// <summary>The headline key of the experiment's ratio (pytorchRatioMlp, pytorchRatioCnn, pytorchRatioMlp_1000clients).</summary>
    public string Key => SuiteReport.TrainRatioKey(Model).Replace("trainRatio", "pytorchRatio", StringComparison.Ordinal) +
                         (Clients == 10 ? "" : $"_{Clients}clients");
}

/// <summary>One run of either side: its mean seconds per round from round 2 on, and its accuracy after every round.</summary>
internal sealed record PyTorchRun(double SecondsPerRound, IReadOnlyList<double> Accuracies)
{
    public static PyTorchRun Of(IReadOnlyList<(double Seconds, double Accuracy)> rounds)
    {
        if (rounds.Count < 2) throw new ChildRunException($"the run recorded {rounds.Count} round(s); the stage needs at least 2");
        return new PyTorchRun(rounds.Skip(1).Average(r => r.Seconds), [.. rounds.Select(r => r.Accuracy)]);
    }
}

/// <summary>An experiment's runs: FedTrust's and each PyTorch mode's, in run order.</summary>
internal sealed record PyTorchFigure(PyTorchExperiment Experiment, int Rounds, IReadOnlyList<PyTorchRun> Ours, IReadOnlyDictionary<string, List<PyTorchRun>> Theirs)
{
    public int Runs => Ours.Count;
    public IReadOnlyList<double> OurSeconds => [.. Ours.Select(r => r.SecondsPerRound)];
    public IReadOnlyList<double> TheirSeconds(string mode) => [.. Theirs[mode].Select(r => r.SecondsPerRound)];

    /// <summary>PyTorch's mode with the lower median seconds per round.</summary>
    public string BetterMode => Theirs.Keys.MinBy(m => Timing.Median(TheirSeconds(m)))!;

    /// <summary>Per run: FedTrust's seconds per round over the better mode's in the same run.</summary>
    public IReadOnlyList<double> Ratios => [.. Ours.Zip(Theirs[BetterMode], (o, t) => o.SecondsPerRound / t.SecondsPerRound)];

    public double OurAccuracy => Ours[^1].Accuracies[^1];
    public double TheirAccuracy => Theirs[BetterMode][^1].Accuracies[^1];

    /// <summary>The largest accuracy gap between FedTrust's first run and any PyTorch run, over every round (NaN counts as a gap).</summary>
    public double AccuracyGap => Theirs.Values.SelectMany(runs => runs)
        .SelectMany(run => run.Accuracies.Zip(Ours[0].Accuracies, (t, o) => double.IsNaN(t - o) ? double.PositiveInfinity : Math.Abs(t - o)))
        .DefaultIfEmpty(double.PositiveInfinity).Max();

    public bool AccuracyAgrees => AccuracyGap <= PyTorchStage.AccuracyTolerance;
}

/// <summary>The stage's figures, or why it did not run; and the reference it ran against.</summary>
internal sealed record PyTorchResult(IReadOnlyList<PyTorchFigure> Figures, string? Skipped, string? Python = null, string? Torch = null, string? Blas = null,
    string? BlasLibrary = null)
{
    public static PyTorchResult Skip(string reason) => new([], reason);

    /// <summary>The stage's detail as written by --json.</summary>
    public object Document() => new
    {
        skipped = Skipped,
        python = Python,
        torch = Torch,
        blas = Blas,
        blasLibrary = BlasLibrary,
        accuracyTolerance = PyTorchStage.AccuracyTolerance,
        experiments = Figures.Select(f => new
        {
            model = f.Experiment.Model, clients = f.Experiment.Clients, clientsPerRound = f.Experiment.PerRound, rounds = f.Rounds, runs = f.Runs,
            fedtrustSecondsPerRound = Timing.Median(f.OurSeconds), fedtrustRuns = f.OurSeconds,
            pytorch = f.Theirs.ToDictionary(kv => kv.Key, kv => new { secondsPerRound = Timing.Median(f.TheirSeconds(kv.Key)), runs = f.TheirSeconds(kv.Key) }),
            betterMode = f.BetterMode, ratio = Timing.Median(f.Ratios), ratioMin = f.Ratios.Min(), ratioMax = f.Ratios.Max(), ratios = f.Ratios,
            fedtrustAccuracy = f.OurAccuracy, pytorchAccuracy = f.TheirAccuracy, accuracyGap = double.IsFinite(f.AccuracyGap) ? f.AccuracyGap : (double?)null, accuracyAgrees = f.AccuracyAgrees,
        }),
    };
}
