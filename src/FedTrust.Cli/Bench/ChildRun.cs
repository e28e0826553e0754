using System.ComponentModel;
using System.Text.Json;

namespace FedTrust.Cli.Bench;

/// <summary>
/// One <c>fedtrust run</c> in a process of its own (peak RSS is a process's high-water mark, so each configuration
/// needs a fresh process): <c>dotnet fedtrust.dll run … --out TMP</c> with the trust ledger journaling in memory,
/// then what its result.json records: the per-round seconds and participants, the clients' training samples, and the
/// peak RSS. The temporary folder is deleted afterwards.
/// </summary>
internal static class ChildRun
{
    /// <summary>Runs fedtrust with <paramref name="options"/> after <c>run</c> (and <c>--out</c> added); returns its result.json's figures.</summary>
    public static async Task<ChildResult> RunAsync(IReadOnlyList<string> options, CancellationToken cancellation)
    {
        var dir = Directory.CreateTempSubdirectory("fedtrust-bench-scale-").FullName;
        try
        {
            var (file, prefix) = Command();
            ChildOutput child;
            try
            {
                child = await ChildProcess.RunAsync(file, prefix.Append("run").Concat(options).Concat(["--out", dir]), cancellation);
            }
            catch (Win32Exception e)
            {
                throw new ChildRunException($"could not start {file}: {e.Message}");
            }
            if (child.ExitCode != 0)
            {
                var line = child.Error.Split('\n').FirstOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal)) ?? child.Error.Trim();
                throw new ChildRunException($"the run exited {child.ExitCode}: {line}");
            }
            return Read(Path.Combine(dir, "result.json"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The dotnet host this process runs on (or dotnet from PATH) and this fedtrust.dll.</summary>
    private static (string File, string[] Prefix) Command()
    {
        var dll = typeof(ChildRun).Assembly.Location;
        var host = Environment.ProcessPath;
        return host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? (host, [dll]) : ("dotnet", [dll]);
    }

    private static ChildResult Read(string path)
    {
        if (!File.Exists(path)) throw new ChildRunException($"the run exited 0 but wrote no {Path.GetFileName(path)}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var samples = root.GetProperty("clients").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("trainSamples").GetInt32(), StringComparer.Ordinal);
        var rounds = root.GetProperty("rounds").EnumerateArray()
            .Select(r => new ChildRound(r.GetProperty("seconds").GetDouble(),
                r.GetProperty("participants").EnumerateArray().Sum(p => (long)samples[p.GetString()!]))
            {
                Accuracy = r.TryGetProperty("accuracy", out var accuracy) && accuracy.ValueKind == JsonValueKind.Number ? accuracy.GetDouble() : double.NaN,
            })
            .ToList();
        // result.json records the peak in MB with one decimal.
        var peakRssBytes = (long)(root.GetProperty("peakRssMb").GetDouble() * 1024 * 1024);
        return new ChildResult(rounds, peakRssBytes);
    }
}

/// <summary>A child run's rounds (seconds, and the training samples of the clients whose updates arrived) and its peak RSS.</summary>
internal sealed record ChildResult(IReadOnlyList<ChildRound> Rounds, long PeakRssBytes);

internal sealed record ChildRound(double Seconds, long ParticipantSamples)
{
    /// <summary>The global model's accuracy on the test set after the round (NaN where result.json has none).</summary>
    public double Accuracy { get; init; } = double.NaN;
}

/// <summary>A child run that failed or left no result; the message says why, in one line.</summary>
internal sealed class ChildRunException(string message) : Exception(message);
