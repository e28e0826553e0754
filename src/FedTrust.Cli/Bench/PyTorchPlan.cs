using System.Runtime.InteropServices;
using System.Text.Json;
using FedTrust.Core;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;

namespace FedTrust.Cli.Bench;

/// <summary>
/// The experiment of a FedTrust run written down for scripts/pytorch_fedavg.py, so that the PyTorch loop does the very
/// same work: plan.json (model and parameter shapes, local epochs, batch size, learning rate, momentum, evaluation
/// batch size, the IDX files and their normalisation, and per round the sampled clients with their sample counts),
/// weights.f32 (the run's initial weights, <see cref="ModelZoo.InitialWeights"/>, float32 in parameter order) and
/// order.i32 (per round, per sampled client, per epoch: the training-set indices in the order its batches take them).
/// The clients are the run's (<see cref="Actors.Hosting.SimulationHost.Clients"/>), the sample is the server's
/// (<see cref="ClientSampler.Draw"/> over the clients in id order) and the batch order is the trainer's: per epoch the
/// client's positions 0..n−1 shuffled by <see cref="TorchClientWorkload.BatchOrderRandom"/> (LocalTrainer.Train).
/// Only for models without dropout (mlp, cnn): cnn-large's masks come from libtorch's generator.
/// </summary>
internal static class PyTorchPlan
{
    public const string FileName = "plan.json";

    /// <summary>The models the reference script has, in the order the stage runs them.</summary>
    public static readonly IReadOnlyList<string> Models = ["mlp", "cnn"];

    public static void Write(string folder, ExperimentSettings settings, IReadOnlyList<ClientData> clients, string dataDir)
    {
        if (!Models.Contains(settings.Model))
            throw new ArgumentException($"model '{settings.Model}': the PyTorch reference has {string.Join(", ", Models)} (cnn-large's dropout masks cannot be replayed)");
        if (clients.Any(c => c.Triggered is not null || c.Malicious))
            throw new ArgumentException("the PyTorch reference replays honest clients only (fedtrust.attack.type = none)");
        Directory.CreateDirectory(folder);
        var weights = ModelZoo.InitialWeights(settings.Model, settings.Seed);
        File.WriteAllBytes(Path.Combine(folder, "weights.f32"), MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());

        var byId = clients.ToDictionary(c => c.ClientId, StringComparer.Ordinal);
        var ids = clients.Select(c => c.ClientId).Order(ClientIdComparer.Instance).ToList();
        var rounds = new List<object>();
        long offset = 0;
        using (var order = new BinaryWriter(File.Create(Path.Combine(folder, "order.i32"))))
        {
            for (var round = 1; round <= settings.Rounds; round++)
            {
                var sampled = ClientSampler.Draw(ids, settings.Sampling, clients.Count, settings.Seed, round);
                var entries = new List<object>();
                foreach (var id in sampled)
                {
                    var client = byId[id];
                    var n = client.TrainIndices.Length;
                    entries.Add(new { id, samples = n, offset });
                    var random = TorchClientWorkload.BatchOrderRandom(settings.Seed, round, client.Index);
                    var positions = new int[n];
                    for (var epoch = 0; epoch < settings.LocalEpochs; epoch++)
                    {
                        for (var i = 0; i < n; i++) positions[i] = i;
                        random.Shuffle(positions.AsSpan());
                        foreach (var p in positions) order.Write(client.TrainIndices[p]);
                    }
                    offset += (long)n * settings.LocalEpochs;
                }
                rounds.Add(new { round, clients = entries });
            }
        }

        using var model = ModelZoo.Create(settings.Model);
        var training = settings.Training;
        var normalization = settings.Data.Dataset.Normalization;
        var plan = new
        {
            format = 1,
            model = settings.Model,
            parameters = model.named_parameters().Select(p => new { name = p.name, shape = p.parameter.shape }).ToList(),
            localEpochs = training.LocalEpochs,
            batchSize = training.BatchSize,
            learningRate = training.LearningRate,
            momentum = training.Momentum,
            evalBatchSize = training.EvalBatchSize,
            data = new
            {
                trainImages = Path.Combine(dataDir, MnistFiles.TrainImages),
                trainLabels = Path.Combine(dataDir, MnistFiles.TrainLabels),
                testImages = Path.Combine(dataDir, MnistFiles.TestImages),
                testLabels = Path.Combine(dataDir, MnistFiles.TestLabels),
                mean = (double)normalization.Mean,
                std = (double)normalization.Std,
            },
            weights = "weights.f32",
            order = "order.i32",
            rounds,
        };
        File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(plan, new JsonSerializerOptions { WriteIndented = true }));
    }
}
