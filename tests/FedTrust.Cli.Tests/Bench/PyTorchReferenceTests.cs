using System.Runtime.InteropServices;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Runs;
using FedTrust.Cli;
using FedTrust.Cli.Bench;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;

namespace FedTrust.Cli.Tests.Bench;

/// <summary>
/// The bench's PyTorch reference (scripts/pytorch_fedavg.py, fed a plan by <see cref="PyTorchPlan"/>) does FedTrust's
/// arithmetic: on a tiny synthetic case, two rounds of FedTrust's real path (actors, trainer pool, FedAvg) and of the
/// script in both of its shapes (one process; two processes sharing the weights and updates) end at the same global
/// weights to float tolerance and at the same accuracy every round. A wrong initialisation, split, sample or batch
/// order would move the weights by orders of magnitude more. Skipped, with the reason, where no python3 has torch
/// (CI need not install it); any BLAS will do here, since nothing is timed.
/// </summary>
public sealed class PyTorchReferenceTests : IDisposable
{
    private readonly TempFolder _temp = new("fedtrust-pytorch-reference-");

    public void Dispose() => _temp.Dispose();

    [TorchTheory]
    [InlineData("mlp", 2, 2)]
    [InlineData("cnn", 2, 2)]
    [InlineData("mlp", 4, 2)] // 2 of 4 clients sampled a round
    public async Task The_script_ends_a_tiny_run_at_FedTrusts_weights_and_accuracies(string model, int clients, int perRound)
    {
        var dataset = MnistDataset.Synthetic(trainCount: 200, testCount: 50, seed: 3);
        var dataDir = Path.Combine(_temp.Path, "data");
        Directory.CreateDirectory(dataDir);
        Idx.WriteImages(Path.Combine(dataDir, MnistFiles.TrainImages), 28, 28, dataset.TrainImages.Pixels);
        Idx.WriteLabels(Path.Combine(dataDir, MnistFiles.TrainLabels), dataset.TrainLabels);
        Idx.WriteImages(Path.Combine(dataDir, MnistFiles.TestImages), 28, 28, dataset.TestImages.Pixels);
        Idx.WriteLabels(Path.Combine(dataDir, MnistFiles.TestLabels), dataset.TestLabels);
        var config = FedTrustConfig.Parse(string.Join('\n',
            $"fedtrust.model = {model}", $"fedtrust.clients = {clients}", $"fedtrust.clients-per-round = {(perRound < clients ? perRound : "all")}",
            "fedtrust.rounds = 2", "fedtrust.defense = fedavg", "fedtrust.persistence.provider = memory", "fedtrust.seed = 7"), "test").WithFallback(FedTrustConfig.Defaults);
        var settings = HoconSettings.Read(config);

        // FedTrust: the real run, its global weights after the last round.
        float[]? ours = null;
        var result = await SimulationHost.RunAsync(settings, config, dataset, new RunOptions { Checkpoint = c => ours = c.GlobalWeights });
        Assert.NotNull(ours);
        var ourAccuracy = result.Rounds.Select(r => r.Metrics.Accuracy).ToList();

        // The plan, from the same settings; then the script in both shapes.
        var plan = Path.Combine(_temp.Path, "plan");
        using (var train = new LabeledTensors(dataset.TrainImages, dataset.TrainLabels, dataset.Normalization))
            PyTorchPlan.Write(plan, settings, SimulationHost.Clients(settings, train, dataset.TestLabels), dataDir);
        var script = TorchTheoryAttribute.Script!;
        var file = PyTorchScript.WriteTo(plan);
        foreach (var mode in new[] { "1x1", "2x1" })
        {
            var weightsFile = Path.Combine(_temp.Path, $"weights-{mode}.f32");
            var rounds = await script.RunAsync(file, plan, mode, CancellationToken.None, weightsFile);
            Assert.Equal([1, 2], rounds.Select(r => r.Round));
            Assert.Equal(ourAccuracy, rounds.Select(r => r.Accuracy));
            var theirs = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(weightsFile)).ToArray();
            Assert.Equal(ours!.Length, theirs.Length);
            var gap = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(gap < 1e-4, $"{mode}: the weights differ by up to {gap} (a different batch order or start differs by ~1e-2)");
            // Training moved them: the comparison is of the work, not of two copies of the initial weights.
            var start = ModelZoo.InitialWeights(model, settings.Seed);
            Assert.True(theirs.Zip(start, (a, b) => Math.Abs(a - b)).Max() > 1e-3, $"{mode}: the weights did not move");
        }
    }

    public static TheoryData<string[], string> UsageErrors => new()
    {
        { ["--pytorch-runs", "2"], "--pytorch-runs sets stage 5 of the stage suite; add --pytorch (stage 5 alone), --quick or --suite" },
        { ["--pytorch", "--pytorch-runs", "0"], "--pytorch-runs 0: expected a whole number of at least 1" },
        { ["--pytorch", "--pytorch-modes", "2x2"], "--pytorch-modes '2x2': '2x2' is not 1xT (one process of T threads) or Px1 (P processes of one thread)" },
        { ["--pytorch-modes", "2x1"], "--pytorch-modes sets stage 5 of the stage suite; add --pytorch (stage 5 alone), --quick or --suite" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task A_stage_5_usage_error_is_one_line_and_exit_2_before_anything_runs(string[] args, string expected)
    {
        var (code, output, error) = await CliRunner.Run(["bench", .. args]);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Equal($"error: {expected}", error.Trim());
        Assert.Equal("", output);
    }

    [Fact]
    public void The_script_ships_inside_fedtrust_dll_as_it_is_in_scripts()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "scripts", PyTorchScript.FileName)), PyTorchScript.Text());
    }
}

/// <summary>
/// A theory that runs only where a python3 with torch is found (<see cref="PyTorchScript.FindAsync"/>, any BLAS), and is
/// otherwise reported as skipped with the reason and how to install it.
/// </summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    private static readonly Lazy<(PyTorchScript? Script, string? Reason)> Found =
        new(() => PyTorchScript.FindAsync(CancellationToken.None, anyBlas: true).GetAwaiter().GetResult());

    internal static PyTorchScript? Script => Found.Value.Script;

    public TorchTheoryAttribute()
    {
        if (Found.Value.Script is null) Skip = Found.Value.Reason;
    }
}
