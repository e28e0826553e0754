using System.Globalization;
using System.Text;
using FedTrust.Cli.Grid;
using static FedTrust.Cli.Reports.ReportFormat;

namespace FedTrust.Cli.Reports;

/// <summary>
/// The privacy report of a grid's ε sweep (<see cref="PrivacyRow"/> for what each row holds), written into the grid folder:
/// <list type="bullet">
/// <item><c>privacy.csv</c>, <c>privacy.md</c>: per defense, attack, client count and ε target, the clients per round,
/// the final accuracy, the ε spent, the noise multiplier, the rounds run and, under attack, the detection rates.</item>
/// <item><c>privacy-accuracy-&lt;defense&gt;[-&lt;attack&gt;-&lt;intensity&gt;].png</c> (<see cref="PrivacyFigure"/>): accuracy
/// against ε, one line per client count.</item>
/// </list>
/// </summary>
public static class PrivacyGridReport
{
    /// <summary>The privacy CSV header, exactly.</summary>
    public const string Header =
        "defense,attack,intensity,clients,clients_per_round,epsilon_kind,epsilon_target,accuracy_mean,accuracy_std," +
        "epsilon_spent,delta,noise_multiplier,rounds,stopped,tpr,fpr,seeds";

    /// <summary>Writes the privacy report of <paramref name="cells"/> into <paramref name="outDir"/> and returns the paths: csv, md, then the figures.</summary>
    public static IReadOnlyList<string> Write(string outDir, IReadOnlyList<SweepCell> cells)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        var rows = PrivacyRow.Of(cells);
        Directory.CreateDirectory(outDir);
        return
        [
            Save(outDir, "privacy.csv", Csv(rows)),
            Save(outDir, "privacy.md", Markdown(rows)),
            .. rows.GroupBy(r => (r.Defense, r.Attack, r.Intensity))
                .Select(g => PrivacyFigure.Write(Path.Combine(outDir, PrivacyFigure.FileName(g.Key.Defense, g.Key.Attack, g.Key.Intensity)), [.. g])),
        ];
    }

    /// <summary>privacy.csv: <see cref="Header"/>, one line per row; ε "inf" where infinite, absent values empty.</summary>
    public static string Csv(IReadOnlyList<PrivacyRow> rows)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
        {
            text.AppendJoin(',', [
                CsvField(r.Defense), CsvField(r.Attack), GridCell.Format(r.Intensity, "R"), Int(r.Clients), Int(r.PerRound),
                r.Central ? "total" : "per-round", GridCell.Format(r.Target, "R"), F4(r.Accuracy.Mean), F4(r.Accuracy.Std),
                Epsilon(r.Epsilon, "F4"), r.Delta?.ToString("R", CultureInfo.InvariantCulture) ?? "", F4(r.NoiseMultiplier),
                r.Rounds.ToString("0.#", CultureInfo.InvariantCulture), Int(r.Stopped), F4(r.Tpr), F4(r.Fpr), Int(r.Seeds)]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>privacy.md: what the columns mean, then the rows as one table.</summary>
    public static string Markdown(IReadOnlyList<PrivacyRow> rows)
    {
        var central = rows.Any(r => r.Central);
        var text = new StringBuilder();
        text.Append("Privacy against accuracy: each DP defense of the ε sweep, per attack, client count and ε target. ");
        text.Append(central
            ? "*ε target*: the total ε over the planned rounds the noise was calibrated to (central DP; ∞: no noise). "
            : "*ε target*: the per-round ε of each client's noise (local DP; ∞: clipping alone). ");
        text.Append("*Accuracy*: final accuracy, mean ± sample std over seeds. *ε spent*: the ε the run's accountant reached (∞: no noise), mean over seeds. ");
        text.Append("*σ/C*: the noise multiplier. *Rounds*: rounds run, fewer than planned where a run stopped at its privacy budget (the seeds that did in parentheses). ");
        text.Append("*TPR*, *FPR*: the share of malicious, and of honest, clients the defense excluded in a round, averaged over rounds and seeds (attacked rows). ");
        text.Append("— marks a value the runs did not record.\n\n");
        text.Append("| defense | attack | clients | per round | ε target | accuracy | ε spent | σ/C | rounds | TPR | FPR | seeds |\n");
        text.Append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var r in rows)
        {
            var attack = r.Attack == "none" ? "none" : $"{r.Attack} {GridCell.Format(r.Intensity)}";
            var rounds = r.Rounds.ToString("0.#", CultureInfo.InvariantCulture) + (r.Stopped > 0 ? $" ({r.Stopped} stopped)" : "");
            text.Append(CultureInfo.InvariantCulture,
                $"| {MdCell(r.Defense)} | {MdCell(attack)} | {r.Clients} | {r.PerRound} | {Epsilon(r.Target, "0.###", "∞")} | {Pm(r.Accuracy)} | {Epsilon(r.Epsilon, "0.###", "∞")} | ");
            text.Append(CultureInfo.InvariantCulture,
                $"{Dash(r.NoiseMultiplier, "0.####")} | {rounds} | {Dash(r.Tpr, "0.000")} | {Dash(r.Fpr, "0.000")} | {r.Seeds} |\n");
        }
        return text.ToString();
    }

    private static string Epsilon(double value, string format, string infinity = "inf") =>
        double.IsPositiveInfinity(value) ? infinity : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Dash(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "—";
}
