using System.Globalization;
using FedTrust.Core.Results;

namespace FedTrust.Cli.Reports;

/// <summary>
/// classes.png: how a run's training data is split, clients × classes, each cell the share of the client's training
/// samples that hold the class (its count under it), on <see cref="HeatmapFigure"/>'s 0–1 scale, so label skew shows as
/// a few dark cells per row and an IID split as an even row.
/// </summary>
public static class ClassesFigure
{
    /// <summary>The file name in the run's folder.</summary>
    public const string FileName = "classes.png";

    /// <summary>At most this many clients (the first ones) are drawn; the title says when there are more.</summary>
    public const int MaxClients = 40;

    /// <summary>Writes the figure of <paramref name="clients"/> that recorded a class histogram to <paramref name="path"/>; null when none did.</summary>
    public static string? Write(string path, string description, IReadOnlyList<ClientResult> clients)
    {
        var recorded = clients.Where(c => c.Classes is { Count: > 0 }).ToList();
        if (recorded.Count == 0) return null;
        var shown = recorded.Take(MaxClients).ToList();
        var classes = shown.Max(c => c.Classes!.Count);
        var values = new double?[shown.Count, classes];
        var notes = new string?[shown.Count, classes];
        for (var r = 0; r < shown.Count; r++)
        {
            var counts = shown[r].Classes!;
            double total = counts.Sum();
            for (var c = 0; c < counts.Count; c++)
            {
                values[r, c] = total > 0 ? counts[c] / total : 0;
                notes[r, c] = counts[c].ToString(CultureInfo.InvariantCulture);
            }
        }
        var more = recorded.Count > shown.Count ? $" (first {shown.Count} of {recorded.Count} clients)" : "";
        return HeatmapFigure.Write(path, $"Training samples per class: {description}{more}",
            [.. shown.Select(c => c.Id + (c.Malicious ? " (malicious)" : ""))],
            [.. Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture))],
            values, "share of the client's samples", new ScottPlot.Colormaps.Viridis(), notes, columnsLabel: "class");
    }
}
