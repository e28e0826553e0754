using System.Buffers.Binary;
using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;
using FedTrust.Cli.Reports;
using FedTrust.Core.Settings;
using SkiaSharp;

namespace FedTrust.Cli.Tests.Reports;

/// <summary>
/// The robustness grid's reports, on a handmade grid: 4 honest clients plus f ∈ {1, 2} malicious ones (client-4,
/// client-5), defenses median (never excludes) and nnm+median+trust (excludes), attacks ipm at 0.1 and 100 and the
/// backdoor at 0.5, seeds 1 and 2, and each defense's no-attack reference. Every expected number is worked out by
/// hand in the comments.
/// </summary>
public sealed class RobustnessReportTests : IDisposable
{
    private const int Honest = 4;
    private const string Nnm = "nnm+median+trust";

    private static readonly string[] RobustnessFiles =
        ["worst-case.csv", "worst-case.md", "worst-case-heatmap.png", "robustness.csv", "detection.csv", "detection.md", "asr.csv", "asr.md", "asr-heatmap.png"];

    /// <summary>Final accuracy of seeds 1 and 2 per (defense, attack, intensity, f).</summary>
    private static readonly Dictionary<(string, string, double, int), (double, double)> Accuracy = new()
    {
        [("median", "ipm", 0.1, 1)] = (0.90, 0.92), // mean 0.91
        [("median", "ipm", 100, 1)] = (0.80, 0.84), // mean 0.82, sample std √(2 · 0.02²) = 0.028284: the worst at f = 1
        [("median", "backdoor", 0.5, 1)] = (0.95, 0.95),
        [("median", "ipm", 0.1, 2)] = (0.70, 0.74), // mean 0.72, std 0.028284: the worst at f = 2
        [("median", "ipm", 100, 2)] = (0.75, 0.77), // mean 0.76
        [("median", "backdoor", 0.5, 2)] = (0.94, 0.96),
        [(Nnm, "ipm", 0.1, 1)] = (0.96, 0.96),
        [(Nnm, "ipm", 100, 1)] = (0.93, 0.95), // mean 0.94, std √(2 · 0.01²) = 0.014142: the worst at f = 1
        [(Nnm, "backdoor", 0.5, 1)] = (0.96, 0.98),
        [(Nnm, "ipm", 0.1, 2)] = (0.90, 0.96), // mean 0.93
        [(Nnm, "ipm", 100, 2)] = (0.95, 0.95),
        [(Nnm, "backdoor", 0.5, 2)] = (0.80, 0.90), // mean 0.85, std √(2 · 0.05²) = 0.070711: the worst at f = 2
    };

    /// <summary>The backdoor's success rate per round (3 rounds) of seeds 1 and 2 per (defense, f).</summary>
    private static readonly Dictionary<(string, int), (double[], double[])> Asr = new()
    {
        // final 0.4, 0.6: mean 0.5, std 0.141421; over rounds 0.7/3 and 1.0/3: mean 0.283333
        [("median", 1)] = ([0.1, 0.2, 0.4], [0.1, 0.3, 0.6]),
        // final 0.9, 0.9: mean 0.9, std 0; over rounds 2.2/3 and 2.4/3: mean 0.766667
        [("median", 2)] = ([0.5, 0.8, 0.9], [0.6, 0.9, 0.9]),
        // final 0, 0; over rounds 0.1/3 and 0.2/3: mean 0.05
        [(Nnm, 1)] = ([0.1, 0.0, 0.0], [0.1, 0.1, 0.0]),
        // final 0.1, 0.3: mean 0.2, std 0.141421; over rounds 0.4/3 and 0.7/3: mean 0.183333
        [(Nnm, 2)] = ([0.2, 0.1, 0.1], [0.2, 0.2, 0.3]),
    };

    private readonly GridFixture _grid = new();

    public void Dispose() => _grid.Dispose();

    private static ExperimentSettings Settings => HoconSettings.Read(FedTrustConfig.Defaults);

    /// <summary>Writes the whole grid: 2 defenses × 3 attacks × 2 f × 2 seeds, and 2 references per defense.</summary>
    private void WriteGrid()
    {
        foreach (var ((defense, attack, intensity, f), (first, second)) in Accuracy)
        {
            RobustnessFixture.Cell(_grid, defense, attack, intensity, f, Honest, 1, first, Rounds(defense, attack, f, seed: 1));
            RobustnessFixture.Cell(_grid, defense, attack, intensity, f, Honest, 2, second, Rounds(defense, attack, f, seed: 2));
        }
        string[] honest = RobustnessFixture.Clients(Honest, 0);
        FixtureRound[] clean = [new(honest, [], []), new(honest, [], []), new(honest, [], [])];
        foreach (var seed in new[] { 1L, 2L })
        {
            RobustnessFixture.Cell(_grid, "median", "none", 0, 0, Honest, seed, 0.98, clean);
            RobustnessFixture.Cell(_grid, Nnm, "none", 0, 0, Honest, seed, seed == 1 ? 0.97 : 0.99, clean);
        }
    }

    /// <summary>
    /// Three rounds. nnm+median+trust: round 1 excludes nobody (TPR 0, FPR 0); round 2 excludes client-4 and client-0,
    /// and at f = 2 client-5's update is rejected (TPR 1, FPR 1/4); round 3 only the honest clients take part and
    /// client-1 is excluded (no TPR, FPR 1/4): TPR 1/2, FPR 1/6 over rounds. Under the backdoor at f = 2 round 2
    /// excludes nobody and only client-5 is rejected (TPR 1/2, FPR 0): TPR 1/4, FPR 1/12. Median excludes nobody,
    /// although at f = 2 client-5 is rejected in round 2.
    /// </summary>
    private static FixtureRound[] Rounds(string defense, string attack, int f, long seed)
    {
        var all = RobustnessFixture.Clients(Honest, f);
        var honest = all[..Honest];
        string[] rejected = f == 2 ? ["client-5"] : [];
        var sent = all.Except(rejected).ToArray();
        double[]? asr = attack == "backdoor" ? (seed == 1 ? Asr[(defense, f)].Item1 : Asr[(defense, f)].Item2) : null;
        string[] excluded2 = defense == Nnm && !(attack == "backdoor" && f == 2) ? ["client-4", "client-0"] : [];
        string[] excluded3 = defense == Nnm ? ["client-1"] : [];
        return
        [
            new(all, [], [], asr?[0]),
            new(sent, excluded2, rejected, asr?[1]),
            new(defense == Nnm ? honest : all, excluded3, [], asr?[2]),
        ];
    }

    private string[] Lines(string name) => File.ReadAllLines(_grid.Path(name));

    [Fact]
    public void Worst_case_is_the_attack_with_the_lowest_mean_over_seeds_with_its_sample_std_per_defense_and_f()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        string[] expected =
        [
            "defense,f,worst_accuracy_mean,worst_accuracy_std,worst_attack,worst_intensity,seeds,attacks",
            // Ordered by the worst case at the largest f: nnm+median+trust 0.85 before median 0.72 (not alphabetical).
            "nnm+median+trust,1,0.9400,0.0141,ipm,100,2,3",
            "nnm+median+trust,2,0.8500,0.0707,backdoor,0.5,2,3",
            "median,1,0.8200,0.0283,ipm,100,2,3",
            "median,2,0.7200,0.0283,ipm,0.1,2,3",
        ];
        Assert.Equal(expected, Lines("worst-case.csv"));
    }

    [Fact]
    public void Worst_case_markdown_is_a_defense_by_f_table_naming_the_attack_with_the_no_attack_reference()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        var md = Lines("worst-case.md");
        Assert.Contains("sample std", md[0]);
        Assert.Contains("ordered by their worst case at f = 2, highest first", md[0]);
        Assert.Equal("| defense | no attack | f = 1 | f = 2 |", md[2]);
        Assert.Equal("| --- | ---: | ---: | ---: |", md[3]);
        // ipm runs at two intensities, so it is named with its intensity; the backdoor at one, so by its name alone.
        Assert.Equal("| nnm+median+trust | 0.980 ± 0.014 | 0.940 ± 0.014 (ipm@100) | 0.850 ± 0.071 (backdoor) |", md[4]);
        Assert.Equal("| median | 0.980 ± 0.000 | 0.820 ± 0.028 (ipm@100) | 0.720 ± 0.028 (ipm@0.1) |", md[5]);
        Assert.Equal(6, md.Length);
    }

    [Fact]
    public void Worst_case_keeps_full_precision_in_the_summary()
    {
        WriteGrid();
        var grid = new RobustnessGrid(GridResults.Load(_grid.Root));

        var worst = Assert.Single(grid.WorstCases, w => w.Defense == Nnm && w.F == 2);

        Assert.Equal(("backdoor", 0.5, 2, 3), (worst.Attack, worst.Intensity, worst.Seeds, worst.Attacks));
        Assert.Equal(0.85, worst.Accuracy.Mean, 12);
        Assert.Equal(Math.Sqrt(0.005), worst.Accuracy.Std, 12);
        Assert.Equal([1, 2], grid.F);
        Assert.Equal([Nnm, "median"], grid.Defenses);
    }

    [Fact]
    public void Detection_averages_over_rounds_skipping_rounds_without_a_malicious_participant_then_over_seeds_and_attacks()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        string[] expected =
        [
            "defense,f,tpr,fpr,excludes,attacks",
            // Every attack at f = 1: TPR (0 + 1) / 2 = 0.5 (round 3 has no malicious participant and is not a 0), FPR (0 + 1/4 + 1/4) / 3.
            "nnm+median+trust,1,0.5000,0.1667,true,3",
            // f = 2: ipm twice TPR 1/2, FPR 1/6; backdoor TPR 1/4, FPR 1/12: means 5/12 = 0.41667 and 5/36 = 0.13889.
            "nnm+median+trust,2,0.4167,0.1389,true,3",
            // Median never excludes: no rates, although the framework rejected client-5's updates.
            "median,1,,,false,3",
            "median,2,,,false,3",
        ];
        Assert.Equal(expected, Lines("detection.csv"));
    }

    [Fact]
    public void Detection_markdown_marks_a_defense_that_never_excludes_and_explains_the_rates()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        var md = File.ReadAllText(_grid.Path("detection.md"));
        Assert.Contains("| nnm+median+trust | 0.500 / 0.167 | 0.417 / 0.139 |", md);
        Assert.Contains("| median | — | — |", md);
        Assert.Contains("a round without one has no TPR, it does not count as 0", md);
        Assert.Contains("Krum-style selection counts every honest client it does not select as flagged", md);
    }

    [Fact]
    public void Robustness_csv_has_every_attack_and_f_with_accuracy_asr_and_detection()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        var lines = Lines("robustness.csv");
        Assert.Equal("defense,attack,intensity,f,accuracy_mean,accuracy_std,seeds,asr_final_mean,asr_final_std,asr_rounds_mean,tpr,fpr", lines[0]);
        Assert.Equal(1 + 2 * (1 + 3 * 2), lines.Length); // per defense: the reference, then 3 attacks × 2 f
        Assert.Equal("nnm+median+trust,none,0,0,0.9800,0.0141,2,,,,,0.0000", lines[1]);
        Assert.Equal("nnm+median+trust,backdoor,0.5,2,0.8500,0.0707,2,0.2000,0.1414,0.1833,0.2500,0.0833", lines[3]);
        Assert.Equal("nnm+median+trust,ipm,100,1,0.9400,0.0141,2,,,,0.5000,0.1667", lines[6]);
        Assert.Equal("median,ipm,0.1,2,0.7200,0.0283,2,,,,,", lines[12]);
    }

    [Fact]
    public void Asr_is_the_final_rounds_mean_and_sample_std_over_seeds_and_the_mean_over_rounds()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        string[] expected =
        [
            "defense,attack,intensity,f,asr_final_mean,asr_final_std,asr_rounds_mean,seeds",
            "nnm+median+trust,backdoor,0.5,1,0.0000,0.0000,0.0500,2",
            "nnm+median+trust,backdoor,0.5,2,0.2000,0.1414,0.1833,2",
            "median,backdoor,0.5,1,0.5000,0.1414,0.2833,2",
            "median,backdoor,0.5,2,0.9000,0.0000,0.7667,2",
        ];
        Assert.Equal(expected, Lines("asr.csv"));
        Assert.Contains("| median | backdoor | 1 | 0.500 ± 0.141 | 0.283 | 2 |", Lines("asr.md"));
    }

    [Fact]
    public void A_robustness_grid_writes_its_reports_and_heatmaps_instead_of_table_1()
    {
        WriteGrid();

        var written = GridReport.Write(_grid.Root, Settings);

        Assert.Equal(RobustnessFiles, written.Select(Path.GetFileName));
        Assert.False(File.Exists(_grid.Path("table1.csv")));
        Assert.Empty(Directory.GetFiles(_grid.Root, "fig-*.png"));
        Assert.Empty(Directory.GetFiles(_grid.Root, "trust-*.png"));
        foreach (var png in written.Where(p => p.EndsWith(".png", StringComparison.Ordinal)))
        {
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 10_000, $"{png} has only {bytes.Length} bytes");
            Assert.Equal((800, 500), (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));
            using var bitmap = SKBitmap.Decode(png);
            Assert.Equal((800, 500), (bitmap.Width, bitmap.Height));
            // The colour bar and the coloured cells: far more colours than a blank chart with text.
            Assert.True(bitmap.Pixels.Distinct().Count() > 100, $"{png} has only {bitmap.Pixels.Distinct().Count()} colours");
        }
    }

    [Fact]
    public void Without_backdoor_runs_there_are_no_asr_files()
    {
        WriteGrid();
        foreach (var dir in Directory.GetDirectories(_grid.Root, "backdoor-*", SearchOption.AllDirectories)) Directory.Delete(dir, recursive: true);

        var written = GridReport.Write(_grid.Root, Settings).Select(Path.GetFileName).ToList();

        Assert.Equal(RobustnessFiles.Where(f => !f!.StartsWith("asr", StringComparison.Ordinal)), written);
        Assert.Contains("nnm+median+trust,1,0.9400,0.0141,ipm,100,2,2", Lines("worst-case.csv"));
    }

    [Fact]
    public void A_paper_style_grid_at_one_f_writes_table_1_and_the_figures_and_no_robustness_file()
    {
        // The planner's layout with a single malicious count: references at f = 0, every attacked cell at f = 3.
        string[] all = RobustnessFixture.Clients(Honest, 3);
        FixtureRound[] rounds = [new(all, [], []), new(all, ["client-6"], [])];
        foreach (var defense in new[] { "fedavg", "hybrid" })
        {
            RobustnessFixture.Cell(_grid, defense, "none", 0, 0, Honest, 1, 0.98, [new(all[..Honest], [], [])]);
            foreach (var intensity in new[] { 0.1, 0.2 })
                RobustnessFixture.Cell(_grid, defense, "label-flip", intensity, 3, Honest, 1, 0.9 - intensity, rounds);
        }
        var cells = GridResults.Load(_grid.Root);
        Table1.Write(_grid.Path("alone"), cells, GridReport.PaperAccuracy);

        var written = GridReport.Write(_grid.Root, Settings).Select(Path.GetFileName).ToList();

        Assert.False(RobustnessReport.Applies(cells));
        Assert.Equal(["table1.csv", "table1.md"], written.Take(2));
        Assert.Contains("fig-comparison.png", written);
        Assert.DoesNotContain(written, f => RobustnessFiles.Contains(f));
        Assert.All(RobustnessFiles, f => Assert.False(File.Exists(_grid.Path(f)), f));
        Assert.Equal(File.ReadAllBytes(_grid.Path("alone/table1.csv")), File.ReadAllBytes(_grid.Path("table1.csv")));
        Assert.Equal(File.ReadAllBytes(_grid.Path("alone/table1.md")), File.ReadAllBytes(_grid.Path("table1.md")));
    }

    [Fact]
    public void A_round_without_participants_scores_every_client_and_rejected_updates_count_as_flagged()
    {
        var malicious = new HashSet<string>(["client-3"]);
        string[] clients = ["client-0", "client-1", "client-2", "client-3"];

        var old = RoundDetection.Of(new ResultRound(1, 0.9, 0.9, 0.9, 0.9, Excluded: ["client-0"]), malicious, clients);
        var rejected = RoundDetection.Of(
            new ResultRound(1, 0.9, 0.9, 0.9, 0.9, Excluded: [], Participants: ["client-0", "client-1"], Rejected: ["client-3"]), malicious, clients);
        var none = RoundDetection.Of(
            new ResultRound(1, 0.9, 0.9, 0.9, 0.9, Excluded: ["client-3"], Participants: ["client-0"], Rejected: []), malicious, clients);

        Assert.Equal(new DetectionRate(0.0, 1.0 / 3), old);
        Assert.Equal(new DetectionRate(1.0, 0.0), rejected); // client-2 did not take part: 2 honest scored
        Assert.Equal(new DetectionRate(null, 0.0), none); // an excluded client that did not take part is not scored
    }
}
