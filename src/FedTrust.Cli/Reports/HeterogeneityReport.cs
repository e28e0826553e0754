using System.Globalization;
using System.Text;
using FedTrust.Core.Data;
using static FedTrust.Cli.Reports.ReportFormat;

namespace FedTrust.Cli.Reports;

/// <summary>
/// The reports of a heterogeneity grid (the same defenses and attacks on several data sets and partitions), written
/// into the grid folder in place of Table 1 and the robustness report, which would average over the heterogeneity
/// levels; see <see cref="HeterogeneityGrid"/> for what is computed:
/// <list type="bullet">
/// <item><c>heterogeneity.csv</c>, <c>heterogeneity.md</c>: per data set, partition, defense (and f when it varies), the
/// no-attack accuracy, the worst-case accuracy over the attacks with its attack, the honest clients' false-exclusion rate
/// without attack and at its worst over the attacks, and the detection rate averaged over the attacks and at its lowest.</item>
/// <item><c>breaking-points.csv</c>, <c>breaking-points.md</c>: per data set and defense (and f), the partition level at
/// which the defense first breaks (<see cref="BreakingPoint"/>), and by which criterion, or "holds".</item>
/// <item><c>heterogeneity-heatmap-&lt;dataset&gt;.png</c>: per data set, defenses × partition levels, the worst-case accuracy
/// (for a data set with attacked cells).</item>
/// <item><c>heterogeneity-attacks.csv</c>: every (data set, partition, defense, f, attack, intensity) with its accuracy and detection.</item>
/// </list>
/// Partition levels run from the most to the least homogeneous; defenses are ordered per data set by their worst case at
/// the least homogeneous level, highest first.
/// </summary>
public static class HeterogeneityReport
{
    /// <summary>The heterogeneity CSV header, exactly.</summary>
    public const string HeterogeneityHeader =
        "dataset,partition,defense,f,no_attack_accuracy,worst_accuracy_mean,worst_accuracy_std,worst_attack,worst_intensity," +
        "fpr_no_attack,fpr_worst,fpr_worst_attack,tpr_mean,tpr_min,tpr_min_attack,seeds";

    /// <summary>The breaking-point CSV header, exactly.</summary>
    public const string BreakingPointsHeader = "dataset,defense,f,breaks_at,criterion,partition,worst_accuracy,baseline_accuracy,baseline,fpr_no_attack";

    /// <summary>The per-attack CSV header, exactly.</summary>
    public const string AttacksHeader = "dataset,partition,defense,f,attack,intensity,accuracy_mean,accuracy_std,seeds,tpr,fpr";

    /// <summary>The heatmap file of <paramref name="dataset"/>.</summary>
    public static string HeatmapFile(string dataset) => $"heterogeneity-heatmap-{dataset}.png";

    /// <summary>Writes the heterogeneity reports of <paramref name="cells"/> into <paramref name="outDir"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string outDir, IReadOnlyList<CellResult> cells)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        var grid = new HeterogeneityGrid(cells);
        Directory.CreateDirectory(outDir);
        return
        [
            Save(outDir, "heterogeneity.csv", HeterogeneityCsv(grid)),
            Save(outDir, "heterogeneity.md", HeterogeneityMarkdown(grid)),
            Save(outDir, "breaking-points.csv", BreakingPointsCsv(grid)),
            Save(outDir, "breaking-points.md", BreakingPointsMarkdown(grid)),
            Save(outDir, "heterogeneity-attacks.csv", AttacksCsv(grid)),
            .. grid.Datasets.Where(d => grid.Rows.Any(r => r.Dataset == d && r.Worst is not null))
                .Select(d => Heatmap(Path.Combine(outDir, HeatmapFile(d)), grid, d)),
        ];
    }

    /// <summary>heterogeneity.csv: <see cref="HeterogeneityHeader"/>, one line per row of the grid; absent values are empty fields.</summary>
    public static string HeterogeneityCsv(HeterogeneityGrid grid)
    {
        var text = new StringBuilder(HeterogeneityHeader).Append('\n');
        foreach (var r in grid.Rows)
        {
            text.AppendJoin(',', [
                CsvField(r.Dataset), CsvField(r.Partition.Entry), CsvField(r.Defense), r.F is { } f ? Int(f) : "",
                F4(r.NoAttack?.Mean), F4(r.Worst?.Value), F4(r.WorstStd), CsvField(r.Worst?.Attack ?? ""),
                r.Worst is { } w ? RobustnessGrid.Number(w.Intensity) : "",
                F4(r.NoAttackFpr), F4(r.WorstFpr?.Value), CsvField(r.WorstFpr?.Label ?? ""),
                F4(r.MeanTpr), F4(r.MinTpr?.Value), CsvField(r.MinTpr?.Label ?? ""), Int(r.Seeds)]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>heterogeneity.md: the rows of <see cref="HeterogeneityCsv"/> as one table, and what each column means.</summary>
    public static string HeterogeneityMarkdown(HeterogeneityGrid grid)
    {
        var text = new StringBuilder();
        text.Append("Defenses across data heterogeneity: each data set's partitions run from the most to the least homogeneous, ");
        text.Append("and its defenses are ordered by their worst case at the least homogeneous one, highest first. ");
        text.Append("*No attack*: final accuracy without attack, mean over seeds. *Worst case*: the lowest mean final accuracy over the attacks, the attack in parentheses. ");
        text.Append("*FPR*: the share of honest clients the defense excluded in a round, averaged over rounds then seeds, without attack and under the attack that gives the highest. ");
        text.Append("*TPR*: the share of malicious clients excluded in a round, averaged over rounds, seeds and attacks, and its lowest over the attacks. ");
        text.Append("— marks a defense that never excludes anyone in this grid (it has no rates), or a value that was not run.\n\n");
        text.Append("| data set | partition | defense |").Append(grid.FVaries ? " f |" : "")
            .Append(" no attack | worst case | FPR, no attack | FPR, worst | TPR, mean | TPR, min | seeds |\n");
        text.Append("| --- | --- | --- |").Append(grid.FVaries ? " ---: |" : "").Append(" ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var r in grid.Rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {MdCell(r.Dataset)} | {MdCell(r.Partition.Label)} | {MdCell(r.Defense)} |");
            if (grid.FVaries) text.Append(' ').Append(r.F is { } f ? Int(f) : "—").Append(" |");
            text.Append(CultureInfo.InvariantCulture,
                $" {Rate(r.NoAttack?.Mean)} | {WithAttack(r.Worst)} | {Rate(r.NoAttackFpr)} | {WithAttack(r.WorstFpr)} | {Rate(r.MeanTpr)} | {WithAttack(r.MinTpr)} | {r.Seeds} |\n");
        }
        return text.ToString();
    }

    /// <summary>breaking-points.csv: <see cref="BreakingPointsHeader"/>, one line per data set, defense and f.</summary>
    public static string BreakingPointsCsv(HeterogeneityGrid grid)
    {
        var text = new StringBuilder(BreakingPointsHeader).Append('\n');
        foreach (var b in grid.BreakingPoints)
        {
            text.AppendJoin(',', [
                CsvField(b.Dataset), CsvField(b.Defense), b.F is { } f ? Int(f) : "", CsvField(b.At?.Entry ?? ""), Criterion(b, csv: true),
                CsvField(b.Shown?.Entry ?? ""), F4(b.WorstAccuracy), F4(b.Baseline),
                b.Baseline is null ? "" : b.OwnBaseline ? "own" : HeterogeneityGrid.BaselineDefense, F4(b.NoAttackFpr)]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>breaking-points.md: the rule, and per data set and defense where it breaks.</summary>
    public static string BreakingPointsMarkdown(HeterogeneityGrid grid)
    {
        var drop = HeterogeneityGrid.AccuracyDrop.ToString("0.00", CultureInfo.InvariantCulture);
        var fpr = HeterogeneityGrid.FalseExclusionRate.ToString("0.00", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append("Breaking points: for each data set and defense, the first partition, walking from the most to the least homogeneous ");
        text.Append("(iid, then dirichlet by α descending, then shards by shards per client descending, then quantity by α descending), at which ");
        text.Append(CultureInfo.InvariantCulture, $"(a) its worst-case accuracy over the attacks is more than {drop} below the clean baseline, {HeterogeneityGrid.BaselineDefense}'s accuracy without attack on the same data set and partition, or ");
        text.Append(CultureInfo.InvariantCulture, $"(b) without attack it excludes more than {fpr} of the honest clients per round on average (FPR over rounds). ");
        text.Append("*holds*: neither happened at any partition run. The numbers are those of the partition it broke at, or of the least homogeneous one when it holds.\n\n");
        text.Append("| data set | defense |").Append(grid.FVaries ? " f |" : "").Append(" breaks at | criterion | worst case | baseline | FPR, no attack |\n");
        text.Append("| --- | --- |").Append(grid.FVaries ? " ---: |" : "").Append(" --- | --- | ---: | ---: | ---: |\n");
        foreach (var b in grid.BreakingPoints)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {MdCell(b.Dataset)} | {MdCell(b.Defense)} |");
            if (grid.FVaries) text.Append(' ').Append(b.F is { } f ? Int(f) : "—").Append(" |");
            var shown = b.At is null && b.Shown is { } s ? $" (at {MdCell(s.Label)})" : "";
            text.Append(CultureInfo.InvariantCulture,
                $" {(b.At is { } at ? MdCell(at.Label) : "holds")} | {Criterion(b, csv: false)} | {Rate(b.WorstAccuracy)}{shown} | {Rate(b.Baseline)}{(b.OwnBaseline ? "*" : "")} | {Rate(b.NoAttackFpr)} |\n");
        }
        if (grid.BreakingPoints.Any(b => b.OwnBaseline))
            text.Append(CultureInfo.InvariantCulture,
                $"\n\\* {HeterogeneityGrid.BaselineDefense} has no no-attack cell at some partition walked: the defense's own accuracy without attack is the baseline there.\n");
        return text.ToString();
    }

    /// <summary>heterogeneity-attacks.csv: <see cref="AttacksHeader"/>, every (data set, partition, defense, f, attack, intensity); f is 0 without attack.</summary>
    public static string AttacksCsv(HeterogeneityGrid grid)
    {
        var text = new StringBuilder(AttacksHeader).Append('\n');
        foreach (var dataset in grid.Datasets)
        foreach (var partition in grid.Partitions[dataset])
        foreach (var r in grid.Levels[(dataset, partition)].Rows)
        {
            text.AppendJoin(',', [
                CsvField(dataset), CsvField(partition.Entry), CsvField(r.Defense), Int(r.Attack == "none" ? 0 : r.F), CsvField(r.Attack),
                RobustnessGrid.Number(r.Intensity), F4(r.Accuracy.Mean), F4(r.Accuracy.Std), Int(r.Seeds), F4(r.Detection.Tpr), F4(r.Detection.Fpr)]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Defenses × partitions of <paramref name="dataset"/>, the worst-case accuracy (at the largest f when f varies), each with its attack.</summary>
    private static string Heatmap(string path, HeterogeneityGrid grid, string dataset)
    {
        var defenses = grid.Defenses[dataset];
        var partitions = grid.Partitions[dataset];
        var values = new double?[defenses.Count, partitions.Count];
        var notes = new string?[defenses.Count, partitions.Count];
        var largest = grid.Rows.Where(r => r.Dataset == dataset).Max(r => r.F);
        foreach (var r in grid.Rows.Where(r => r.Dataset == dataset && r.F == largest && r.Worst is not null))
        {
            var (row, column) = (Index(defenses, r.Defense), Index(partitions, r.Partition));
            values[row, column] = r.Worst!.Value.Value;
            notes[row, column] = r.Worst.Value.Label;
        }
        var name = DatasetCatalog.All.FirstOrDefault(d => d.Name == dataset)?.DisplayName ?? dataset;
        var title = $"{name}: worst-case final accuracy over attacks (mean over seeds){(grid.FVaries ? $", f = {largest}" : "")}";
        return HeatmapFigure.Write(path, title, defenses, [.. partitions.Select(p => p.Label)], values, "worst-case accuracy",
            new ScottPlot.Colormaps.Viridis(), notes, "partition, from most to least homogeneous");
    }

    private static string Criterion(BreakingPoint b, bool csv) => (b.Accuracy, b.FalseExclusions) switch
    {
        (true, true) => csv ? "accuracy+false-exclusions" : "(a) accuracy, (b) false exclusions",
        (true, false) => csv ? "accuracy" : "(a) accuracy",
        (false, true) => csv ? "false-exclusions" : "(b) false exclusions",
        _ => csv ? "holds" : "—",
    };

    /// <summary>A value with 3 decimals; "—" where there is none.</summary>
    private static string Rate(double? value) => value is null ? "—" : F3(value);

    private static string WithAttack(UnderAttack? value) => value is { } v ? $"{F3(v.Value)} ({MdCell(v.Label)})" : "—";
}
