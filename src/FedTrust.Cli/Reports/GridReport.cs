using System.Globalization;
using System.Text;
using FedTrust.Cli.Grid;
using FedTrust.Core.Settings;

namespace FedTrust.Cli.Reports;

/// <summary>
/// Everything a finished grid folder turns into: Table 1 (csv, md, with the paper's own figures where it states
/// them), the metric-vs-intensity figures, the per-attack comparison, the trust trajectories, and the ε sweep; or,
/// for a robustness grid (attacked cells at several malicious counts f), the worst-case, per-attack, detection and
/// backdoor reports of <see cref="RobustnessReport"/> in place of Table 1 and the figures; or, for a heterogeneity grid
/// (cells on more than one data set or partition), the reports of <see cref="HeterogeneityReport"/> in place of both.
/// An ε sweep gets the privacy report (<see cref="PrivacyGridReport"/>), and, when it is local DP without attacks at one client
/// count, epsilon-sweep.csv.
/// </summary>
public static class GridReport
{
    /// <summary>
    /// The paper states numbers only in its text (its Table 1 is an image that did not survive): the hybrid's
    /// accuracy "surpassing 0.87" under label flipping, and the baseline's "below 0.75" under gradient manipulation.
    /// Those bounds are shown beside our figures for the cells they speak of.
    /// </summary>
    public static readonly IReadOnlyDictionary<(string Defense, string Attack, double Intensity), string> PaperAccuracy =
        new[] { 0.1, 0.2, 0.3 }.SelectMany(i => new[]
        {
            (("hybrid", "label-flip", i), "> 0.87"),
            (("fedavg", "gradient-manipulation", i), "< 0.75"),
        }).ToDictionary(x => x.Item1, x => x.Item2);

    /// <summary>
    /// Writes the reports of the grid in <paramref name="dir"/>. With <paramref name="cellFolders"/> (the planned
    /// cells' folders, relative to <paramref name="dir"/>) only those cells are reported, so results that other
    /// grids left in the same folder never mix into this grid's tables and figures.
    /// </summary>
    public static IReadOnlyList<string> Write(string dir, ExperimentSettings settings, IReadOnlyCollection<string>? cellFolders = null)
    {
        var sweepPrefix = GridPlan.EpsilonSweepFolder + Path.DirectorySeparatorChar;
        var planned = cellFolders?.Select(f => Path.Combine(f, GridResults.FileName)).ToHashSet(StringComparer.Ordinal);
        bool Planned(string relative) => planned?.Contains(relative) ?? true;
        bool InSweep(string relative) => relative.StartsWith(sweepPrefix, StringComparison.Ordinal);
        var results = Directory.EnumerateFiles(dir, GridResults.FileName, SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f)).Where(Planned).ToList();
        var main = results.Any(r => !InSweep(r)) ? GridResults.Load(dir, relative => Planned(relative) && !InSweep(relative)) : [];
        // Sweep cells share (defense, attack none, intensity 0, seed) and differ by ε: loaded file by file.
        var sweep = results.Where(InSweep).Order(StringComparer.Ordinal).Select(r => GridResults.Read(Path.Combine(dir, r))).ToList();
        var written = new List<string>();
        if (main.Count > 0 && HeterogeneityGrid.Applies(main))
        {
            // Table 1 and the robustness reports have no data-set or partition axis: they would average the heterogeneity
            // levels together, so a grid over them gets its own reports, which keep every level apart.
            written.AddRange(HeterogeneityReport.Write(dir, main));
        }
        else if (main.Count > 0 && RobustnessReport.Applies(main))
        {
            // Table 1 and the paper's figures have no f axis: they would average different f together (and overwrite
            // one f's trust plots with another's), so a robustness grid gets its own reports, which keep f apart.
            written.AddRange(RobustnessReport.Write(dir, main));
        }
        else if (main.Count > 0)
        {
            written.AddRange(Table1.Write(dir, main, PaperAccuracy));
            written.AddRange(Figures.Write(dir, main, settings.Trust.Threshold));
        }
        if (sweep.Count > 0)
        {
            // epsilon-sweep.csv groups by defense and ε alone, per round: it is written for the local-DP sweep without
            // attacks at one client count (as before); the privacy report keeps every axis apart and is written for any sweep.
            var plain = sweep.All(c => c.Attack == "none" && !RunPrivacy.Of(c.Result).Central) && sweep.Select(c => c.Clients).Distinct().Count() == 1;
            if (plain) written.Add(WriteEpsilonSweep(dir, sweep));
            written.AddRange(PrivacyGridReport.Write(dir, [.. sweep.Select(c => new SweepCell(c, EpsilonOf(dir, c)))]));
        }
        return written;
    }

    /// <summary>epsilon-sweep.csv: per DP defense and per-round ε, the final metrics and the composed ε over the run.</summary>
    private static string WriteEpsilonSweep(string dir, IReadOnlyList<CellResult> cells)
    {
        var csv = new StringBuilder("defense,epsilon_per_round,accuracy,precision,recall,f1,epsilon_total,seeds\n");
        var rows = cells
            .GroupBy(c => (c.Defense, Epsilon: EpsilonOf(dir, c)))
            .OrderBy(g => g.Key.Defense, StringComparer.Ordinal).ThenBy(g => g.Key.Epsilon);
        foreach (var g in rows)
        {
            double Mean(Func<CellResult, double> f) => g.Average(f);
            var total = g.Select(c => c.Result.Rounds.LastOrDefault()?.Epsilon).ToList();
            csv.Append(string.Create(CultureInfo.InvariantCulture,
                $"{g.Key.Defense},{GridCell.Format(g.Key.Epsilon)},{Mean(c => c.Result.Final.Accuracy):F4},{Mean(c => c.Result.Final.Precision):F4},{Mean(c => c.Result.Final.Recall):F4},{Mean(c => c.Result.Final.F1):F4},"));
            csv.Append(total.All(t => t is not null) ? total.Average(t => t!.Value).ToString("F2", CultureInfo.InvariantCulture) : "inf");
            csv.Append(string.Create(CultureInfo.InvariantCulture, $",{g.Count()}\n"));
        }
        var path = Path.Combine(dir, "epsilon-sweep.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    /// <summary>The per-round ε of a sweep cell, read from its folder name (eps-&lt;value&gt;).</summary>
    private static double EpsilonOf(string dir, CellResult cell)
    {
        var part = Relative(dir, cell.Folder).Split(Path.DirectorySeparatorChar).First(p => p.StartsWith("eps-", StringComparison.Ordinal))[4..];
        return part == "inf" ? double.PositiveInfinity : double.Parse(part, CultureInfo.InvariantCulture);
    }

    private static string Relative(string dir, string folder) => Path.GetRelativePath(dir, Path.GetFullPath(folder, dir));
}
