using System.Text.Json;
using FedTrust.Actors.Persistence;

namespace FedTrust.Cli.Commands;

/// <summary>
/// What the files a run leaves beside its SQLite journal say about it, when they belong to the same run id:
/// result.json (every client, the malicious ones, the trust threshold) and, for a run that has not finished,
/// checkpoint.json (every client, from the trust scores of its rounds so far). A file of another run, or one that
/// cannot be read, says nothing. Replay uses these for the ground truth and the roster of the run's clients.
/// </summary>
internal sealed record RunRecords(IReadOnlySet<string>? Clients, string? ClientsFrom, IReadOnlySet<string>? Malicious, double? Threshold)
{
    private static readonly RunRecords None = new(null, null, null, null);

    /// <summary>The records of run <paramref name="runId"/> beside <paramref name="journal"/> (none for a connection string).</summary>
    public static RunRecords Beside(string journal, string runId)
    {
        if (!File.Exists(journal)) return None;
        var dir = Path.GetDirectoryName(Path.GetFullPath(journal))!;
        var result = FromResult(Path.Combine(dir, "result.json"), runId);
        if (result.Clients is not null) return result;
        return FromCheckpoint(dir, runId) is { } clients ? result with { Clients = clients, ClientsFrom = CheckpointFile.FileName } : result;
    }

    private static RunRecords FromResult(string file, string runId)
    {
        if (!File.Exists(file)) return None;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            if (!root.TryGetProperty("runId", out var id) || id.GetString() != runId) return None;
            var clients = root.GetProperty("clients").EnumerateArray().ToList();
            var all = clients.Select(c => c.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);
            var malicious = clients.Where(c => c.GetProperty("malicious").GetBoolean()).Select(c => c.GetProperty("id").GetString()!)
                .ToHashSet(StringComparer.Ordinal);
            double? threshold = root.GetProperty("config").TryGetProperty("trust", out var trust) && trust.TryGetProperty("threshold", out var t) ? t.GetDouble() : null;
            return new RunRecords(all, "result.json", malicious, threshold);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return None;
        }
    }

    /// <summary>Every client the checkpoint's rounds gave a trust score (without sampling the ledger scores every client every round).</summary>
    private static HashSet<string>? FromCheckpoint(string dir, string runId)
    {
        try
        {
            if (CheckpointFile.In(dir).Load() is not { } checkpoint || checkpoint.RunId != runId) return null;
            // Under per-round sampling a round scores only its sample: the rounds then do not name every client.
            if (checkpoint.Rounds.Any(r => r.Sampled is not null)) return null;
            var clients = checkpoint.Rounds.SelectMany(r => r.Trust?.Keys ?? []).ToHashSet(StringComparer.Ordinal);
            return clients.Count > 0 ? clients : null;
        }
        catch (JournalException)
        {
            return null;
        }
    }
}
