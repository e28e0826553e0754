using System.Text.Json;
using FedTrust.Actors.Configuration;
using FedTrust.Cli;
using FedTrust.Cli.Bench;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using Spectre.Console;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// The stage suite of <c>fedtrust bench</c> (--quick, --suite, --json FILE): at the tests' size (the hidden --tiny)
/// it runs every stage and writes every headline figure, or names it under <c>missing</c> with the reason; its usage
/// errors are one line and exit 2 before anything runs or is written. Timings are never asserted (the machines are
/// noisy): only that each figure is there, finite, positive, and consistent with the detail it comes from.
/// </summary>
public sealed class BenchSuiteTests : IDisposable
{
    private readonly TempFolder _temp = new("fedtrust-bench-suite-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_suite_writes_every_headline_figure_or_the_reason_it_is_missing()
    {
        var file = Path.Combine(_temp.Path, "figures", "suite.json"); // its folder does not exist yet
        var started = DateTime.UtcNow;
        var (code, output, error) = await CliRunner.Run("bench", "--tiny", "--json", file);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");

        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var root = document.RootElement;
        Assert.Equal("tiny", root.GetProperty("suite").GetString());
        Assert.Contains("ours / reference", root.GetProperty("ratios").GetString());
        var missing = root.GetProperty("missing").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        foreach (var key in SuiteReport.RequiredKeys)
        {
            var present = root.TryGetProperty(key, out var value);
            Assert.True(present != missing.ContainsKey(key), $"{key} must be either a figure or missing, not {(present ? "both" : "neither")}");
            if (present) Assert.True(value.GetDouble() is var v && double.IsFinite(v) && v > 0, $"{key} = {value}");
            else Assert.False(string.IsNullOrWhiteSpace(missing[key]), $"{key} is missing without a reason");
        }
        // What the tests' size measures, and why the rest is missing.
        foreach (var key in new[] { "actorOverheadRatio", "trainRatioMlp", "trainRatioCnn" }) Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(ModelZoo.Names.Contains("cnn-large"), root.TryGetProperty("trainRatioCnnLarge", out _));
        if (!ModelZoo.Names.Contains("cnn-large")) Assert.StartsWith("model cnn-large is not in this build", missing["trainRatioCnnLarge"]);
        Assert.Equal("skipped at the tests' size", missing["krumSeconds_n100_d1200000"]);
        Assert.Equal("1000 clients are not run at this size", missing["peakRssBytes_1000clients"]);

        // Each headline is its stage's detail: training ratio = actors / bare for the same samples, one entry per model.
        var training = root.GetProperty("training").EnumerateArray().ToList();
        Assert.Equal(ModelZoo.Names, training.Select(t => t.GetProperty("model").GetString()!));
        foreach (var t in training)
        {
            Assert.Equal(1_000, t.GetProperty("samples").GetInt64()); // 10 clients × 100 images, one epoch
            // One timed repetition at this size (after a warm-up): its run is the median.
            Assert.Equal(t.GetProperty("actorSeconds").GetDouble(), Assert.Single(t.GetProperty("actorRuns").EnumerateArray()).GetDouble());
            Assert.Equal(t.GetProperty("referenceSeconds").GetDouble(), Assert.Single(t.GetProperty("referenceRuns").EnumerateArray()).GetDouble());
            Assert.Equal(t.GetProperty("actorSeconds").GetDouble() / t.GetProperty("referenceSeconds").GetDouble(), t.GetProperty("ratio").GetDouble(), 9);
            Assert.Equal(t.GetProperty("ratio").GetDouble(), root.GetProperty(SuiteReport.TrainRatioKey(t.GetProperty("model").GetString()!)).GetDouble());
        }
        var overhead = root.GetProperty("overhead").EnumerateArray().ToList();
        Assert.Equal(new[] { "fedavg", "krum" }, overhead.Select(o => o.GetProperty("defense").GetString()!));
        Assert.Equal(overhead[0].GetProperty("actorRoundSeconds").GetDouble() / overhead[0].GetProperty("referenceSeconds").GetDouble(),
            root.GetProperty("actorOverheadRatio").GetDouble(), 9);
        Assert.All(overhead, o => Assert.True(o.GetProperty("referenceTrainSeconds").GetDouble() > 0 && o.GetProperty("referenceEvaluationSeconds").GetDouble() > 0));
        var aggregation = root.GetProperty("aggregation").EnumerateArray().ToList();
        Assert.Equal(AggregationStage.Defenses, aggregation.Select(a => a.GetProperty("defense").GetString()!));
        Assert.All(aggregation, a => Assert.True(a.GetProperty("n").GetInt32() == 10 && a.GetProperty("d").GetInt32() == 159_010 && a.GetProperty("seconds").GetDouble() > 0));
        var scale = Assert.Single(root.GetProperty("scale").EnumerateArray());
        Assert.Equal(10, scale.GetProperty("clients").GetInt32());
        Assert.Equal(60_000, scale.GetProperty("trainedSamplesPerRound").GetDouble()); // 10 clients of 6,000 images each train every round
        Assert.True(scale.GetProperty("peakRssBytes").GetInt64() > 50L << 20);
        Assert.Equal(scale.GetProperty("peakRssBytes").GetInt64(), root.GetProperty("peakRssBytes_10clients").GetInt64());
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("machine").GetProperty("cores").GetInt32());

        // Printed: a table per stage, the summary, and where the figures went.
        foreach (var title in new[] { "stage 1: local training", "stage 2: a whole round", "stage 3: the server's side", "stage 4: clients", "summary" })
            Assert.Contains(title, output);
        Assert.Contains($"{root.GetProperty("actorOverheadRatio").GetDouble():F3}", output);
        Assert.Contains($"wrote {file}", output);
        // No failure (a client that libtorch failed once is restarted and retried by design, with one "akka:" line).
        Assert.DoesNotContain(error.Split('\n'), line => line.StartsWith("error: ", StringComparison.Ordinal));
        // The scale stage's child run wrote into a temporary folder of its own, deleted afterwards.
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "fedtrust-bench-scale-*"), d => Directory.GetCreationTimeUtc(d) >= started);
    }

    [Fact]
    public async Task Scale_samples_a_hundred_of_a_thousand_clients_or_says_which_key_it_needs()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()) });
        var config = FedTrustConfig.Defaults;
        var context = new SuiteContext(config, HoconSettings.Read(config), MnistDataset.Synthetic(10, 10, 1), DatasetCatalog.Mnist.DefaultCacheDir(),
            SuiteSizes.Tiny with { ScaleClients = [1_000] }, console, [], CancellationToken.None);
        var result = await ScaleStage.RunAsync(context);
        if (FedTrustConfig.Defaults.HasPath(ScaleStage.ClientsPerRoundKey))
        {
            // The key exists: the run samples 100 of its 1,000 clients (60 images each) every round.
            Assert.Empty(result.Skipped);
            var figure = Assert.Single(result.Figures);
            Assert.Equal(100, figure.ClientsPerRound);
            Assert.Equal(6_000, figure.TrainedSamplesPerRound);
        }
        else
        {
            // Without it, nothing runs: the stage says what it would need.
            Assert.Empty(result.Figures);
            var skip = Assert.Single(result.Skipped);
            Assert.Equal("needs fedtrust.clients-per-round to train 100 of 1000 clients a round; this build has no such key", skip.Reason);
        }
    }

    public static TheoryData<string[], string> UsageErrors => new()
    {
        { ["--json"], "option '--json' needs a value; see 'fedtrust bench --help'" },
        { ["--json", "--quick"], "option '--json' needs a value, but is followed by the option '--quick'; see 'fedtrust bench --help'" },
        { ["--quick", "--suite"], "--quick and --suite are two sizes of the stage suite; give one of them" },
        { ["--json", "{dir}/suite.json", "--out", "{dir}/out"],
            "--out writes the plain bench's bench.json and result.json; the stage suite (--quick, --suite, --json) writes its figures with --json FILE" },
        { ["--quick", "--rounds", "3"], "--rounds sets the plain bench's run; the stage suite (--quick, --suite, --json) chooses the rounds and clients of each stage" },
        { ["--suite", "--clients", "100"], "--clients sets the plain bench's run; the stage suite (--quick, --suite, --json) chooses the rounds and clients of each stage" },
        { ["--json", "{dir}/old.json"], "--json {dir}/old.json: the file exists; choose another FILE, or add --overwrite to replace it" },
        { ["--json", "{dir}"], "--json {dir}: is a folder, not a file" },
        { ["--json", "{dir}/old.json/suite.json"], "--json {dir}/old.json/suite.json: {dir}/old.json is a file, not a folder" },
        // The stages' configurations are checked before the first stage runs: stage 2 times krum with 10 clients.
        { ["--tiny", "--set", "fedtrust.krum.f=4"],
            "fedtrust.krum.f = 4: defense 'krum' uses Krum, which needs fedtrust.clients > 2f + 2 (clients = 10); lower fedtrust.krum.f (it defaults to fedtrust.attack.malicious) or add clients" },
        { ["--quick", "--set", "fedtrust.mode=cluster"],
            "fedtrust.mode = cluster: `fedtrust bench` runs in one process; a run spread over a cluster is `fedtrust run --cluster` (see scripts/README.md, \"Running on a cluster\")" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task A_suite_usage_error_is_one_line_and_exit_2_before_anything_is_written(string[] args, string expected)
    {
        var old = _temp.Write("old.json", "{\"earlier\": true}\n");
        var (code, output, error) = await CliRunner.Run(["bench", .. args.Select(a => a.Replace("{dir}", _temp.Path))]);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Equal($"error: {expected.Replace("{dir}", _temp.Path)}", error.Trim());
        Assert.Equal("", output);
        Assert.Equal(["old.json"], Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName));
        Assert.Equal("{\"earlier\": true}\n", File.ReadAllText(old));
    }

    [Fact]
    public async Task Help_explains_the_suite_and_its_ratios_but_not_the_tests_size()
    {
        var (code, output, _) = await CliRunner.Run("bench", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--quick", "--suite", "--json" }) Assert.Contains(option, output);
        Assert.Contains("ours / reference", output);
        Assert.Contains("1.0 = as fast", output);
        Assert.DoesNotContain("--tiny", output);
    }
}
