using System.Reflection;
using System.Runtime.InteropServices;
using FedTrust.Core.Settings;

namespace FedTrust.Cli.Bench;

/// <summary>What the figures were measured on: they mean little without it.</summary>
internal sealed record MachineInfo(int Cores, string CpuModel, string Os, string Dotnet, string TorchSharp, string Build, long? MemoryBytes,
    int Trainers, int TorchThreads)
{
    public static MachineInfo Of(ExperimentSettings settings) => new(
        Environment.ProcessorCount,
        ReadCpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        typeof(MachineInfo).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown",
        MemInfo("MemTotal:"),
        settings.Trainers,
        settings.TorchThreads);

    /// <summary>The memory the kernel says can be used now without swapping (MemAvailable), or null where /proc/meminfo is missing.</summary>
    public static long? AvailableMemoryBytes() => MemInfo("MemAvailable:");

    /// <summary>The first "model name" of /proc/cpuinfo, else the architecture.</summary>
    private static string ReadCpuModel()
    {
        const string path = "/proc/cpuinfo";
        var line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line?[(line.IndexOf(':') + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static long? MemInfo(string field)
    {
        const string path = "/proc/meminfo";
        if (!File.Exists(path)) return null;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        var kb = line?[field.Length..].Trim().Split(' ')[0];
        return long.TryParse(kb, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value * 1024 : null;
    }
}
