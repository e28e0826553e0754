using System.Globalization;
using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;
using FedTrust.Cli.Reports;
using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using SkiaSharp;

namespace FedTrust.Cli.Tests.Reports;

/// <summary>
/// The heterogeneity grid's reports, on a handmade grid: 4 honest clients plus 1 malicious (client-4) under the attacks
/// ipm@0.1 and sign-flip@1, and 5 honest clients in each no-attack cell; seeds 1 and 2, every accuracy v written as
/// v − 0.01 and v + 0.01 (mean v, sample std 0.0141). MNIST at iid, Dirichlet α = 1 and α = 0.1 with fedavg, median,
/// nnm+median and trust; Fashion-MNIST at iid and α = 0.1 with median and trust but no fedavg. Only trust excludes
/// anyone. Every expected number is worked out in the comments.
/// </summary>
public sealed class HeterogeneityReportTests : IDisposable
{
    private static readonly PartitionLevel Iid = PartitionLevel.Iid;
    private static readonly PartitionLevel Alpha1 = new(PartitionKind.Dirichlet, 1);
    private static readonly PartitionLevel Alpha01 = new(PartitionKind.Dirichlet, 0.1);

    /// <summary>Mean final accuracy per (data set, defense, partition): no attack, ipm@0.1, sign-flip@1.</summary>
    private static readonly Dictionary<(string, string, PartitionLevel), (double None, double Ipm, double SignFlip)> Accuracy = new()
    {
        // fedavg: the clean baseline (0.96, 0.90, 0.80); ipm ruins it at once: 0.50 < 0.96 − 0.10, it breaks at iid.
        [("mnist", "fedavg", Iid)] = (0.96, 0.50, 0.60),
        [("mnist", "fedavg", Alpha1)] = (0.90, 0.40, 0.55),
        [("mnist", "fedavg", Alpha01)] = (0.80, 0.30, 0.50),
        // median: worst 0.93 ≥ 0.86 at iid, 0.82 ≥ 0.80 at α = 1, then 0.60 < 0.70 at α = 0.1: breaks there by accuracy.
        [("mnist", "median", Iid)] = (0.95, 0.94, 0.93),
        [("mnist", "median", Alpha1)] = (0.89, 0.85, 0.82),
        [("mnist", "median", Alpha01)] = (0.78, 0.60, 0.65),
        // nnm+median: worst 0.93, 0.86, 0.75 against 0.86, 0.80, 0.70: holds.
        [("mnist", "nnm+median", Iid)] = (0.95, 0.93, 0.94),
        [("mnist", "nnm+median", Alpha1)] = (0.89, 0.87, 0.86),
        [("mnist", "nnm+median", Alpha01)] = (0.80, 0.75, 0.77),
        // trust: worst 0.92, 0.86, 0.76 hold on accuracy, but it excludes 4/15 of the honest clients without attack at α = 0.1.
        [("mnist", "trust", Iid)] = (0.96, 0.92, 0.95),
        [("mnist", "trust", Alpha1)] = (0.90, 0.86, 0.88),
        [("mnist", "trust", Alpha01)] = (0.85, 0.76, 0.80),
        // No fedavg on Fashion-MNIST: each defense's own no-attack accuracy is the baseline. median: 0.80 ≥ 0.75, then 0.55 < 0.60.
        [("fashion-mnist", "median", Iid)] = (0.85, 0.80, 0.82),
        [("fashion-mnist", "median", Alpha01)] = (0.70, 0.55, 0.58),
        // trust: 0.84 ≥ 0.76, then 0.50 < 0.70 and 4/15 false exclusions: both criteria at α = 0.1.
        [("fashion-mnist", "trust", Iid)] = (0.86, 0.84, 0.85),
        [("fashion-mnist", "trust", Alpha01)] = (0.80, 0.50, 0.79),
    };

    private readonly GridFixture _grid = new();

    public void Dispose() => _grid.Dispose();

    private static ExperimentSettings Settings => HoconSettings.Read(FedTrustConfig.Defaults);

    private static string Config(string dataset, PartitionLevel partition) => partition.Kind switch
    {
        PartitionKind.Iid => $$"""
            "dataset": "{{dataset}}", "partition": { "kind": "iid", "alpha": 0.5, "shards-per-client": 2, "sizes": "dirichlet", "sigma": 1, "min-samples": 10 }
            """,
        _ => $$"""
            "dataset": "{{dataset}}", "partition": { "kind": "dirichlet", "alpha": {{partition.Parameter!.Value.ToString("R", CultureInfo.InvariantCulture)}}, "shards-per-client": 2, "sizes": "dirichlet", "sigma": 1, "min-samples": 10 }
            """,
    };

    /// <summary>Writes every cell of <see cref="Accuracy"/> in the grid's folder layout, both seeds.</summary>
    private void WriteGrid()
    {
        foreach (var ((dataset, defense, partition), (none, ipm, signFlip)) in Accuracy)
        {
            foreach (var seed in new[] { 1L, 2L })
            {
                var delta = seed == 1 ? -0.01 : 0.01;
                var prefix = $"{dataset}/{partition.Folder}/{defense}";
                var config = Config(dataset, partition);
                RobustnessFixture.Cell(_grid, $"{prefix}/none/seed-{seed}", defense, "none", 0, 0, 5, seed, none + delta,
                    NoAttackRounds(defense, partition), config);
                RobustnessFixture.Cell(_grid, $"{prefix}/ipm-0.1/seed-{seed}", defense, "ipm", 0.1, 1, 4, seed, ipm + delta,
                    AttackedRounds(defense, "ipm"), config);
                RobustnessFixture.Cell(_grid, $"{prefix}/sign-flip-1/seed-{seed}", defense, "sign-flip", 1, 1, 4, seed, signFlip + delta,
                    AttackedRounds(defense, "sign-flip"), config);
            }
        }
    }

    /// <summary>
    /// Three rounds of 5 honest clients. Trust excludes nobody at iid (FPR 0); client-0 in round 2 at α = 1 (FPR 0, 1/5, 0:
    /// 1/15); client-0, then client-0 and client-1, then client-0 at α = 0.1 (1/5, 2/5, 1/5: 4/15 = 0.2667). Others exclude nobody.
    /// </summary>
    private static FixtureRound[] NoAttackRounds(string defense, PartitionLevel partition)
    {
        var all = RobustnessFixture.Clients(5, 0);
        string[][] excluded = defense != "trust" || partition == Iid ? [[], [], []]
            : partition == Alpha1 ? [[], ["client-0"], []]
            : [["client-0"], ["client-0", "client-1"], ["client-0"]];
        return [.. excluded.Select(e => new FixtureRound(all, e, []))];
    }

    /// <summary>
    /// Three rounds of 4 honest clients and client-4. Trust under ipm excludes client-4 from round 2 (TPR 0, 1, 1: 2/3; FPR 0);
    /// under sign-flip every round, and client-0 too in round 3 (TPR 1; FPR 0, 0, 1/4: 1/12 = 0.0833). Others exclude nobody.
    /// </summary>
    private static FixtureRound[] AttackedRounds(string defense, string attack)
    {
        var all = RobustnessFixture.Clients(4, 1);
        string[][] excluded = defense != "trust" ? [[], [], []]
            : attack == "ipm" ? [[], ["client-4"], ["client-4"]]
            : [["client-4"], ["client-4"], ["client-4", "client-0"]];
        return [.. excluded.Select(e => new FixtureRound(all, e, []))];
    }

    private string[] Lines(string name) => File.ReadAllLines(_grid.Path(name));

    [Fact]
    public void A_grid_over_data_sets_and_partitions_gets_the_heterogeneity_reports_instead_of_table_1_and_the_robustness_reports()
    {
        WriteGrid();

        var written = GridReport.Write(_grid.Root, Settings);

        string[] expected = ["heterogeneity.csv", "heterogeneity.md", "breaking-points.csv", "breaking-points.md", "heterogeneity-attacks.csv",
            "heterogeneity-heatmap-mnist.png", "heterogeneity-heatmap-fashion-mnist.png"];
        Assert.Equal(expected.Select(_grid.Path), written);
        Assert.False(File.Exists(_grid.Path("table1.csv")));
        Assert.False(File.Exists(_grid.Path("worst-case.csv")));
        foreach (var dataset in new[] { "mnist", "fashion-mnist" })
        {
            using var image = SKBitmap.Decode(_grid.Path(HeterogeneityReport.HeatmapFile(dataset)));
            Assert.Equal(HeatmapFigure.Width, image.Width);
        }
    }

    [Fact]
    public void Heterogeneity_rows_give_no_attack_and_worst_case_accuracy_and_the_rates_over_rounds_per_data_set_partition_and_defense()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        var lines = Lines("heterogeneity.csv");
        Assert.Equal(HeterogeneityReport.HeterogeneityHeader, lines[0]);
        // MNIST's defenses by their worst case at α = 0.1: trust 0.76, nnm+median 0.75, median 0.60, fedavg 0.30.
        Assert.Equal([
            "mnist,iid,trust,1,0.9600,0.9200,0.0141,ipm,0.1,0.0000,0.0833,sign-flip,0.8333,0.6667,ipm,2",
            "mnist,iid,nnm+median,1,0.9500,0.9300,0.0141,ipm,0.1,,,,,,,2",
            "mnist,iid,median,1,0.9500,0.9300,0.0141,sign-flip,1,,,,,,,2",
            "mnist,iid,fedavg,1,0.9600,0.5000,0.0141,ipm,0.1,,,,,,,2",
            "mnist,dirichlet@1,trust,1,0.9000,0.8600,0.0141,ipm,0.1,0.0667,0.0833,sign-flip,0.8333,0.6667,ipm,2",
        ], lines[1..6]);
        Assert.Equal("mnist,dirichlet@0.1,trust,1,0.8500,0.7600,0.0141,ipm,0.1,0.2667,0.0833,sign-flip,0.8333,0.6667,ipm,2", lines[9]);
        // Fashion-MNIST follows MNIST; there median (0.55 at α = 0.1) comes before trust (0.50).
        Assert.Equal("fashion-mnist,iid,median,1,0.8500,0.8000,0.0141,ipm,0.1,,,,,,,2", lines[13]);
        Assert.Equal("fashion-mnist,dirichlet@0.1,trust,1,0.8000,0.5000,0.0141,ipm,0.1,0.2667,0.0833,sign-flip,0.8333,0.6667,ipm,2", lines[16]);
        Assert.Equal(17, lines.Length);
    }

    [Fact]
    public void Heterogeneity_markdown_names_the_attacks_and_marks_missing_rates()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        var md = Lines("heterogeneity.md");
        Assert.Contains("averaged over rounds then seeds", md[0]);
        Assert.Equal("| data set | partition | defense | no attack | worst case | FPR, no attack | FPR, worst | TPR, mean | TPR, min | seeds |", md[2]);
        Assert.Equal("| mnist | dirichlet α=0.1 | trust | 0.850 | 0.760 (ipm) | 0.267 | 0.083 (sign-flip) | 0.833 | 0.667 (ipm) | 2 |", md[12]);
        Assert.Equal("| mnist | dirichlet α=0.1 | fedavg | 0.800 | 0.300 (ipm) | — | — | — | — | 2 |", md[15]);
    }

    [Fact]
    public void A_defense_breaks_at_the_first_partition_meeting_either_criterion_or_holds()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        Assert.Equal([
            HeterogeneityReport.BreakingPointsHeader,
            "mnist,trust,1,dirichlet@0.1,false-exclusions,dirichlet@0.1,0.7600,0.8000,fedavg,0.2667",
            "mnist,nnm+median,1,,holds,dirichlet@0.1,0.7500,0.8000,fedavg,",
            // 0.82 at α = 1 is not more than 0.10 below fedavg's 0.90: median breaks at α = 0.1, not at α = 1.
            "mnist,median,1,dirichlet@0.1,accuracy,dirichlet@0.1,0.6000,0.8000,fedavg,",
            "mnist,fedavg,1,iid,accuracy,iid,0.5000,0.9600,fedavg,",
            "fashion-mnist,median,1,dirichlet@0.1,accuracy,dirichlet@0.1,0.5500,0.7000,own,",
            "fashion-mnist,trust,1,dirichlet@0.1,accuracy+false-exclusions,dirichlet@0.1,0.5000,0.8000,own,0.2667",
        ], Lines("breaking-points.csv"));

        var md = Lines("breaking-points.md");
        Assert.Contains("more than 0.10 below the clean baseline, fedavg's accuracy without attack", md[0]);
        Assert.Contains("iid, then dirichlet by α descending, then shards by shards per client descending, then quantity by α descending", md[0]);
        Assert.Equal("| mnist | nnm+median | holds | — | 0.750 (at dirichlet α=0.1) | 0.800 | — |", md[5]);
        Assert.Equal("| fashion-mnist | trust | dirichlet α=0.1 | (a) accuracy, (b) false exclusions | 0.500 | 0.800* | 0.267 |", md[9]);
        Assert.StartsWith("\\* fedavg has no no-attack cell", md[^1]);
    }

    [Fact]
    public void The_per_attack_table_keeps_every_cell_with_its_accuracy_and_rates()
    {
        WriteGrid();

        GridReport.Write(_grid.Root, Settings);

        var lines = Lines("heterogeneity-attacks.csv");
        Assert.Equal(HeterogeneityReport.AttacksHeader, lines[0]);
        // 4 defenses × 3 partitions + 2 × 2, each with its reference and 2 attacks.
        Assert.Equal(1 + (4 * 3 + 2 * 2) * 3, lines.Length);
        Assert.Contains("mnist,dirichlet@1,trust,0,none,0,0.9000,0.0141,2,,0.0667", lines);
        Assert.Contains("mnist,dirichlet@1,trust,1,sign-flip,1,0.8800,0.0141,2,1.0000,0.0833", lines);
        Assert.Contains("fashion-mnist,iid,median,1,ipm,0.1,0.8000,0.0141,2,,", lines);
    }

    [Fact]
    public void A_grid_on_one_data_set_and_partition_keeps_table_1()
    {
        foreach (var seed in new[] { 1L, 2L })
        {
            RobustnessFixture.Cell(_grid, $"median/none/seed-{seed}", "median", "none", 0, 0, 5, seed, 0.9, NoAttackRounds("median", Alpha01),
                Config("mnist", Alpha01));
            RobustnessFixture.Cell(_grid, $"median/ipm-0.1/seed-{seed}", "median", "ipm", 0.1, 1, 4, seed, 0.8, AttackedRounds("median", "ipm"),
                Config("mnist", Alpha01));
        }

        GridReport.Write(_grid.Root, Settings);

        Assert.True(File.Exists(_grid.Path("table1.csv")));
        Assert.False(File.Exists(_grid.Path("heterogeneity.csv")));
    }

    [Fact]
    public void A_result_json_from_before_the_keys_reads_as_mnist_and_iid_and_differs_from_the_same_cell_elsewhere()
    {
        var old = _grid.Cell("a/fedavg/none", "fedavg", "none", 0, 42, 0.9, 0.9, 0.9, 0.9);
        RobustnessFixture.Cell(_grid, "b/fedavg/none", "fedavg", "none", 0, 1, 3, 42, 0.8, NoAttackRounds("fedavg", Iid), Config("mnist", Alpha01));

        var cell = GridResults.Read(old);
        Assert.Equal(("mnist", PartitionLevel.Iid), (cell.Dataset, cell.Partition));
        // The same defense, attack, f, clients and seed on another partition is another cell, not a duplicate.
        var cells = GridResults.Load(_grid.Root);
        Assert.Equal([PartitionLevel.Iid, Alpha01], cells.Select(c => c.Partition));
        Assert.True(HeterogeneityGrid.Applies(cells));
    }

    [Fact]
    public void Partition_levels_of_each_kind_read_from_result_json()
    {
        var shards = RobustnessFixture.Cell(_grid, "s", "median", "none", 0, 0, 5, 1, 0.9, NoAttackRounds("median", Iid),
            """ "dataset": "Fashion-MNIST", "partition": { "kind": "shards", "alpha": 0.5, "shards-per-client": 3 } """);
        var quantity = RobustnessFixture.Cell(_grid, "q", "median", "none", 0, 0, 5, 1, 0.9, NoAttackRounds("median", Iid),
            """ "partition": { "kind": "quantity", "alpha": 0.25 } """);
        var unknown = RobustnessFixture.Cell(_grid, "u", "median", "none", 0, 0, 5, 1, 0.9, NoAttackRounds("median", Iid),
            """ "partition": { "kind": "label-skew" } """);

        var read = GridResults.Read(shards);
        Assert.Equal(("fashion-mnist", new PartitionLevel(PartitionKind.Shards, 3), "shards-3", "shards k=3"),
            (read.Dataset, read.Partition, read.Partition.Folder, read.Partition.Label));
        Assert.Equal(new PartitionLevel(PartitionKind.Quantity, 0.25), GridResults.Read(quantity).Partition);
        var e = Assert.Throws<InvalidDataException>(() => GridResults.Read(unknown));
        Assert.Equal($"{unknown}: config.partition.kind 'label-skew' is not one of iid, dirichlet, shards, quantity", e.Message);
    }

    [Fact]
    public void Partitions_are_walked_from_the_most_to_the_least_homogeneous()
    {
        PartitionLevel[] levels =
        [
            new(PartitionKind.Quantity, 0.5), new(PartitionKind.Shards, 2), Alpha01, new(PartitionKind.Quantity, 5), Iid,
            new(PartitionKind.Shards, 10), Alpha1, new(PartitionKind.Dirichlet, 100),
        ];
        Assert.Equal(["iid", "dirichlet@100", "dirichlet@1", "dirichlet@0.1", "shards@10", "shards@2", "quantity@5", "quantity@0.5"],
            levels.Order(PartitionLevel.Homogeneity).Select(l => l.Entry));
    }
}
