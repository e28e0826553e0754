using System.Globalization;
using ScottPlot;

namespace FedTrust.Cli.Reports;

/// <summary>
/// The paper's figures from a grid's cells, as 800×500 PNG files rendered headless with ScottPlot:
/// <list type="bullet">
/// <item><c>fig-{metric}-{attack}.png</c> for each attack other than "none" and each of accuracy, precision, recall
/// and F1 (figures 4.1–4.4): the final metric against the attack intensity, one line per defense (mean over seeds,
/// error bars ± the sample std when there are several seeds), starting from the defense's no-attack reference at
/// intensity 0 when the grid has one.</item>
/// <item><c>fig-comparison.png</c> (section III.E): grouped bars of final accuracy, precision, recall and F1 per
/// defense for each attack, averaged over intensities and seeds.</item>
/// <item><c>trust-{defense}-{attack}-{intensity}.png</c> for each run that recorded per-round trust: every client's
/// score per round, malicious clients red and solid, honest ones blue and dashed, and the exclusion threshold as a
/// dotted line when given. When a cell has several seeds, one file per seed, suffixed <c>-seed{seed}</c>.</item>
/// </list>
/// </summary>
public static class Figures
{
    /// <summary>Image width in pixels.</summary>
    public const int Width = 800;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 500;

    /// <summary>The metric names used in file names, in the order they are drawn.</summary>
    public static IReadOnlyList<string> Metrics { get; } = ["accuracy", "precision", "recall", "f1"];

    internal static readonly Color[] Palette = Color.FromHex(
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#e377c2", "#7f7f7f", "#bcbd22", "#d62728"]);

    internal static readonly MarkerShape[] Shapes =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown, MarkerShape.OpenCircle];

    private static readonly Color MaliciousColor = Color.FromHex("#d62728");
    private static readonly Color HonestColor = Color.FromHex("#1f77b4");

    /// <summary>
    /// Writes every figure into <paramref name="outDir"/> (created if missing) and returns the written paths in
    /// order: metric figures, the comparison, the trust plots. <paramref name="exclusionThreshold"/>, when given,
    /// is drawn on the trust plots.
    /// </summary>
    public static IReadOnlyList<string> Write(string outDir, IReadOnlyList<CellResult> cells, double? exclusionThreshold = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        ArgumentNullException.ThrowIfNull(cells);
        if (exclusionThreshold is double t && !double.IsFinite(t))
            throw new ArgumentOutOfRangeException(nameof(exclusionThreshold), t, "the exclusion threshold must be a finite number");
        Directory.CreateDirectory(outDir);

        var rows = Table1.Aggregate(cells);
        var defenses = rows.Select(r => r.Defense).Distinct().ToList(); // already in report order
        var style = defenses.Select((d, i) => (d, i)).ToDictionary(p => p.d, p => (Palette[p.i % Palette.Length], Shapes[p.i % Shapes.Length]));
        var attacks = rows.Select(r => r.Attack).Where(a => a != "none").Distinct().ToList();

        var written = new List<string>();
        foreach (var attack in attacks)
        {
            foreach (var metric in Metrics)
            {
                written.Add(MetricFigure(Path.Combine(outDir, $"fig-{metric}-{FileToken(attack)}.png"), rows, defenses, style, attack, metric));
            }
        }
        if (attacks.Count > 0) written.Add(Comparison(Path.Combine(outDir, "fig-comparison.png"), cells, defenses, attacks));

        var trustCells = cells
            .Where(c => c.Result.Rounds.Any(r => r.Trust is { Count: > 0 }))
            .OrderBy(c => (c.Defense, c.Attack, c.Intensity), Comparer<(string, string, double)>.Create(Table1.Compare))
            .ThenBy(c => c.Seed)
            .ToList();
        foreach (var group in trustCells.GroupBy(c => (c.Defense, c.Attack, c.Intensity)))
        {
            var several = group.Count() > 1;
            foreach (var cell in group)
            {
                var name = $"trust-{FileToken(cell.Defense)}-{FileToken(cell.Attack)}-{Number(cell.Intensity)}"
                    + (several ? $"-seed{cell.Seed.ToString(CultureInfo.InvariantCulture)}" : "") + ".png";
                written.Add(TrustFigure(Path.Combine(outDir, name), cell, exclusionThreshold));
            }
        }
        return written;
    }

    private static string MetricFigure(
        string path, IReadOnlyList<Table1Row> rows, IReadOnlyList<string> defenses,
        IReadOnlyDictionary<string, (Color Color, MarkerShape Shape)> style, string attack, string metric)
    {
        using var plot = new Plot();
        var intensities = new SortedSet<double>();
        foreach (var defense in defenses)
        {
            var points = rows.Where(r => r.Defense == defense && r.Attack == attack).ToList();
            if (points.Count == 0) continue;
            // The no-attack reference stands at intensity 0, unless the attack itself was run at intensity 0.
            var reference = rows.FirstOrDefault(r => r.Defense == defense && r.Attack == "none");
            if (reference is not null && !points.Any(r => r.Intensity == 0)) points.Insert(0, reference);
            points.Sort((a, b) => a.Intensity.CompareTo(b.Intensity));
            var xs = points.Select(r => r.Intensity).ToArray();
            var summaries = points.Select(r => Summary(r, metric)).ToArray();
            var ys = summaries.Select(s => s.Mean).ToArray();
            intensities.UnionWith(xs);

            var (color, shape) = style[defense];
            if (summaries.Any(s => s.Std > 0))
            {
                var bars = plot.Add.ErrorBar(xs, ys, [.. summaries.Select(s => s.Std)]);
                bars.Color = color;
                bars.LineWidth = 1.5f;
            }
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = DisplayName(defense);
            line.LineWidth = 2;
            line.MarkerShape = shape;
            line.MarkerSize = 9;
        }

        var hasReference = rows.Any(r => r.Attack == "none");
        plot.Axes.Bottom.SetTicks(
            [.. intensities],
            [.. intensities.Select(x => x == 0 && hasReference ? "0 (no attack)" : Number(x))]);
        plot.Title($"{MetricName(metric)} of the final model vs. {AttackName(attack)} intensity");
        plot.XLabel("attack intensity");
        plot.YLabel($"{MetricName(metric)} (mean over seeds{(rows.Any(r => r.Seeds > 1) ? ", ± std" : "")})");
        plot.Axes.Margins(horizontal: 0.08, vertical: 0.15);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width, Height);
        return path;
    }

    private static string Comparison(string path, IReadOnlyList<CellResult> cells, IReadOnlyList<string> defenses, IReadOnlyList<string> attacks)
    {
        using var plot = new Plot();
        const double barWidth = 0.2;
        var metricColors = new[] { Palette[0], Palette[1], Palette[2], Palette[3] };
        var bars = new List<Bar>();
        var tickPositions = new List<double>();
        var tickLabels = new List<string>();
        var blocks = new List<(string Attack, double Center, double Gap, bool Last)>();
        var position = 0.0;
        for (var a = 0; a < attacks.Count; a++)
        {
            var blockStart = position;
            foreach (var defense in defenses)
            {
                // Mean over intensities of the per-intensity means, so every intensity weighs the same whatever its seed count.
                var byIntensity = cells.Where(c => c.Defense == defense && c.Attack == attacks[a]).GroupBy(c => c.Intensity).ToList();
                if (byIntensity.Count == 0) continue;
                for (var m = 0; m < Metrics.Count; m++)
                {
                    bars.Add(new Bar
                    {
                        Position = position + (m - 1.5) * barWidth,
                        Value = byIntensity.Average(g => g.Average(c => Value(c.Result.Final, Metrics[m]))),
                        Size = barWidth * 0.95,
                        FillColor = metricColors[m],
                        LineWidth = 0,
                    });
                }
                tickPositions.Add(position);
                tickLabels.Add(DisplayName(defense));
                position += 1;
            }
            if (position > blockStart)
            {
                blocks.Add((attacks[a], (blockStart + position - 1) / 2, position, a == attacks.Count - 1));
                position += 1; // a gap between attack blocks
            }
        }
        plot.Add.Bars(bars);

        var lowest = bars.Min(b => b.Value);
        var highest = bars.Max(b => b.Value);
        var bottom = Math.Max(0.0, Math.Floor((lowest - 0.05) * 10) / 10);
        var span = Math.Max(highest - bottom, 0.05);
        var labelY = highest + 0.03 * span;
        foreach (var (attack, center, gap, last) in blocks)
        {
            var label = plot.Add.Text(AttackName(attack), center, labelY);
            label.LabelFontSize = 14;
            label.LabelBold = true;
            label.Alignment = Alignment.LowerCenter;
            if (!last)
            {
                var separator = plot.Add.VerticalLine(gap, 1, Colors.Gray, LinePattern.Dashed);
                separator.LineWidth = 1;
            }
        }
        plot.Axes.SetLimits(-0.7, position - 2 + 0.7, bottom, highest + 0.12 * span);
        plot.Axes.Bottom.SetTicks([.. tickPositions], [.. tickLabels]);
        plot.Title("Defenses against each attack (mean over intensities and seeds)");
        plot.YLabel(bottom > 0 ? $"final metric (axis starts at {Number(bottom)})" : "final metric");
        plot.Legend.ManualItems.AddRange(Metrics.Select((m, i) => new LegendItem { LabelText = MetricName(m), FillColor = metricColors[i] }));
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width, Height);
        return path;
    }

    private static string TrustFigure(string path, CellResult cell, double? threshold)
    {
        var malicious = (cell.Result.Clients ?? []).Where(c => c.Malicious).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var rounds = cell.Result.Rounds
            .Where(r => r.Trust is { Count: > 0 })
            .Select(r => (r.Round, (IReadOnlyDictionary<string, double>)r.Trust!))
            .ToList();
        var attack = cell.Attack == "none" ? "no attack" : $"{AttackName(cell.Attack)} {Number(cell.Intensity)}";
        return TrustTrajectory(path, $"Trust per round: {DisplayName(cell.Defense)}, {attack}, seed {cell.Seed.ToString(CultureInfo.InvariantCulture)}",
            rounds, malicious, threshold);
    }

    /// <summary>
    /// A trust-trajectory chart: one line per client over rounds, malicious clients red and solid on top, honest ones
    /// blue and dashed, the exclusion threshold dotted. Used by the grid's trust figures and by <c>fedtrust replay</c>.
    /// </summary>
    public static string TrustTrajectory(string path, string title, IReadOnlyList<(int Round, IReadOnlyDictionary<string, double> Scores)> rounds,
        IReadOnlySet<string> malicious, double? threshold)
    {
        if (rounds.Count == 0) throw new ArgumentException("no rounds with trust scores to plot", nameof(rounds));
        using var plot = new Plot();
        var ids = rounds.SelectMany(r => r.Scores.Keys).Distinct().Order(FedTrust.Core.ClientIdComparer.Instance).ToList();

        // Honest clients first so the malicious ones are drawn on top.
        foreach (var id in ids.OrderBy(malicious.Contains))
        {
            var points = rounds.Where(r => r.Scores.ContainsKey(id)).Select(r => (X: (double)r.Round, Y: r.Scores[id])).ToArray();
            var isMalicious = malicious.Contains(id);
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), isMalicious ? MaliciousColor : HonestColor);
            line.LineWidth = isMalicious ? 2.5f : 1.2f;
            line.LinePattern = isMalicious ? LinePattern.Solid : LinePattern.Dashed;
            line.MarkerSize = isMalicious ? 6 : 0;
        }
        if (threshold is double t)
        {
            var rule = plot.Add.HorizontalLine(t, 1.5f, Colors.Black, LinePattern.Dotted);
            rule.LineWidth = 1.5f;
        }

        var maliciousCount = ids.Count(malicious.Contains);
        if (maliciousCount > 0)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"malicious ({maliciousCount})", LineColor = MaliciousColor, LineWidth = 2.5f, LinePattern = LinePattern.Solid });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = maliciousCount > 0 ? $"honest ({ids.Count - maliciousCount})" : $"clients ({ids.Count})", LineColor = HonestColor, LineWidth = 1.2f, LinePattern = LinePattern.Dashed });
        if (threshold is double shown)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"threshold {Number(shown)}", LineColor = Colors.Black, LineWidth = 1.5f, LinePattern = LinePattern.Dotted });
        plot.ShowLegend(Edge.Right);

        plot.Title(title);
        plot.XLabel("round");
        plot.YLabel("trust score");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        var values = rounds.SelectMany(r => r.Scores.Values).Append(threshold ?? 0.5).ToList();
        var low = Math.Min(0, values.Min());
        var high = Math.Max(1, values.Max());
        plot.Axes.SetLimits(rounds.Min(r => r.Round) - 0.5, rounds.Max(r => r.Round) + 0.5, low - 0.05 * (high - low), high + 0.05 * (high - low));
        plot.SavePng(path, Width, Height);
        return path;
    }

    private static MetricSummary Summary(Table1Row row, string metric) => metric switch
    {
        "accuracy" => row.Accuracy,
        "precision" => row.Precision,
        "recall" => row.Recall,
        _ => row.F1,
    };

    private static double Value(ResultMetrics final, string metric) => metric switch
    {
        "accuracy" => final.Accuracy,
        "precision" => final.Precision,
        "recall" => final.Recall,
        _ => final.F1,
    };

    private static string MetricName(string metric) => metric switch
    {
        "f1" => "F1",
        _ => char.ToUpperInvariant(metric[0]) + metric[1..],
    };

    internal static string DisplayName(string defense) => defense switch
    {
        "fedavg" => "FedAvg",
        "krum" => "Krum",
        "multi-krum" => "Multi-Krum",
        "dp" => "DP",
        "trust" => "Trust",
        "hybrid" => "Hybrid",
        _ => defense,
    };

    internal static string AttackName(string attack) => attack.Replace('-', ' ');

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    internal static string FileToken(string name) =>
        string.Concat(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '_'));
}
