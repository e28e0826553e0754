using System.Globalization;

namespace FedTrust.Cli.Reports;

/// <summary>How the grid's reports write numbers, table cells and files (shared by the robustness and heterogeneity reports).</summary>
internal static class ReportFormat
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in <paramref name="dir"/> and returns the path.</summary>
    public static string Save(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>4 decimals for a CSV field; empty where there is no value.</summary>
    public static string F4(double? value) => value?.ToString("F4", CultureInfo.InvariantCulture) ?? "";

    /// <summary>3 decimals for reading; "n/a" where there is no value.</summary>
    public static string F3(double? value) => value?.ToString("F3", CultureInfo.InvariantCulture) ?? "n/a";

    /// <summary>"mean ± std", 3 decimals each.</summary>
    public static string Pm(MetricSummary s) => $"{F3(s.Mean)} ± {F3(s.Std)}";

    public static string CsvField(string value) => Table1.CsvField(value);

    public static string MdCell(string value) => Table1.MdCell(value);

    /// <summary>The position of <paramref name="item"/> in <paramref name="list"/>, −1 when absent.</summary>
    public static int Index<T>(IReadOnlyList<T> list, T item) => list.ToList().IndexOf(item);
}
