using System.Globalization;
using System.Text;

namespace FedTrust.Cli.Reports;

/// <summary>Mean and sample standard deviation of one metric over a cell's seeds (the deviation is 0 for one seed).</summary>
public readonly record struct MetricSummary(double Mean, double Std)
{
    /// <summary>The mean and sample standard deviation (n − 1 in the denominator) of <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static MetricSummary Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("a summary needs at least one value", nameof(values));
        var mean = values.Average();
        if (values.Count == 1) return new MetricSummary(mean, 0);
        var squares = values.Sum(v => (v - mean) * (v - mean));
        return new MetricSummary(mean, Math.Sqrt(squares / (values.Count - 1)));
    }
}

/// <summary>One row of Table 1: a (defense, attack, intensity) cell's final metrics over its seeds.</summary>
public sealed record Table1Row(
    string Defense,
    string Attack,
    double Intensity,
    MetricSummary Accuracy,
    MetricSummary Precision,
    MetricSummary Recall,
    MetricSummary F1,
    int Seeds);

/// <summary>
/// The paper's Table 1 (results of attacks and defenses on the evaluation metrics), from a grid's cells:
/// final accuracy, precision, recall and F1 of each (defense, attack, intensity), mean ± sample std over seeds.
/// Written as table1.csv (for tools) and table1.md (for reading), in the order of <see cref="Compare"/>.
/// </summary>
public static class Table1
{
    /// <summary>The CSV header, exactly.</summary>
    public const string CsvHeader = "defense,attack,intensity,accuracy,precision,recall,f1,accuracy_std,precision_std,recall_std,f1_std,seeds";

    private static readonly string[] DefenseOrder = ["fedavg", "krum", "multi-krum", "dp", "trust", "hybrid"];
    private static readonly string[] AttackOrder = ["none", "label-flip", "gradient-manipulation"];

    /// <summary>
    /// The cells grouped by (defense, attack, intensity) and summarised over seeds, sorted: defenses fedavg, krum,
    /// multi-krum, dp, trust, hybrid, then others alphabetically; attack none, label-flip, gradient-manipulation, then
    /// others alphabetically; intensity ascending.
    /// </summary>
    public static IReadOnlyList<Table1Row> Aggregate(IReadOnlyList<CellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return cells
            .GroupBy(c => (c.Defense, c.Attack, c.Intensity))
            .Select(g =>
            {
                var finals = g.Select(c => c.Result.Final).ToList();
                return new Table1Row(
                    g.Key.Defense, g.Key.Attack, g.Key.Intensity,
                    MetricSummary.Of([.. finals.Select(f => f.Accuracy)]),
                    MetricSummary.Of([.. finals.Select(f => f.Precision)]),
                    MetricSummary.Of([.. finals.Select(f => f.Recall)]),
                    MetricSummary.Of([.. finals.Select(f => f.F1)]),
                    g.Count());
            })
            .Order(Comparer<Table1Row>.Create((a, b) => Compare((a.Defense, a.Attack, a.Intensity), (b.Defense, b.Attack, b.Intensity))))
            .ToList();
    }

    /// <summary>
    /// Writes table1.csv and table1.md into <paramref name="outDir"/> (created if missing) and returns their paths.
    /// <paramref name="paperAccuracy"/>, when given, adds a "paper's accuracy" column (text, e.g. "> 0.87") to the Markdown table
    /// ("—" where the paper has no figure for a row); names are matched case-insensitively.
    /// </summary>
    public static IReadOnlyList<string> Write(
        string outDir,
        IReadOnlyList<CellResult> cells,
        IReadOnlyDictionary<(string Defense, string Attack, double Intensity), string>? paperAccuracy = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        var rows = Aggregate(cells);
        Directory.CreateDirectory(outDir);
        var csv = Path.Combine(outDir, "table1.csv");
        var md = Path.Combine(outDir, "table1.md");
        File.WriteAllText(csv, Csv(rows));
        File.WriteAllText(md, Markdown(rows, paperAccuracy));
        return [csv, md];
    }

    /// <summary>The CSV text: <see cref="CsvHeader"/>, then one line per row; numbers in invariant culture with 4 decimals.</summary>
    public static string Csv(IReadOnlyList<Table1Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder().Append(CsvHeader).Append('\n');
        foreach (var r in rows)
        {
            string[] fields =
            [
                CsvField(r.Defense), CsvField(r.Attack), F(r.Intensity),
                F(r.Accuracy.Mean), F(r.Precision.Mean), F(r.Recall.Mean), F(r.F1.Mean),
                F(r.Accuracy.Std), F(r.Precision.Std), F(r.Recall.Std), F(r.F1.Std),
                r.Seeds.ToString(CultureInfo.InvariantCulture),
            ];
            text.AppendJoin(',', fields).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The Markdown table: each metric as "mean ± std", plus the paper's accuracy column when given.</summary>
    public static string Markdown(
        IReadOnlyList<Table1Row> rows,
        IReadOnlyDictionary<(string Defense, string Attack, double Intensity), string>? paperAccuracy = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var paper = paperAccuracy?.ToDictionary(
            p => (p.Key.Defense.Trim().ToLowerInvariant(), p.Key.Attack.Trim().ToLowerInvariant(), Math.Round(p.Key.Intensity, 9)),
            p => p.Value);

        var text = new StringBuilder();
        text.Append("| defense | attack | intensity | accuracy | precision | recall | F1 | seeds |");
        text.Append(paper is null ? "\n" : " paper's accuracy |\n");
        text.Append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        text.Append(paper is null ? "\n" : " ---: |\n");
        foreach (var r in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {MdCell(r.Defense)} | {MdCell(r.Attack)} | {r.Intensity.ToString("0.0###", CultureInfo.InvariantCulture)} | {Pm(r.Accuracy)} | {Pm(r.Precision)} | {Pm(r.Recall)} | {Pm(r.F1)} | {r.Seeds} |");
            if (paper is not null)
            {
                var found = paper.TryGetValue((r.Defense, r.Attack, Math.Round(r.Intensity, 9)), out var value);
                text.Append(' ').Append(found ? MdCell(value!) : "—").Append(" |");
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// The report order of (defense, attack, intensity): defenses fedavg, krum, multi-krum, dp, trust, hybrid, then others
    /// alphabetically; attacks none, label-flip, gradient-manipulation, then others alphabetically; intensity ascending.
    /// </summary>
    public static int Compare((string Defense, string Attack, double Intensity) a, (string Defense, string Attack, double Intensity) b)
    {
        var byDefense = CompareDefense(a.Defense, b.Defense);
        if (byDefense != 0) return byDefense;
        var byAttack = CompareAttack(a.Attack, b.Attack);
        return byAttack != 0 ? byAttack : a.Intensity.CompareTo(b.Intensity);
    }

    /// <summary>Defense names in report order (see <see cref="Compare"/>).</summary>
    public static int CompareDefense(string a, string b) => CompareRanked(DefenseOrder, a, b);

    /// <summary>Attack names in report order (see <see cref="Compare"/>).</summary>
    public static int CompareAttack(string a, string b) => CompareRanked(AttackOrder, a, b);

    private static int CompareRanked(string[] order, string a, string b)
    {
        var ra = Array.IndexOf(order, a);
        var rb = Array.IndexOf(order, b);
        ra = ra < 0 ? order.Length : ra;
        rb = rb < 0 ? order.Length : rb;
        return ra != rb ? ra.CompareTo(rb) : string.CompareOrdinal(a, b);
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Pm(MetricSummary s) => $"{F(s.Mean)} ± {F(s.Std)}";

    /// <summary>A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break.</summary>
    internal static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    /// <summary>Text for a Markdown table cell: its pipes escaped.</summary>
    internal static string MdCell(string value) => value.Replace("|", "\\|");
}
