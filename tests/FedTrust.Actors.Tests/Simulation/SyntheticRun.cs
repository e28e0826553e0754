using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Tests.Simulation;

/// <summary>A small, fast, real simulation setup: a synthetic 28x28 dataset split among a few clients, real TorchSharp training.</summary>
internal sealed class SyntheticRun : IDisposable
{
    public SyntheticRun(int clients = 4, int rounds = 2, int trainPerClient = 60, params string[] sets)
    {
        var assignments = new[]
        {
            $"fedtrust.clients={clients}", $"fedtrust.rounds={rounds}", "fedtrust.trainers=2", "fedtrust.torch-threads=1",
            "fedtrust.batch-size=16", "fedtrust.seed=5",
        }.Concat(sets);
        Config = FedTrustConfig.Compose(assignments.Select(s => (FedTrustConfig.ParseAssignment(s), s)));
        Settings = HoconSettings.Read(Config);
        var data = MnistDataset.Synthetic(trainCount: clients * trainPerClient, testCount: clients * 20, seed: 5);
        Train = new LabeledTensors(data.TrainImages, data.TrainLabels);
        Test = new LabeledTensors(data.TestImages, data.TestLabels);
        Pool = new TrainerPool(Settings.Training, Settings.Trainers, Settings.TorchThreads);
        Workload = new TorchClientWorkload(Train, Test, Pool, Settings.Seed);
        Clients = SimulationHost.Clients(Settings, Train, data.TestLabels);
    }

    public Akka.Configuration.Config Config { get; }
    public ExperimentSettings Settings { get; }
    public LabeledTensors Train { get; }
    public LabeledTensors Test { get; }
    public TrainerPool Pool { get; }
    public IClientWorkload Workload { get; }
    public IReadOnlyList<ClientData> Clients { get; }

    public void Dispose()
    {
        Pool.Dispose();
        Train.Dispose();
        Test.Dispose();
    }
}

/// <summary>Wraps a workload and lets a test make one client's training throw or stall.</summary>
internal sealed class FaultyWorkload(IClientWorkload inner, Func<ClientData, int, int, bool> shouldThrow) : IClientWorkload
{
    private readonly Dictionary<(string, int), int> _attempts = [];

    public Func<ClientData, int, bool>? Stall { get; init; }

    /// <summary>Clients whose update is replaced by NaNs (a broken or malicious client the server must reject).</summary>
    public Func<ClientData, bool>? SendsNaN { get; init; }
    public ManualResetEventSlim Release { get; } = new(false);

    public int ParameterCount => inner.ParameterCount;

    public int Attempts(string client, int round)
    {
        lock (_attempts) return _attempts.GetValueOrDefault((client, round));
    }

    public LocalTrainingResult Train(ClientData client, int round, float[] globalWeights)
    {
        int attempt;
        lock (_attempts) attempt = _attempts[(client.ClientId, round)] = _attempts.GetValueOrDefault((client.ClientId, round)) + 1;
        if (shouldThrow(client, round, attempt))
            throw new InvalidOperationException($"injected failure: {client.ClientId} round {round} attempt {attempt}");
        if (Stall?.Invoke(client, round) == true) Release.Wait(TimeSpan.FromSeconds(30));
        var result = inner.Train(client, round, globalWeights);
        return SendsNaN?.Invoke(client) == true ? result with { Delta = Enumerable.Repeat(float.NaN, result.Delta.Length).ToArray() } : result;
    }

    public EvaluationResult EvaluateLocal(ClientData client, float[] weights) => inner.EvaluateLocal(client, weights);
    public EvaluationResult EvaluateGlobal(float[] weights) => inner.EvaluateGlobal(weights);
    public double AttackSuccessRate(float[] weights, int targetClass) => inner.AttackSuccessRate(weights, targetClass);
}
