using System.Diagnostics;
using Akka.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Core.Defenses;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;
using Spectre.Console;
using static FedTrust.Cli.Bench.SuiteFormat;

namespace FedTrust.Cli.Bench;

/// <summary>
/// Stage 2: what a whole round costs through the actors against the sum of its parts done bare. The real round is
/// the aggregator's own round time (result.json's <c>seconds</c>: broadcast, training, collecting, screening, the
/// trust ledger, aggregation, evaluation of the global model) in a run of the real <see cref="SimulationHost"/>,
/// rounds 2 and later (round 1 warms up). Its reference is the same round done directly: the bare training of the
/// same clients (<see cref="BareTorchLoop"/>, as in stage 1), <see cref="RobustAggregation.Screen"/> and
/// <see cref="RobustAggregation.Decide"/> called on the updates it produced (with <see cref="TrustRule.UpdateAll"/>
/// between them when the defense uses trust), and the bare evaluation of the new global model on the test set.
/// Runs and reference rounds alternate; medians are compared.
/// </summary>
internal static class OverheadStage
{
    /// <summary>The defenses measured: the default, and Krum (which adds the pairwise distances to each round).</summary>
    public static readonly IReadOnlyList<string> Defenses = ["fedavg", "krum"];

    public static async Task<IReadOnlyList<OverheadFigure>> RunAsync(SuiteContext context)
    {
        var figures = new List<OverheadFigure>();
        foreach (var defense in Defenses)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            figures.Add(await MeasureAsync(context, defense));
        }
        return figures;
    }

    /// <summary>The configuration of each defense's runs, checked before any stage runs (a bad one fails with its key).</summary>
    public static void Check(SuiteContext context)
    {
        foreach (var defense in Defenses) Configure(context, defense);
    }

    /// <summary>The suite's configuration with this defense, the stage's rounds, the suite's clients and no attack.</summary>
    private static (Config Config, ExperimentSettings Settings) Configure(SuiteContext context, string defense) =>
        context.With($"fedtrust.defense = {defense}", $"fedtrust.rounds = {context.Sizes.OverheadRounds}",
            $"fedtrust.clients = {context.Sizes.Clients}", "fedtrust.attack.type = none");

    private static async Task<OverheadFigure> MeasureAsync(SuiteContext context, string defense)
    {
        var sizes = context.Sizes;
        var (config, settings) = Configure(context, defense);
        var data = sizes.OverheadTrainingImages is { } images ? DataSubset.FirstTraining(context.Dataset, images) : context.Dataset;
        using var train = new LabeledTensors(data.TrainImages, data.TrainLabels, data.Normalization);
        using var test = new LabeledTensors(data.TestImages, data.TestLabels, data.Normalization);
        var clients = SimulationHost.Clients(settings, train, data.TestLabels);
        using var bare = new BareTorchLoop(settings.Training, train, settings.Trainers);
        var reference = new BareRound(settings, clients, bare, test);

        var (bareRounds, actorRuns) = await Timing.AlternateAsync(sizes.OverheadRuns,
            () => Task.FromResult(reference.Run(sizes.OverheadRounds)),
            async () =>
            {
                var result = await SimulationHost.RunAsync(settings, config, data, onRound: null, context.Cancellation);
                return result.Rounds.Skip(1).Select(r => r.Seconds).ToList();
            },
            warmUp: false);
        var parts = bareRounds.SelectMany(r => r).ToList();
        return new OverheadFigure(defense, settings.Model, clients.Count, sizes.OverheadRuns, sizes.OverheadRounds,
            [.. actorRuns.SelectMany(r => r)],
            [.. parts.Select(p => p.Total)],
            Timing.Median(parts.Select(p => p.Train).ToList()),
            Timing.Median(parts.Select(p => p.Aggregate).ToList()),
            Timing.Median(parts.Select(p => p.Evaluate).ToList()));
    }

    /// <summary>The bare rounds of a run: train, screen and decide, evaluate, with the global model carried from round to round.</summary>
    private sealed class BareRound(ExperimentSettings settings, IReadOnlyList<ClientData> clients, BareTorchLoop bare, LabeledTensors test)
    {
        /// <summary>Runs <paramref name="rounds"/> rounds from the initial model; returns the parts' seconds of every round but the first.</summary>
        public List<RoundParts> Run(int rounds)
        {
            var global = ModelZoo.InitialWeights(settings.Model, settings.Seed);
            var parts = new List<RoundParts>();
            for (var round = 1; round <= rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var deltas = bare.Train(clients, global, round);
                var train = clock.Elapsed.TotalSeconds;
                global = Aggregate(global, deltas);
                var aggregate = clock.Elapsed.TotalSeconds - train;
                bare.Evaluate(global, test);
                if (round > 1) parts.Add(new RoundParts(train, aggregate, clock.Elapsed.TotalSeconds - train - aggregate));
            }
            return parts;
        }

        private float[] Aggregate(float[] global, float[][] deltas)
        {
            var updates = clients.Select((c, i) => new RoundUpdate(c.ClientId, deltas[i], c.TrainIndices.Length)).ToList();
            var defense = settings.Defense;
            var screening = RobustAggregation.Screen(updates, defense, settings.Krum.F);
            var trust = defense.Trust ? TrustRule.UpdateAll(new Dictionary<string, double>(), screening.Evidence, settings.Trust) : null;
            var decision = RobustAggregation.Decide(updates, screening, defense, settings.Krum, trust, settings.Trust);
            if (decision.Delta is not { } delta) return global;
            var next = new float[global.Length];
            for (var i = 0; i < next.Length; i++) next[i] = global[i] + delta[i];
            return next;
        }
    }

    private sealed record RoundParts(double Train, double Aggregate, double Evaluate)
    {
        public double Total => Train + Aggregate + Evaluate;
    }

    public static Table Table(IReadOnlyList<OverheadFigure> figures)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title("stage 2: a whole round through the actors vs its parts done bare (median of rounds 2 and later)")
            .AddColumns("defense", "model", "clients", "actors s", "bare s", "= train", "+ aggregate", "+ evaluate", "ratio");
        foreach (var f in figures)
        {
            table.AddRow(f.Defense, f.Model, Count(f.Clients), Seconds(f.ActorRoundSeconds), Seconds(f.ReferenceSeconds), Seconds(f.ReferenceTrainSeconds),
                Seconds(f.ReferenceAggregationSeconds), Seconds(f.ReferenceEvaluationSeconds), Ratio(f.Ratio));
        }
        if (figures.Count > 0)
            table.Caption($"{figures[0].Runs} runs of {figures[0].RoundsPerRun} rounds each, alternating with as many bare rounds; " +
                          "aggregate = Screen + Decide called directly; ratio = actors / bare (1.00 = no overhead)");
        return table;
    }
}

/// <summary>
/// One defense's round: the actors' rounds and the bare rounds (every counted one, and their medians), and the bare
/// round's parts (each a median on its own, so they need not add up to the median total).
/// </summary>
internal sealed record OverheadFigure(string Defense, string Model, int Clients, int Runs, int RoundsPerRun,
    IReadOnlyList<double> ActorRounds, IReadOnlyList<double> ReferenceRounds,
    double ReferenceTrainSeconds, double ReferenceAggregationSeconds, double ReferenceEvaluationSeconds)
{
    public double ActorRoundSeconds => Timing.Median(ActorRounds);
    public double ReferenceSeconds => Timing.Median(ReferenceRounds);

    /// <summary>Actors' round over the bare round: 1.0 = no overhead.</summary>
    public double Ratio => ActorRoundSeconds / ReferenceSeconds;
}
