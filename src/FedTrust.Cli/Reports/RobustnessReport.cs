using System.Globalization;
using System.Text;
using ScottPlot;
using static FedTrust.Cli.Reports.ReportFormat;

namespace FedTrust.Cli.Reports;

/// <summary>
/// The reports of a robustness grid (honest clients plus f malicious ones, f varying, many attacks against many
/// defenses, several seeds), written into the grid folder; see <see cref="RobustnessGrid"/> for what is computed:
/// <list type="bullet">
/// <item><c>worst-case.csv</c>, <c>worst-case.md</c>, <c>worst-case-heatmap.png</c>: per defense and f, the lowest
/// final accuracy over the attacks (mean ± sample std over seeds) and the attack that achieves it.</item>
/// <item><c>robustness.csv</c>: every (defense, attack, intensity, f) with its accuracy, backdoor success rate and
/// detection rates.</item>
/// <item><c>detection.csv</c>, <c>detection.md</c>: per defense and f, the malicious-client detection averaged over
/// rounds, seeds and attacks.</item>
/// <item><c>asr.csv</c>, <c>asr.md</c>, <c>asr-heatmap.png</c>, when some run recorded the backdoor's attack success
/// rate.</item>
/// </list>
/// Every file lists the defenses in <see cref="RobustnessGrid.Defenses"/> order (most robust at the largest f first).
/// </summary>
public static class RobustnessReport
{
    /// <summary>The worst-case CSV header, exactly.</summary>
    public const string WorstCaseHeader = "defense,f,worst_accuracy_mean,worst_accuracy_std,worst_attack,worst_intensity,seeds,attacks";

    /// <summary>The per-attack CSV header, exactly.</summary>
    public const string RobustnessHeader = "defense,attack,intensity,f,accuracy_mean,accuracy_std,seeds,asr_final_mean,asr_final_std,asr_rounds_mean,tpr,fpr";

    /// <summary>The detection CSV header, exactly.</summary>
    public const string DetectionHeader = "defense,f,tpr,fpr,excludes,attacks";

    /// <summary>The attack-success-rate CSV header, exactly.</summary>
    public const string AsrHeader = "defense,attack,intensity,f,asr_final_mean,asr_final_std,asr_rounds_mean,seeds";

    /// <summary>
    /// Whether <paramref name="cells"/> form a robustness grid: their attacked cells (attack other than "none") have
    /// more than one malicious count f. A grid at one f (the paper's) gets Table 1 and the paper's figures instead.
    /// </summary>
    public static bool Applies(IReadOnlyList<CellResult> cells) =>
        cells.Where(c => c.Attack != "none").Select(c => c.Malicious).Distinct().Skip(1).Any();

    /// <summary>Writes the robustness reports of <paramref name="cells"/> into <paramref name="outDir"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string outDir, IReadOnlyList<CellResult> cells)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        var grid = new RobustnessGrid(cells);
        Directory.CreateDirectory(outDir);
        var written = new List<string>
        {
            Save(outDir, "worst-case.csv", WorstCaseCsv(grid)),
            Save(outDir, "worst-case.md", WorstCaseMarkdown(grid)),
            WorstCaseHeatmap(Path.Combine(outDir, "worst-case-heatmap.png"), grid, HonestClients(cells)),
            Save(outDir, "robustness.csv", RobustnessCsv(grid)),
            Save(outDir, "detection.csv", DetectionCsv(grid)),
            Save(outDir, "detection.md", DetectionMarkdown(grid)),
        };
        if (grid.AsrRows.Any())
        {
            written.Add(Save(outDir, "asr.csv", AsrCsv(grid)));
            written.Add(Save(outDir, "asr.md", AsrMarkdown(grid)));
            written.Add(AsrHeatmap(Path.Combine(outDir, "asr-heatmap.png"), grid, HonestClients(cells)));
        }
        return written;
    }

    /// <summary>worst-case.csv: <see cref="WorstCaseHeader"/>, one line per defense and f; numbers with 4 decimals.</summary>
    public static string WorstCaseCsv(RobustnessGrid grid)
    {
        var text = new StringBuilder(WorstCaseHeader).Append('\n');
        foreach (var w in grid.WorstCases)
        {
            text.AppendJoin(',', [
                CsvField(w.Defense), Int(w.F), F4(w.Accuracy.Mean), F4(w.Accuracy.Std), CsvField(w.Attack),
                RobustnessGrid.Number(w.Intensity), Int(w.Seeds), Int(w.Attacks)]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>worst-case.md: a defense × f table of "mean ± std (attack)", with the no-attack reference when the grid has one.</summary>
    public static string WorstCaseMarkdown(RobustnessGrid grid)
    {
        var references = grid.Rows.Where(r => r.Attack == "none").GroupBy(r => r.Defense).ToDictionary(g => g.Key, g => g.First());
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Worst-case final accuracy: for each defense and number of malicious clients f, the attack with the lowest mean final accuracy over seeds (named in parentheses), as mean ± sample std over its seeds. Defenses are ordered by their worst case at f = {grid.F[^1]}, highest first.\n\n");
        text.Append("| defense |").Append(references.Count > 0 ? " no attack |" : "").AppendJoin("", grid.F.Select(f => $" f = {f} |")).Append('\n');
        text.Append("| --- |").Append(references.Count > 0 ? " ---: |" : "").AppendJoin("", grid.F.Select(_ => " ---: |")).Append('\n');
        foreach (var defense in grid.Defenses)
        {
            text.Append("| ").Append(MdCell(defense)).Append(" |");
            if (references.Count > 0)
                text.Append(' ').Append(references.TryGetValue(defense, out var reference) ? Pm(reference.Accuracy) : "—").Append(" |");
            foreach (var f in grid.F)
            {
                var worst = grid.WorstCases.FirstOrDefault(w => w.Defense == defense && w.F == f);
                text.Append(' ').Append(worst is null ? "—" : $"{Pm(worst.Accuracy)} ({MdCell(grid.AttackLabel(worst.Attack, worst.Intensity))})").Append(" |");
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>robustness.csv: <see cref="RobustnessHeader"/>, one line per (defense, attack, intensity, f); absent values are empty fields.</summary>
    public static string RobustnessCsv(RobustnessGrid grid)
    {
        var text = new StringBuilder(RobustnessHeader).Append('\n');
        foreach (var r in grid.Rows)
        {
            text.AppendJoin(',', [
                CsvField(r.Defense), CsvField(r.Attack), RobustnessGrid.Number(r.Intensity), Int(r.F),
                F4(r.Accuracy.Mean), F4(r.Accuracy.Std), Int(r.Seeds),
                F4(r.FinalAsr?.Mean), F4(r.FinalAsr?.Std), F4(r.RoundsAsr), F4(r.Detection.Tpr), F4(r.Detection.Fpr)]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>detection.csv: <see cref="DetectionHeader"/>, one line per defense and f; empty rates where there are none.</summary>
    public static string DetectionCsv(RobustnessGrid grid)
    {
        var text = new StringBuilder(DetectionHeader).Append('\n');
        foreach (var d in grid.Detection)
        {
            text.AppendJoin(',', [
                CsvField(d.Defense), Int(d.F), F4(d.Rates.Tpr), F4(d.Rates.Fpr),
                grid.Excludes.Contains(d.Defense) ? "true" : "false", Int(d.Attacks)]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>detection.md: a defense × f table of "TPR / FPR", and how they are computed.</summary>
    public static string DetectionMarkdown(RobustnessGrid grid)
    {
        var text = new StringBuilder();
        text.Append("Malicious-client detection, TPR / FPR. In each round the scored clients are the participants and the rejected; ");
        text.Append("the flagged ones are those the defense did not aggregate (`excluded`) and the `rejected`. ");
        text.Append("TPR = flagged malicious / malicious scored, FPR = flagged honest / honest scored. ");
        text.Append("Each run's rates are averaged over its rounds (the TPR over the rounds in which a malicious client took part: a round without one has no TPR, it does not count as 0), ");
        text.Append("then over seeds, then over attacks (each attack weighs the same).\n\n");
        text.Append("— marks a defense that never excludes anyone in this grid (it aggregates every valid update, e.g. fedavg or median): it does not detect, so it has no rates. ");
        text.Append("Krum-style selection counts every honest client it does not select as flagged, so its FPR is high by construction.\n\n");
        text.Append("| defense |").AppendJoin("", grid.F.Select(f => $" f = {f} |")).Append('\n');
        text.Append("| --- |").AppendJoin("", grid.F.Select(_ => " ---: |")).Append('\n');
        foreach (var defense in grid.Defenses)
        {
            text.Append("| ").Append(MdCell(defense)).Append(" |");
            foreach (var f in grid.F)
            {
                var d = grid.Detection.FirstOrDefault(x => x.Defense == defense && x.F == f);
                var cell = d is null || !grid.Excludes.Contains(defense) ? "—" : $"{F3(d.Rates.Tpr)} / {F3(d.Rates.Fpr)}";
                text.Append(' ').Append(cell).Append(" |");
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>asr.csv: <see cref="AsrHeader"/>, one line per (defense, backdoor variant, f).</summary>
    public static string AsrCsv(RobustnessGrid grid)
    {
        var text = new StringBuilder(AsrHeader).Append('\n');
        foreach (var r in grid.AsrRows)
        {
            text.AppendJoin(',', [
                CsvField(r.Defense), CsvField(r.Attack), RobustnessGrid.Number(r.Intensity), Int(r.F),
                F4(r.FinalAsr!.Value.Mean), F4(r.FinalAsr.Value.Std), F4(r.RoundsAsr), Int(r.Seeds)]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>asr.md: per defense, backdoor variant and f, the final round's success rate and its mean over rounds.</summary>
    public static string AsrMarkdown(RobustnessGrid grid)
    {
        var text = new StringBuilder();
        text.Append("Backdoor attack success rate (the share of triggered test images, not of the target class, that the global model puts in the target class): ");
        text.Append("the final round's, mean ± sample std over seeds, and the mean over rounds averaged over seeds. Lower is better.\n\n");
        text.Append("| defense | attack | f | final ASR | mean ASR over rounds | seeds |\n");
        text.Append("| --- | --- | ---: | ---: | ---: | ---: |\n");
        foreach (var r in grid.AsrRows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {MdCell(r.Defense)} | {MdCell(grid.AttackLabel(r.Attack, r.Intensity))} | {r.F} | {Pm(r.FinalAsr!.Value)} | {F3(r.RoundsAsr)} | {r.Seeds} |\n");
        }
        return text.ToString();
    }

    private static string WorstCaseHeatmap(string path, RobustnessGrid grid, int? honest)
    {
        var values = new double?[grid.Defenses.Count, grid.F.Count];
        var notes = new string?[grid.Defenses.Count, grid.F.Count];
        foreach (var w in grid.WorstCases)
        {
            var (r, c) = (Index(grid.Defenses, w.Defense), Index(grid.F, w.F));
            values[r, c] = w.Accuracy.Mean;
            notes[r, c] = grid.AttackLabel(w.Attack, w.Intensity);
        }
        return HeatmapFigure.Write(path, "Worst-case final accuracy over attacks (mean over seeds)", grid.Defenses, FLabels(grid),
            values, "worst-case accuracy", new ScottPlot.Colormaps.Viridis(), notes, ColumnsLabel(honest));
    }

    /// <summary>The final success rate, mean over seeds; with several backdoor variants, the highest of them (named in the cell).</summary>
    private static string AsrHeatmap(string path, RobustnessGrid grid, int? honest)
    {
        var values = new double?[grid.Defenses.Count, grid.F.Count];
        var notes = new string?[grid.Defenses.Count, grid.F.Count];
        var several = grid.AsrRows.Select(r => (r.Attack, r.Intensity)).Distinct().Skip(1).Any();
        foreach (var g in grid.AsrRows.GroupBy(r => (r.Defense, r.F)))
        {
            var highest = g.MaxBy(r => r.FinalAsr!.Value.Mean)!;
            var (row, column) = (Index(grid.Defenses, g.Key.Defense), Index(grid.F, g.Key.F));
            values[row, column] = highest.FinalAsr!.Value.Mean;
            if (several) notes[row, column] = grid.AttackLabel(highest.Attack, highest.Intensity);
        }
        var title = several ? "Backdoor success rate, final round (highest over variants, mean over seeds)" : "Backdoor success rate, final round (mean over seeds)";
        // Reversed so that a colour means the same in both heatmaps: bright is good (high accuracy, low success rate).
        return HeatmapFigure.Write(path, title, grid.Defenses, FLabels(grid),
            values, "attack success rate", new ScottPlot.Colormaps.Viridis().Reversed(), notes, ColumnsLabel(honest));
    }

    private static IReadOnlyList<string> FLabels(RobustnessGrid grid) => [.. grid.F.Select(f => $"f = {f}")];

    /// <summary>The honest client count of the attacked cells when they all have the same (clients − f), else null.</summary>
    private static int? HonestClients(IReadOnlyList<CellResult> cells)
    {
        var honest = cells.Where(c => c.Attack != "none" && c.Clients > 0).Select(c => c.Clients - c.Malicious).Distinct().ToList();
        return honest.Count == 1 ? honest[0] : null;
    }

    private static string ColumnsLabel(int? honest) =>
        honest is int h ? $"malicious clients f (with {h} honest)" : "malicious clients f";
}
