using Akka.Actor;
using Akka.Configuration;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Runs;

/// <summary>
/// What a run is made of, prepared before the actor system starts: the settings, the workload, the clients, the
/// initial weights (the checkpoint's when resuming, else built once from the seed), the run id in force, and how the
/// run is hosted (<see cref="Options"/>, as the host was given them).
/// </summary>
/// <param name="RunId">The run's id: the checkpoint's when resuming, else <see cref="RunOptions.RunId"/>, else a new one.</param>
public sealed record RunPlan(
    ExperimentSettings Settings,
    IClientWorkload Workload,
    IReadOnlyList<ClientData> Clients,
    float[] InitialWeights,
    string RunId,
    RunOptions Options,
    string Dispatcher = RunPlan.TrainingDispatcher)
{
    /// <summary>The dispatcher (a config path) that clients and the aggregator run on.</summary>
    public const string TrainingDispatcher = "fedtrust.training-dispatcher";

    /// <summary>A cluster run: the shard region (proxy) through which the clients on the worker nodes are reached; null for a local run.</summary>
    public IActorRef? ClientRegion { get; init; }

    /// <summary>The run's configuration with the training dispatcher sized to the trainer count.</summary>
    public static Config SystemConfig(ExperimentSettings settings, Config config) =>
        ConfigurationFactory.ParseString($"{TrainingDispatcher}.dedicated-thread-pool.thread-count = {settings.Trainers}")
            .WithFallback(config);
}
