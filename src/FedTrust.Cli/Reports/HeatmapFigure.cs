using ScottPlot;

namespace FedTrust.Cli.Reports;

/// <summary>
/// A table of values in [0, 1] drawn as a heatmap PNG (as ByzFL draws its robustness results): one coloured cell per
/// row and column on a fixed 0–1 colour scale with its colour bar, each cell's value printed in it (and an optional
/// note below the value, e.g. the attack that achieved it), rows labelled on the left and columns at the bottom. A
/// missing value is a grey cell marked "—".
/// </summary>
public static class HeatmapFigure
{
    /// <summary>Image width in pixels (the height grows with the row count).</summary>
    public const int Width = Figures.Width;

    private const int MinimumHeight = Figures.Height;
    private const int RowHeight = 44;
    private const int Frame = 160; // title, column labels and margins

    private static readonly ScottPlot.Range Scale = new(0, 1);
    private static readonly Color Missing = Color.FromHex("#d9d9d9");

    /// <summary>
    /// Writes the heatmap of <paramref name="values"/> (row × column; null where there is no value) to
    /// <paramref name="path"/> and returns the path. <paramref name="notes"/>, when given, is printed under each value.
    /// </summary>
    public static string Write(
        string path, string title, IReadOnlyList<string> rows, IReadOnlyList<string> columns, double?[,] values,
        string scaleLabel, IColormap colormap, string?[,]? notes = null, string? columnsLabel = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(values);
        if (values.GetLength(0) != rows.Count || values.GetLength(1) != columns.Count)
            throw new ArgumentException($"values are {values.GetLength(0)} × {values.GetLength(1)}, expected {rows.Count} × {columns.Count}", nameof(values));

        using var plot = new Plot();
        var intensities = new double[rows.Count, columns.Count];
        for (var r = 0; r < rows.Count; r++)
        for (var c = 0; c < columns.Count; c++)
            intensities[r, c] = values[r, c] ?? double.NaN;

        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = colormap;
        heatmap.ManualRange = Scale;
        heatmap.NaNCellColor = Missing;
        // Row 0 on top: cell (r, c) is centred on x = c, y = rows − 1 − r.
        heatmap.Rectangle = new CoordinateRect(-0.5, columns.Count - 0.5, -0.5, rows.Count - 0.5);

        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                var value = values[r, c];
                var note = notes?[r, c];
                var text = value is double v ? v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "—";
                if (value is not null && !string.IsNullOrEmpty(note)) text += "\n" + note;
                var label = plot.Add.Text(text, c, rows.Count - 1 - r);
                label.Alignment = Alignment.MiddleCenter;
                label.LabelFontSize = note is null ? 15 : 13;
                label.LabelBold = true;
                label.LabelFontColor = value is double shade ? TextOn(colormap.GetColor(shade, Scale)) : Colors.Black;
            }
        }

        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = scaleLabel;
        bar.LabelStyle.FontSize = 14;
        bar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(0.1);

        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows.Count).Select(r => (double)(rows.Count - 1 - r))], [.. rows]);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, columns.Count).Select(c => (double)c)], [.. columns]);
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.SetLimits(-0.5, columns.Count - 0.5, -0.5, rows.Count - 0.5);
        plot.HideGrid();
        plot.Title(title);
        if (columnsLabel is not null) plot.XLabel(columnsLabel);
        plot.SavePng(path, Width, Math.Max(MinimumHeight, Frame + RowHeight * rows.Count));
        return path;
    }

    /// <summary>Black text on a light cell, white on a dark one (by the cell colour's relative luminance).</summary>
    private static Color TextOn(Color background) =>
        0.2126 * background.R + 0.7152 * background.G + 0.0722 * background.B > 140 ? Colors.Black : Colors.White;
}
