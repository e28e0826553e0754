using Akka.Actor;
using Akka.Configuration;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;
using TorchSharp;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// Runs one simulation in this process: partitions the data, builds the trainer pool and the initial model,
/// starts an actor system from the run's configuration, and returns when the aggregator reports the end.
/// </summary>
public static class SimulationHost
{
    /// <summary>The dispatcher (a config path) that clients and the aggregator run on.</summary>
    public const string TrainingDispatcher = "fedtrust.training-dispatcher";

    public static async Task<SimulationResult> RunAsync(
        ExperimentSettings settings, Config config, MnistDataset dataset,
        Action<RoundResult>? onRound = null, CancellationToken cancellation = default)
    {
        using var train = new LabeledTensors(dataset.TrainImages, dataset.TrainLabels);
        using var test = new LabeledTensors(dataset.TestImages, dataset.TestLabels);
        torch.set_num_threads(settings.TorchThreads);
        using var pool = new TrainerPool(settings.Training, settings.Trainers);
        var workload = new TorchClientWorkload(train, test, pool, settings.Seed);
        return await RunAsync(settings, config, workload, Partition(settings, train, test.Count), onRound, cancellation);
    }

    /// <summary>Runs with a given workload and client set (tests use this to inject faults).</summary>
    public static async Task<SimulationResult> RunAsync(
        ExperimentSettings settings, Config config, IClientWorkload workload, IReadOnlyList<ClientData> clients,
        Action<RoundResult>? onRound = null, CancellationToken cancellation = default)
    {
        var initial = ModelZoo.InitialWeights(settings.Model, settings.Seed);
        var plan = new RunPlan(settings, workload, clients, initial, onRound);
        var system = ActorSystem.Create("fedtrust", SystemConfig(settings, config));
        try
        {
            var completion = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var _ = cancellation.Register(() => completion.TrySetCanceled(cancellation));
            system.ActorOf(RunSupervisor.Props(plan, completion), "run");
            return await completion.Task;
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>The IID split of the paper: every client gets an equal, disjoint, seeded share of train and test.</summary>
    public static IReadOnlyList<ClientData> Partition(ExperimentSettings settings, LabeledTensors train, int testCount) =>
        Partitioner.Iid(train.Count, testCount, settings.Clients, settings.Seed)
            .Select(p => ClientData.From(ExperimentSettings.ClientId(p.Client), p.Client, p.TrainIndices, p.TestIndices, train))
            .ToList();

    /// <summary>The run's configuration with the training dispatcher sized to the trainer count.</summary>
    public static Config SystemConfig(ExperimentSettings settings, Config config) =>
        ConfigurationFactory.ParseString($"{TrainingDispatcher}.dedicated-thread-pool.thread-count = {settings.Trainers}")
            .WithFallback(config);
}
