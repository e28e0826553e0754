using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using FedTrust.Core.Learning;
using Spectre.Console;
using static FedTrust.Cli.Bench.SuiteFormat;

namespace FedTrust.Cli.Bench;

/// <summary>
/// The suite's figures: the headline keys (each a ratio of ours to a reference measured in the same process run, or
/// a size), printed as a summary and written by <c>--json FILE</c> at the top level of the document, with every
/// stage's detail beside them. A headline the run could not measure is left out and named under <c>missing</c> with
/// the reason, never written as 0 or null.
/// </summary>
internal sealed record SuiteReport(
    string Suite, MachineInfo Machine, double WallSeconds,
    IReadOnlyList<TrainingFigure> Training, IReadOnlyList<OverheadFigure> Overhead, AggregationResult Aggregation, ScaleResult Scale)
{
    public const string RatiosNote =
        "every ratio is a time ratio, ours / reference, both measured in this process run: 1.0 = as fast as the reference " +
        "(bare libtorch, or the formula called directly), above 1 = slower; target <= 1.05";

    /// <summary>The headline keys the suite promises (src/README.md, "Performance"), in the order written.</summary>
    public static readonly IReadOnlyList<string> RequiredKeys =
    [
        "actorOverheadRatio", "trainRatioMlp", "trainRatioCnn", "trainRatioCnnLarge", "krumSeconds_n100_d1200000",
        "peakRssBytes_1000clients", "peakRssBytes_10000clients", "roundSecondsRatio_1000vs100", "roundSecondsRatio_10000vs100",
    ];

    /// <summary>The model whose training ratio is under <paramref name="model"/>'s key: trainRatio + the name in PascalCase (cnn-large → trainRatioCnnLarge).</summary>
    public static string TrainRatioKey(string model) =>
        "trainRatio" + string.Concat(model.Split('-').Select(part => part.Length == 0 ? "" : char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>Stage 5, FedTrust against the plain PyTorch loop; null where it was not part of the run.</summary>
    public PyTorchResult? PyTorch { get; init; }

    /// <summary>"all" (the suite), or "pytorch" (<c>--pytorch</c>: stage 5 alone; the other stages' figures are neither measured nor written).</summary>
    public string Stages { get; init; } = "all";

    private bool PyTorchOnly => Stages == "pytorch";

    /// <summary>Stage 5's headlines: FedTrust / PyTorch seconds per round per experiment, or why it is missing.</summary>
    private IEnumerable<Headline> PyTorchHeadlines()
    {
        if (PyTorch is null) yield break;
        foreach (var experiment in PyTorchStage.Experiments)
        {
            var figure = PyTorch.Figures.FirstOrDefault(f => f.Experiment == experiment);
            yield return figure is null
                ? Headline.Absent(experiment.Key, PyTorch.Skipped ?? "not measured")
                : new Headline(experiment.Key, Timing.Median(figure.Ratios),
                    $"seconds per round, FedTrust / a plain PyTorch FedAvg loop ({figure.BetterMode}), {experiment.Label}" +
                    (figure.AccuracyAgrees ? "" : " (ACCURACIES DIFFER: not the same work)"));
        }
    }

    /// <summary>Every headline: measured (Value) or not (Missing, the reason), with what it means.</summary>
    public IReadOnlyList<Headline> Headlines()
    {
        if (PyTorchOnly) return [.. PyTorchHeadlines()];
        var list = new List<Headline>();
        var fedavg = Overhead.FirstOrDefault(o => o.Defense == "fedavg");
        list.Add(fedavg is null
            ? Headline.Absent("actorOverheadRatio", "the overhead stage did not run fedavg")
            : new Headline("actorOverheadRatio", fedavg.Ratio, $"a round ({fedavg.Model}, fedavg, {fedavg.Clients} clients) through the actors / its parts done bare"));
        var krumRound = Overhead.FirstOrDefault(o => o.Defense == "krum");
        if (krumRound is not null)
            list.Add(new Headline("actorOverheadRatioKrum", krumRound.Ratio, "the same with krum"));

        var models = new[] { "mlp", "cnn", "cnn-large" }.Union(Training.Select(t => t.Model));
        foreach (var model in models)
        {
            var figure = Training.FirstOrDefault(t => t.Model == model);
            list.Add(figure is null
                ? Headline.Absent(TrainRatioKey(model), $"model {model} is not in this build (ModelZoo.Names: {string.Join(", ", ModelZoo.Names)})")
                : new Headline(TrainRatioKey(model), figure.Ratio, $"local training of {Count(figure.Samples)} samples ({model}) through the actors / bare loop"));
        }

        const string krumKey = "krumSeconds_n100_d1200000";
        var krum = Aggregation.Figures.FirstOrDefault(f => f is { Defense: "krum", N: 100, D: SuiteSizes.CnnLargeParameters });
        var krumSkip = Aggregation.Skipped.FirstOrDefault(s => s is { N: 100, D: SuiteSizes.CnnLargeParameters });
        list.Add(krum is not null
            ? new Headline(krumKey, krum.Seconds, $"seconds of the server's krum round, 100 updates of {Count(SuiteSizes.CnnLargeParameters)} values")
            : Headline.Absent(krumKey, krumSkip?.Reason ?? "not among this size's cells"));

        foreach (var clients in new[] { 1_000, 10_000 }.Union(Scale.Figures.Select(f => f.Clients)).Order())
        {
            var figure = Scale.Figures.FirstOrDefault(f => f.Clients == clients);
            var key = $"peakRssBytes_{clients}clients";
            list.Add(figure is null
                ? Headline.Absent(key, ScaleMissing(clients))
                : new Headline(key, figure.PeakRssBytes, $"peak RSS of a run of {Count(clients)} clients ({figure.ClientsPerRound} a round)", Bytes: true));
        }
        var hundred = Scale.Figures.FirstOrDefault(f => f.Clients == 100);
        foreach (var clients in new[] { 1_000, 10_000 })
        {
            var figure = Scale.Figures.FirstOrDefault(f => f.Clients == clients);
            var key = $"roundSecondsRatio_{clients}vs100";
            list.Add(figure is not null && hundred is not null
                ? new Headline(key, figure.MeanRoundSeconds / hundred.MeanRoundSeconds, $"seconds per round, {Count(clients)} clients / 100 clients ({figure.ClientsPerRound} a round each)")
                : Headline.Absent(key, figure is null ? ScaleMissing(clients) : ScaleMissing(100)));
        }
        list.AddRange(PyTorchHeadlines());
        return list;
    }

    private string ScaleMissing(int clients) =>
        Scale.Skipped.FirstOrDefault(s => s.Clients == clients) is { } skip ? $"{clients} clients: {skip.Reason}" : $"{clients} clients are not run at this size";

    /// <summary>Writes the JSON document to <paramref name="path"/> (through a temporary file, so a reader never sees half of it); returns the path.</summary>
    public string Write(string path)
    {
        var document = new Dictionary<string, object?>
        {
            ["schema"] = 1,
            ["suite"] = Suite,
            ["ratios"] = RatiosNote,
        };
        var headlines = Headlines();
        foreach (var h in headlines.Where(h => h.Value is not null))
            document[h.Key] = h.Bytes ? (long)h.Value!.Value : h.Value;
        document["missing"] = headlines.Where(h => h.Value is null).ToDictionary(h => h.Key, h => h.Missing);
        document["wallSeconds"] = WallSeconds;
        document["machine"] = Machine;
        if (PyTorch is not null) document["pytorch"] = PyTorch.Document();
        if (PyTorchOnly)
        {
            document["stages"] = Stages;
            return WriteDocument(path, document);
        }
        document["training"] = Training.Select(t => new
        {
            model = t.Model, clients = t.Clients, samples = t.Samples, trainers = t.Trainers, torchThreads = t.TorchThreads, repetitions = t.Repetitions,
            referenceSeconds = t.ReferenceSeconds, actorSeconds = t.ActorSeconds, referenceSamplesPerSecond = t.ReferenceSamplesPerSecond,
            actorSamplesPerSecond = t.ActorSamplesPerSecond, ratio = t.Ratio, referenceRuns = t.ReferenceRuns, actorRuns = t.ActorRuns,
        });
        document["overhead"] = Overhead.Select(o => new
        {
            defense = o.Defense, model = o.Model, clients = o.Clients, runs = o.Runs, roundsPerRun = o.RoundsPerRun,
            actorRoundSeconds = o.ActorRoundSeconds, referenceSeconds = o.ReferenceSeconds, referenceTrainSeconds = o.ReferenceTrainSeconds,
            referenceAggregationSeconds = o.ReferenceAggregationSeconds, referenceEvaluationSeconds = o.ReferenceEvaluationSeconds, ratio = o.Ratio,
            actorRounds = o.ActorRounds, referenceRounds = o.ReferenceRounds,
        });
        document["aggregation"] = Aggregation.Figures.Select(a => new
        {
            defense = a.Defense, n = a.N, d = a.D, seconds = a.Seconds, screenSeconds = a.ScreenSeconds, trustSeconds = a.TrustSeconds,
            decideSeconds = a.DecideSeconds, repetitions = a.Repetitions,
        });
        document["aggregationSkipped"] = Aggregation.Skipped.Select(s => new { n = s.N, d = s.D, reason = s.Reason });
        document["scale"] = Scale.Figures.Select(s => new
        {
            clients = s.Clients, clientsPerRound = s.ClientsPerRound, rounds = s.Rounds, peakRssBytes = s.PeakRssBytes,
            meanRoundSeconds = s.MeanRoundSeconds, trainedSamplesPerRound = s.TrainedSamplesPerRound, secondsPerTrainedSample = s.SecondsPerTrainedSample,
        });
        document["scaleSkipped"] = Scale.Skipped.Select(s => new { clients = s.Clients, clientsPerRound = s.ClientsPerRound, reason = s.Reason });
        return WriteDocument(path, document);
    }

    private static string WriteDocument(string path, Dictionary<string, object?> document)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(document, JsonOptions));
        File.Move(temp, full, overwrite: true);
        return full;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a report for people too: "<=" and "tests'" as written
    };

    /// <summary>The summary printed after the stages' tables.</summary>
    public Table SummaryTable()
    {
        var table = new Table().Border(TableBorder.Simple).Title("summary").AddColumns("figure", "value", "what");
        foreach (var h in Headlines())
        {
            var value = h.Value switch
            {
                null => "missing",
                { } bytes when h.Bytes => $"{Mb((long)bytes)} MB",
                { } v => v.ToString("F3", CultureInfo.InvariantCulture),
            };
            table.AddRow(h.Key, value, Markup.Escape(h.Value is null ? h.Missing! : h.Meaning));
        }
        table.Caption(Markup.Escape(RatiosNote));
        return table;
    }

    /// <summary>One line: the suite, its wall time and the machine.</summary>
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"bench suite {Suite}: {WallSeconds:F0} s on {Machine.Cores} cores ({Machine.CpuModel}), {Machine.Trainers} trainers × {Machine.TorchThreads} libtorch threads, {Machine.Build} build, {Machine.Dotnet}");
}

/// <summary>A headline figure, or the reason it is missing.</summary>
internal sealed record Headline(string Key, double? Value, string Meaning, bool Bytes = false, string? Missing = null)
{
    public static Headline Absent(string key, string reason) => new(key, null, "", Missing: reason);
}
