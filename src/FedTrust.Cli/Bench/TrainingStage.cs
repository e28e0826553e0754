using Akka.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;
using Spectre.Console;
using static FedTrust.Cli.Bench.SuiteFormat;

namespace FedTrust.Cli.Bench;

/// <summary>
/// Stage 1: local training through the client actors against the bare TorchSharp loop (<see cref="BareTorchLoop"/>)
/// doing the same work, for every model of <see cref="ModelZoo.Names"/>: one round of the suite's clients, the same
/// model, batch size, epochs, samples, trainer threads and libtorch threads. The real path is timed from sending
/// the round to the last update (<see cref="ActorTrainingPath"/>). One warm-up of each, then the repetitions,
/// alternating; the medians are compared.
/// </summary>
internal static class TrainingStage
{
    public static async Task<IReadOnlyList<TrainingFigure>> RunAsync(SuiteContext context)
    {
        var figures = new List<TrainingFigure>();
        foreach (var model in ModelZoo.Names)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            figures.Add(await MeasureAsync(context, model));
        }
        return figures;
    }

    /// <summary>The configuration of each model's measurement, checked before any stage runs (a bad one fails with its key).</summary>
    public static void Check(SuiteContext context)
    {
        foreach (var model in ModelZoo.Names) Configure(context, model);
    }

    /// <summary>The suite's configuration with this model, the suite's clients and no attack.</summary>
    private static (Config Config, ExperimentSettings Settings) Configure(SuiteContext context, string model) =>
        context.With($"fedtrust.model = {model}", $"fedtrust.clients = {context.Sizes.Clients}", "fedtrust.attack.type = none");

    private static async Task<TrainingFigure> MeasureAsync(SuiteContext context, string model)
    {
        var sizes = context.Sizes;
        var (config, settings) = Configure(context, model);
        var data = DataSubset.FirstTraining(context.Dataset, TrainingImages(context, settings.Training, settings.Trainers, settings.Seed));
        using var train = new LabeledTensors(data.TrainImages, data.TrainLabels, data.Normalization);
        using var test = new LabeledTensors(data.TestImages, data.TestLabels, data.Normalization);
        var clients = SimulationHost.Clients(settings, train, data.TestLabels);
        using var bare = new BareTorchLoop(settings.Training, train, settings.Trainers);
        using var pool = new TrainerPool(settings.Training, settings.Trainers, settings.TorchThreads);
        await using var actors = await ActorTrainingPath.StartAsync(settings, config, new TorchClientWorkload(train, test, pool, settings.Seed), clients);

        var global = ModelZoo.InitialWeights(model, settings.Seed);
        var round = 0;
        var (reference, ours) = await Timing.AlternateAsync(sizes.Repetitions,
            () => Task.FromResult(Timing.Seconds(() => bare.Train(clients, global, ++round))),
            () => Timing.AfterCollectionAsync(() => actors.TrainRoundAsync(++round, global)));
        var samples = clients.Sum(c => (long)c.TrainIndices.Length) * settings.LocalEpochs;
        return new TrainingFigure(model, clients.Count, samples, settings.Trainers, settings.TorchThreads, reference, ours);
    }

    /// <summary>
    /// All training images, or at a size with a time target as many as the bare loop trains in that time (timed on
    /// <see cref="SuiteSizes.ProbeTrainingImages"/> images after a warm-up on them), in whole batches for every client,
    /// and at least <see cref="SuiteSizes.MinTrainingImages"/>.
    /// </summary>
    private static int TrainingImages(SuiteContext context, TrainingSettings options, int threads, long seed)
    {
        var all = context.Dataset.TrainImages.Count;
        if (context.Sizes.TrainingSeconds is not { } target) return all;
        var sizes = context.Sizes;
        var probe = DataSubset.FirstTraining(context.Dataset, sizes.ProbeTrainingImages);
        using var train = new LabeledTensors(probe.TrainImages, probe.TrainLabels, probe.Normalization);
        var clients = SimulationHost.Clients(Configure(context, options.Model).Settings, train, probe.TestLabels);
        using var bare = new BareTorchLoop(options, train, threads);
        var global = ModelZoo.InitialWeights(options.Model, seed);
        bare.Train(clients, global, 0);
        var perImage = Timing.Seconds(() => bare.Train(clients, global, 1)) / (train.Count * options.LocalEpochs);
        var step = sizes.Clients * options.BatchSize;
        var images = (int)Math.Min(all, Math.Floor(target / perImage / step) * step);
        return Math.Clamp(images, Math.Min(sizes.MinTrainingImages, all), all);
    }

    public static Table Table(IReadOnlyList<TrainingFigure> figures)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title("stage 1: local training, client actors vs bare TorchSharp (one round, median of repetitions)")
            .AddColumns("model", "clients", "samples", "threads", "bare s", "actors s", "bare samples/s", "actors samples/s", "ratio");
        foreach (var f in figures)
        {
            table.AddRow(f.Model, Count(f.Clients), Count(f.Samples), $"{f.Trainers}×{f.TorchThreads}", Seconds(f.ReferenceSeconds), Seconds(f.ActorSeconds),
                Count((long)f.ReferenceSamplesPerSecond), Count((long)f.ActorSamplesPerSecond), Ratio(f.Ratio));
        }
        table.Caption($"threads: trainers × libtorch threads each; ratio = actors / bare time (1.00 = as fast); {figures.FirstOrDefault()?.Repetitions} timed repetitions after a warm-up, alternating");
        return table;
    }
}

/// <summary>One model's round of local training: the bare loop's and the actors' seconds for the same samples, every timed run and their medians.</summary>
internal sealed record TrainingFigure(string Model, int Clients, long Samples, int Trainers, int TorchThreads,
    IReadOnlyList<double> ReferenceRuns, IReadOnlyList<double> ActorRuns)
{
    public int Repetitions => ReferenceRuns.Count;
    public double ReferenceSeconds => Timing.Median(ReferenceRuns);
    public double ActorSeconds => Timing.Median(ActorRuns);

    /// <summary>Actors' time over the bare loop's: 1.0 = as fast.</summary>
    public double Ratio => ActorSeconds / ReferenceSeconds;
    public double ReferenceSamplesPerSecond => Samples / ReferenceSeconds;
    public double ActorSamplesPerSecond => Samples / ActorSeconds;
}
