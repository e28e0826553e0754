namespace FedTrust.Core.Diagnostics;

/// <summary>Resident memory of this process, read from /proc/self/status (Linux); elsewhere from the runtime's working set.</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in bytes (VmRSS).</summary>
    public static long CurrentRssBytes() => Read("VmRSS:") ?? Environment.WorkingSet;

    /// <summary>Peak resident set size in bytes (VmHWM).</summary>
    public static long PeakRssBytes() => Read("VmHWM:") ?? System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;

    private static long? Read(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        return null;
    }
}
