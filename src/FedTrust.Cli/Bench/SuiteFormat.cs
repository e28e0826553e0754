using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FedTrust.Cli.Bench;

/// <summary>How the suite's tables write numbers (invariant culture, thousands separated).</summary>
internal static class SuiteFormat
{
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Seconds with three decimals below one second, two above.</summary>
    public static string Seconds(double value) => value.ToString(value < 1 ? "F3" : "F2", CultureInfo.InvariantCulture);

    public static string Ratio(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    public static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("N1", CultureInfo.InvariantCulture);

    public static string Gb(long bytes) => (bytes / (1024.0 * 1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>The table, followed by one plain line per note (what was skipped and why), so long reasons do not widen its columns.</summary>
    public static IRenderable WithNotes(Table table, IEnumerable<string> notes)
    {
        var lines = notes.Select(n => (IRenderable)new Text(n)).ToList();
        return lines.Count == 0 ? table : new Rows([table, .. lines]);
    }
}
