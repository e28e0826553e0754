using Akka.Actor;
using Akka.Configuration;
using FedTrust.Actors.Cluster;
using FedTrust.Actors.Runs;
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
    public static Task<SimulationResult> RunAsync(
        ExperimentSettings settings, Config config, MnistDataset dataset,
        Action<RoundResult>? onRound = null, CancellationToken cancellation = default) =>
        RunAsync(settings, config, dataset, new RunOptions { OnRound = onRound }, cancellation);

    public static async Task<SimulationResult> RunAsync(
        ExperimentSettings settings, Config config, MnistDataset dataset, RunOptions options, CancellationToken cancellation = default)
    {
        using var train = new LabeledTensors(dataset.TrainImages, dataset.TrainLabels, dataset.Normalization);
        using var test = new LabeledTensors(dataset.TestImages, dataset.TestLabels, dataset.Normalization);
        torch.set_num_threads(settings.TorchThreads);
        using var pool = new TrainerPool(settings.Training, settings.Trainers, settings.TorchThreads);
        var workload = new TorchClientWorkload(train, test, pool, settings.Seed);
        var roster = new ClientRoster(settings, train, dataset.TestLabels);
        // A cluster server compares every worker's data with its own (NodeFingerprint).
        var data = settings.Cluster.Enabled ? NodeFingerprint.Data(dataset) : null;
        return await RunAsync(settings, config, workload, roster.All(), options with { Root = roster.Root, DataFingerprint = data }, cancellation);
    }

    /// <summary>
    /// What a worker node of a cluster run builds from its own copy of the data set: the shared tensors, its own trainer
    /// pool, and the roster from which it builds the clients sharding places on it.
    /// </summary>
    public static WorkerRuntime WorkerRuntime(ExperimentSettings settings, MnistDataset dataset)
    {
        var train = new LabeledTensors(dataset.TrainImages, dataset.TrainLabels, dataset.Normalization);
        var test = new LabeledTensors(dataset.TestImages, dataset.TestLabels, dataset.Normalization);
        torch.set_num_threads(settings.TorchThreads);
        var pool = new TrainerPool(settings.Training, settings.Trainers, settings.TorchThreads);
        return new WorkerRuntime(new TorchClientWorkload(train, test, pool, settings.Seed), new ClientRoster(settings, train, dataset.TestLabels),
            new Disposables(pool, train, test)) { Data = NodeFingerprint.Data(dataset) };
    }

    /// <summary>Disposes its parts in order (the trainer pool before the tensors its trainers read).</summary>
    private sealed class Disposables(params IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts) part.Dispose();
        }
    }

    /// <summary>Runs with a given workload and client set (tests use this to inject faults).</summary>
    public static Task<SimulationResult> RunAsync(
        ExperimentSettings settings, Config config, IClientWorkload workload, IReadOnlyList<ClientData> clients,
        Action<RoundResult>? onRound = null, CancellationToken cancellation = default) =>
        RunAsync(settings, config, workload, clients, new RunOptions { OnRound = onRound }, cancellation);

    public static async Task<SimulationResult> RunAsync(
        ExperimentSettings settings, Config config, IClientWorkload workload, IReadOnlyList<ClientData> clients,
        RunOptions options, CancellationToken cancellation = default)
    {
        if (settings.Cluster.Enabled) return await ClusterHost.RunServerAsync(settings, config, workload, clients, options, cancellation);
        var plan = Plan(settings, workload, clients, options);
        var system = ActorSystem.Create("fedtrust", RunPlan.SystemConfig(settings, config));
        try
        {
            return await Run(system, plan, cancellation);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Runs <paramref name="plan"/> in <paramref name="system"/> (local, or a cluster's server node) and returns its result.</summary>
    internal static async Task<SimulationResult> Run(ActorSystem system, RunPlan plan, CancellationToken cancellation)
    {
        var completion = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var _ = cancellation.Register(() => completion.TrySetCanceled(cancellation));
        system.ActorOf(RunSupervisor.Props(plan, completion), "run");
        return WithGroundTruth(await completion.Task, plan.Clients) with { RunId = plan.RunId };
    }

    /// <summary>Everything a run's actors need, with the initial weights built once from the seed.</summary>
    public static RunPlan Plan(ExperimentSettings settings, IClientWorkload workload, IReadOnlyList<ClientData> clients, Action<RoundResult>? onRound) =>
        Plan(settings, workload, clients, new RunOptions { OnRound = onRound });

    public static RunPlan Plan(ExperimentSettings settings, IClientWorkload workload, IReadOnlyList<ClientData> clients, RunOptions options) =>
        new(settings, workload, clients, options.ResumeFrom?.GlobalWeights ?? ModelZoo.InitialWeights(settings.Model, settings.Seed),
            options.ResumeFrom?.RunId ?? options.RunId ?? NewRunId(settings), options);

    /// <summary>The run's clients (see <see cref="ClientRoster"/>).</summary>
    public static IReadOnlyList<ClientData> Clients(ExperimentSettings settings, LabeledTensors train, byte[] testLabels) =>
        new ClientRoster(settings, train, testLabels).All();

    /// <summary>
    /// Marks the malicious clients in the result and scores the last round's exclusions (updates received but not
    /// aggregated, or rejected) against them: TPR = excluded malicious / malicious, FPR = excluded honest / honest.
    /// </summary>
    private static SimulationResult WithGroundTruth(SimulationResult result, IReadOnlyList<ClientData> clients)
    {
        var malicious = clients.Where(c => c.Malicious).Select(c => c.ClientId).ToHashSet(StringComparer.Ordinal);
        var classes = clients.Where(c => c.Classes is not null).ToDictionary(c => c.ClientId, c => (IReadOnlyList<int>)c.Classes!, StringComparer.Ordinal);
        // A run that failed in its first round (fedtrust.krum.short-rounds = fail) has no round to score.
        var last = result.Rounds.Count > 0 ? result.Rounds[^1] : null;
        var excluded = last is null ? [] : last.Excluded.Concat(last.Rejected).ToHashSet(StringComparer.Ordinal);
        var honest = clients.Count - malicious.Count;
        var detection = new DetectionRates(
            malicious.Count == 0 ? 0 : (double)malicious.Count(excluded.Contains) / malicious.Count,
            honest == 0 ? 0 : (double)excluded.Count(id => !malicious.Contains(id)) / honest);
        return result with
        {
            Clients = result.Clients.Select(c => c with { Malicious = malicious.Contains(c.Id), Classes = classes.GetValueOrDefault(c.Id) }).ToList(),
            Detection = last is null ? null : detection,
        };
    }

    /// <summary>A new run id: UTC time, seed and a random suffix (the ledger's persistence id is trust-ledger-&lt;runId&gt;).</summary>
    public static string NewRunId(ExperimentSettings settings) =>
        $"{DateTime.UtcNow:yyyyMMddHHmmss}-{settings.Seed}-{Guid.NewGuid():N}"[..40];
}
