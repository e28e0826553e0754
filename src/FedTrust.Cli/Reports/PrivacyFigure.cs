using System.Globalization;
using ScottPlot;
using GridCell = FedTrust.Cli.Grid.GridCell;

namespace FedTrust.Cli.Reports;

/// <summary>
/// The privacy/accuracy curve of one defense under one attack (or none), as an 800×500 PNG: final accuracy (mean over
/// seeds, ± the sample std when there are several) against the ε target on a log scale, one line per client count.
/// ε = ∞ (no noise: central DP's upper bound on accuracy, local DP's clipping alone) stands at its own labelled
/// position to the right of a dashed break, joined to its line by a dotted segment.
/// </summary>
public static class PrivacyFigure
{
    /// <summary>The figure's file name: <c>privacy-accuracy-&lt;defense&gt;[-&lt;attack&gt;-&lt;intensity&gt;].png</c>, the attack only when it is not none.</summary>
    public static string FileName(string defense, string attack, double intensity) =>
        $"privacy-accuracy-{Figures.FileToken(defense)}{(attack == "none" ? "" : $"-{Figures.FileToken(attack)}-{GridCell.Format(intensity)}")}.png";

    /// <summary>Draws <paramref name="rows"/> (one defense, attack and intensity; any client counts and ε) to <paramref name="path"/> and returns it.</summary>
    public static string Write(string path, IReadOnlyList<PrivacyRow> rows)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (rows.Count == 0) throw new ArgumentException("no rows to plot", nameof(rows));
        var finite = rows.Select(r => r.Target).Where(double.IsFinite).Distinct().Order().ToList();
        if (finite.Any(e => e <= 0)) throw new ArgumentException("an ε target must be positive to stand on a log scale", nameof(rows));
        // Finite ε at log10(ε); ∞ half a span (at least half a decade) to the right of the largest.
        var low = finite.Count > 0 ? Math.Log10(finite[0]) : 0;
        var high = finite.Count > 0 ? Math.Log10(finite[^1]) : 0;
        var infinity = finite.Count > 0 ? high + Math.Max(0.5, 0.25 * (high - low)) : 0;
        double X(double target) => double.IsPositiveInfinity(target) ? infinity : Math.Log10(target);

        using var plot = new Plot();
        var populations = rows.Select(r => (r.Clients, r.PerRound)).Distinct().OrderBy(p => p.Clients).ToList();
        for (var i = 0; i < populations.Count; i++)
        {
            var points = rows.Where(r => (r.Clients, r.PerRound) == populations[i]).OrderBy(r => r.Target).ToList();
            var color = Figures.Palette[i % Figures.Palette.Length];
            var shape = Figures.Shapes[i % Figures.Shapes.Length];
            if (points.Any(r => r.Accuracy.Std > 0))
            {
                var bars = plot.Add.ErrorBar([.. points.Select(r => X(r.Target))], [.. points.Select(r => r.Accuracy.Mean)], [.. points.Select(r => r.Accuracy.Std)]);
                bars.Color = color;
                bars.LineWidth = 1.5f;
            }
            var noisy = points.Where(r => double.IsFinite(r.Target)).ToList();
            var line = plot.Add.Scatter(noisy.Select(r => X(r.Target)).ToArray(), noisy.Select(r => r.Accuracy.Mean).ToArray(), color);
            line.LineWidth = 2;
            line.MarkerShape = shape;
            line.MarkerSize = 9;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{populations[i].Clients} clients ({populations[i].PerRound}/round)");
            if (points.FirstOrDefault(r => double.IsPositiveInfinity(r.Target)) is { } noNoise)
            {
                double[] xs = noisy.Count > 0 ? [X(noisy[^1].Target), infinity] : [infinity];
                double[] ys = noisy.Count > 0 ? [noisy[^1].Accuracy.Mean, noNoise.Accuracy.Mean] : [noNoise.Accuracy.Mean];
                var tail = plot.Add.Scatter(xs, ys, color);
                tail.LinePattern = LinePattern.Dotted;
                tail.LineWidth = 2;
                tail.MarkerShape = shape;
                tail.MarkerSize = 9;
            }
        }

        var hasInfinity = rows.Any(r => double.IsPositiveInfinity(r.Target));
        if (hasInfinity && finite.Count > 0)
        {
            var gap = plot.Add.VerticalLine((high + infinity) / 2, 1, Colors.Gray, LinePattern.Dashed);
            gap.LineWidth = 1;
        }
        var central = rows.Any(r => r.Central);
        plot.Axes.Bottom.SetTicks(
            [.. finite.Select(Math.Log10), .. hasInfinity ? [infinity] : Array.Empty<double>()],
            [.. finite.Select(e => GridCell.Format(e)), .. hasInfinity ? [central ? "∞ (no noise)" : "∞ (clip only)"] : Array.Empty<string>()]);
        var first = rows[0];
        var attack = first.Attack == "none" ? "no attack" : $"{Figures.AttackName(first.Attack)} {GridCell.Format(first.Intensity)}";
        plot.Title($"Accuracy vs privacy: {Figures.DisplayName(first.Defense)}, {attack}");
        var delta = rows.Select(r => r.Delta).FirstOrDefault(d => d is not null);
        plot.XLabel((central ? "total ε over the run (target)" : "ε per round") +
                    (delta is { } dl ? string.Create(CultureInfo.InvariantCulture, $", δ = {dl:0.##e+0}") : "") + ", log scale");
        plot.YLabel($"final accuracy (mean over seeds{(rows.Any(r => r.Seeds > 1) ? ", ± std" : "")})");
        plot.Axes.Margins(horizontal: 0.08, vertical: 0.15);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Figures.Width, Figures.Height);
        return path;
    }
}
