using System.Diagnostics;
using System.Text.Json;
using FedTrust.Cli;
using FedTrust.Core.Privacy;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// Central DP-FedAvg end to end on the real MNIST: 40 clients, 10 expected per round (Poisson, q = 0.25). The run
/// spends its target ε over the planned rounds, as the accountant composes it; a budget ends the run cleanly with a
/// valid result.json; a run SIGKILLed mid-way and resumed spends and reaches exactly what an uninterrupted one does;
/// and combinations without a guarantee are refused.
/// </summary>
public class CentralDpCliTests : IDisposable
{
    private const int Rounds = 6;
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-central-dp-").FullName;

    private static readonly string[] Central =
    [
        "--clients", "40",
        "--set", "fedtrust.clients-per-round=10", "--set", "fedtrust.sampling=poisson",
        "--set", "fedtrust.defense=trust+dp", "--set", "fedtrust.dp.mode=central", "--set", "fedtrust.dp.target-epsilon=4",
        "--set", "fedtrust.dp.clip=1", "--set", "fedtrust.attack.type=sign-flip", "--set", "fedtrust.attack.malicious=4",
    ];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<JsonElement> RunOk(string name, int rounds = Rounds, params string[] extra)
    {
        var dir = Path.Combine(_root, name);
        var (code, output, error) = await Run(["run", "--out", dir, "--rounds", $"{rounds}", .. Central, .. extra]);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        return doc.RootElement.Clone();
    }

    private static List<double> Epsilons(JsonElement result) =>
        result.GetProperty("rounds").EnumerateArray().Select(r => r.GetProperty("epsilon").GetDouble()).ToList();

    [Fact]
    public async Task The_planned_rounds_spend_the_target_epsilon_as_the_subsampled_gaussian_accountant_composes_it()
    {
        var result = await RunOk("target");
        var privacy = result.GetProperty("privacy");
        Assert.Equal("central", privacy.GetProperty("mode").GetString());
        Assert.Equal(0.25, privacy.GetProperty("samplingRate").GetDouble());
        Assert.Equal(10, privacy.GetProperty("denominator").GetDouble());
        Assert.Equal(1, privacy.GetProperty("sensitivityMultiplier").GetInt32());
        var z = privacy.GetProperty("noiseMultiplier").GetDouble();
        Assert.True(z > 0.5, $"z = {z}");

        // Each round's ε is the accountant's after that many steps of (z, q); the last is the target, from below.
        var accountant = new RdpAccountant();
        foreach (var epsilon in Epsilons(result))
        {
            accountant.Step(z, 0.25);
            Assert.Equal(accountant.Epsilon(1e-5), epsilon, 9);
        }
        Assert.InRange(privacy.GetProperty("epsilon").GetDouble(), 4 * 0.99, 4.0);
        Assert.Equal(Rounds, privacy.GetProperty("rounds").GetInt32());
        Assert.False(result.TryGetProperty("stopped", out _));
    }

    [Fact]
    public async Task A_budget_ends_the_run_before_the_round_that_would_exceed_it_with_a_valid_result()
    {
        var dir = Path.Combine(_root, "budget");
        var (code, output, error) = await Run(["run", "--out", dir, "--rounds", $"{Rounds}", .. Central, "--set", "fedtrust.dp.max-epsilon=2.5"]);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var result = doc.RootElement;
        var epsilons = Epsilons(result);
        var stopped = result.GetProperty("stopped");
        Assert.Equal(epsilons.Count, stopped.GetProperty("round").GetInt32());
        Assert.InRange(epsilons.Count, 1, Rounds - 1);
        Assert.True(epsilons[^1] <= 2.5, $"spent {epsilons[^1]}");
        var reason = stopped.GetProperty("reason").GetString()!;
        Assert.Contains($"round {epsilons.Count + 1} would take ε", reason);
        Assert.Contains("fedtrust.dp.max-epsilon = 2.5", reason);
        Assert.Contains("stopped: privacy budget", output);

        // The next round really would have gone over: one more step of the same mechanism.
        var z = result.GetProperty("privacy").GetProperty("noiseMultiplier").GetDouble();
        var accountant = new RdpAccountant();
        for (var r = 0; r <= epsilons.Count; r++) accountant.Step(z, 0.25);
        Assert.True(accountant.Epsilon(1e-5) > 2.5);
    }

    [Fact]
    public async Task A_run_killed_mid_way_and_resumed_ends_at_the_same_epsilon_and_metrics_as_an_uninterrupted_one()
    {
        string[] budget = ["--rounds", $"{Rounds}", "--set", "fedtrust.dp.max-epsilon=3.5", "--set", "fedtrust.dp.adaptive-clip.enabled=on",
            "--set", "fedtrust.dp.adaptive-clip.count-noise=5"];
        var killedDir = Path.Combine(_root, "killed");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "fedtrust.dll"), "run", "--out", killedDir }.Concat(Central).Concat(budget))
            start.ArgumentList.Add(arg);
        using (var child = Process.Start(start)!)
        {
            _ = child.StandardError.ReadToEndAsync();
            string? line;
            while ((line = await child.StandardOutput.ReadLineAsync()) is not null && !line.Contains($"round 2/{Rounds}")) { }
            Assert.NotNull(line);
            child.Kill(); // SIGKILL
            await child.WaitForExitAsync();
        }
        Assert.False(File.Exists(Path.Combine(killedDir, "result.json")));
        var (code, output, error) = await Run(["run", "--out", killedDir, "--resume", .. Central, .. budget]);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        using var resumedDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(killedDir, "result.json")));
        var resumed = resumedDoc.RootElement;

        var clean = await RunOk("clean", Rounds, budget[2..]);
        Assert.Equal(Epsilons(clean), Epsilons(resumed));
        Assert.Equal(clean.GetProperty("privacy").ToString(), resumed.GetProperty("privacy").ToString());
        Assert.Equal(clean.GetProperty("stopped").ToString(), resumed.GetProperty("stopped").ToString());
        Assert.Equal(clean.GetProperty("final").ToString(), resumed.GetProperty("final").ToString());
        string RoundsOf(JsonElement r) => string.Join(";", r.GetProperty("rounds").EnumerateArray()
            .Select(x => $"{x.GetProperty("accuracy")},{x.GetProperty("loss")},{x.GetProperty("excluded")},{x.GetProperty("trust")}"));
        Assert.Equal(RoundsOf(clean), RoundsOf(resumed));
        // Adaptive clipping moved C, and the resumed run continued from the checkpoint's C.
        Assert.NotEqual(1.0, clean.GetProperty("privacy").GetProperty("clipNorm").GetDouble());
    }

    [Fact]
    public async Task Clipping_on_the_client_or_on_the_server_releases_the_same_model_and_clipping_alone_learns()
    {
        string[] noNoise = ["--set", "fedtrust.dp.target-epsilon=inf"];
        var client = await RunOk("clip-client", 3, noNoise);
        var server = await RunOk("clip-server", 3, [.. noNoise, "--set", "fedtrust.dp.clip-at=server"]);
        Assert.Equal(client.GetProperty("final").ToString(), server.GetProperty("final").ToString());
        Assert.Equal(0, client.GetProperty("privacy").GetProperty("noiseMultiplier").GetDouble());
        // Without noise ε is infinite: result.json leaves it out (JSON has no ∞), per round and in total.
        Assert.False(client.GetProperty("rounds")[0].TryGetProperty("epsilon", out _));
        Assert.False(client.GetProperty("privacy").TryGetProperty("epsilon", out _));
        // Clipped updates over the fixed denominator (no noise) still learn: 10 clients a round, 3 rounds.
        Assert.True(client.GetProperty("final").GetProperty("accuracy").GetDouble() > 0.8, client.GetProperty("final").ToString());
    }

    [Theory]
    [InlineData("fedtrust.sampling=fixed", "fedtrust.sampling = fixed: central DP's accountant composes Poisson sampling")]
    [InlineData("fedtrust.defense=median+dp", "fedtrust.defense = 'median+dp' with fedtrust.dp.mode = central: a coordinate-wise order statistic")]
    [InlineData("fedtrust.defense=geometric-median+trust+dp", "the geometric median moves with every update's position")]
    [InlineData("fedtrust.dp.noise-multiplier=1.1", "fedtrust.dp.noise-multiplier = '1.1': expected 'auto' when fedtrust.dp.target-epsilon is set")]
    [InlineData("fedtrust.dp.max-epsilon=0.01", "fedtrust.dp.max-epsilon = 0.01: a single round already spends ε =")]
    [InlineData("fedtrust.dp.mode=global", "fedtrust.dp.mode = 'global': expected one of local, central")]
    [InlineData("fedtrust.dp.adaptive-clip.enabled=on;fedtrust.dp.adaptive-clip.target-quantile=1", "fedtrust.dp.adaptive-clip.target-quantile = '1'")]
    [InlineData("fedtrust.dp.adaptive-clip.enabled=on", "fedtrust.dp.adaptive-clip.count-noise: adaptive clipping needs z < 2σ_b")]
    [InlineData("fedtrust.dp.clip-at=nowhere", "fedtrust.dp.clip-at = 'nowhere': expected one of client, server")]
    [InlineData("fedtrust.dp.target-epsilon=0.001", "fedtrust.dp.target-epsilon = 0.001: ")]
    public async Task Combinations_without_a_guarantee_and_bad_values_are_refused_with_one_line(string settings, string message)
    {
        var (code, _, error) = await Run(["run", "--out", Path.Combine(_root, "refused"), "--rounds", $"{Rounds}", .. Central,
            .. settings.Split(';').SelectMany(s => new[] { "--set", s })]);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(_root, "refused")) && File.Exists(Path.Combine(_root, "refused", "result.json")));
    }
}
