using Akka.Actor;
using Akka.Configuration;
using FedTrust.Core;
using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;
using TorchSharp;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// Runs one simulation in this process: partitions the data, picks and poisons the malicious clients, builds the
/// trainer pool and the initial model, starts an actor system from the run's configuration, and returns when the
/// aggregator reports the end.
/// </summary>
public static class SimulationHost
{
    /// <summary>The dispatcher (a config path) that clients and the aggregator run on.</summary>
    public const string TrainingDispatcher = "fedtrust.training-dispatcher";

    /// <summary>Stream label of label-flip choices, apart from every other random stream.</summary>
    private const long LabelFlipStream = 4;

    public static async Task<SimulationResult> RunAsync(
        ExperimentSettings settings, Config config, MnistDataset dataset,
        Action<RoundResult>? onRound = null, CancellationToken cancellation = default)
    {
        using var train = new LabeledTensors(dataset.TrainImages, dataset.TrainLabels);
        using var test = new LabeledTensors(dataset.TestImages, dataset.TestLabels);
        torch.set_num_threads(settings.TorchThreads);
        using var pool = new TrainerPool(settings.Training, settings.Trainers);
        var workload = new TorchClientWorkload(train, test, pool, settings.Seed);
        return await RunAsync(settings, config, workload, Clients(settings, train, test.Count), onRound, cancellation);
    }

    /// <summary>Runs with a given workload and client set (tests use this to inject faults).</summary>
    public static async Task<SimulationResult> RunAsync(
        ExperimentSettings settings, Config config, IClientWorkload workload, IReadOnlyList<ClientData> clients,
        Action<RoundResult>? onRound = null, CancellationToken cancellation = default)
    {
        var plan = Plan(settings, workload, clients, onRound);
        var system = ActorSystem.Create("fedtrust", SystemConfig(settings, config));
        try
        {
            var completion = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var _ = cancellation.Register(() => completion.TrySetCanceled(cancellation));
            system.ActorOf(RunSupervisor.Props(plan, completion), "run");
            return WithGroundTruth(await completion.Task, clients);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Everything a run's actors need, with the initial weights built once from the seed.</summary>
    public static RunPlan Plan(ExperimentSettings settings, IClientWorkload workload, IReadOnlyList<ClientData> clients, Action<RoundResult>? onRound) =>
        new(settings, workload, clients, ModelZoo.InitialWeights(settings.Model, settings.Seed), onRound, RunId(settings));

    /// <summary>
    /// The run's clients: the paper's IID split (an equal, disjoint, seeded share of train and test each), the
    /// malicious ones chosen by the seed, and under label flipping their labels poisoned (paper eq. 3 and 8).
    /// </summary>
    public static IReadOnlyList<ClientData> Clients(ExperimentSettings settings, LabeledTensors train, int testCount)
    {
        var attack = settings.Attack;
        var malicious = MaliciousSelection.Choose(settings.Clients, attack.EffectiveMalicious, settings.Seed).ToHashSet();
        return Partitioner.Iid(train.Count, testCount, settings.Clients, settings.Seed)
            .Select(p =>
            {
                var data = ClientData.From(ExperimentSettings.ClientId(p.Client), p.Client, p.TrainIndices, p.TestIndices, train);
                if (!malicious.Contains(p.Client)) return data;
                if (attack.Kind != AttackKind.LabelFlip) return data with { Malicious = true };
                var poisoned = LabelFlip.Apply(data.TrainLabels, attack.Intensity, attack.LabelMapping,
                    DeterministicRandom.For(settings.Seed, LabelFlipStream, p.Client));
                return data with { TrainLabels = poisoned, Malicious = true };
            })
            .ToList();
    }

    /// <summary>The run's configuration with the training dispatcher sized to the trainer count.</summary>
    public static Config SystemConfig(ExperimentSettings settings, Config config) =>
        ConfigurationFactory.ParseString($"{TrainingDispatcher}.dedicated-thread-pool.thread-count = {settings.Trainers}")
            .WithFallback(config);

    /// <summary>
    /// Marks the malicious clients in the result and scores the last round's exclusions (updates received but not
    /// aggregated, or rejected) against them: TPR = excluded malicious / malicious, FPR = excluded honest / honest.
    /// </summary>
    private static SimulationResult WithGroundTruth(SimulationResult result, IReadOnlyList<ClientData> clients)
    {
        var malicious = clients.Where(c => c.Malicious).Select(c => c.ClientId).ToHashSet(StringComparer.Ordinal);
        var last = result.Rounds[^1];
        var excluded = last.Excluded.Concat(last.Rejected).ToHashSet(StringComparer.Ordinal);
        var honest = clients.Count - malicious.Count;
        var detection = new DetectionRates(
            malicious.Count == 0 ? 0 : (double)malicious.Count(excluded.Contains) / malicious.Count,
            honest == 0 ? 0 : (double)excluded.Count(id => !malicious.Contains(id)) / honest);
        return result with
        {
            Clients = result.Clients.Select(c => c with { Malicious = malicious.Contains(c.Id) }).ToList(),
            Detection = detection,
        };
    }

    private static string RunId(ExperimentSettings settings) =>
        $"{DateTime.UtcNow:yyyyMMddHHmmss}-{settings.Seed}-{Guid.NewGuid():N}"[..40];
}
