using System.Text.Json;
using FedTrust.Actors.Persistence;

namespace FedTrust.Cli.Commands;

/// <summary>
/// What the files a run leaves beside its SQLite journal say about it, when they belong to the same run id:
/// result.json (every client, the malicious ones, the trust threshold) and, for a run that has not finished,
/// checkpoint.json (every client, from the trust scores of its rounds so far). A file of another run, or one that
/// cannot be read, says nothing. Replay uses these for the ground truth, the roster of the run's clients and the
/// per-round trust (<see cref="Trust"/>, from <see cref="TrustFrom"/>) it checks the journal against.
/// </summary>
internal sealed record RunRecords(IReadOnlySet<string>? Clients, string? ClientsFrom, IReadOnlySet<string>? Malicious, double? Threshold)
{
    private static readonly RunRecords None = new(null, null, null, null);

    /// <summary>Each recorded round with the trust scores it recorded, in file order; null when no file of the run says.</summary>
    public IReadOnlyList<(int Round, IReadOnlyList<KeyValuePair<string, double>> Scores)>? Trust { get; init; }

    /// <summary>The file <see cref="Trust"/> comes from ("result.json" or "checkpoint.json").</summary>
    public string? TrustFrom { get; init; }

    /// <summary>How many rounds the journal may hold past <see cref="Trust"/>'s last: 1 for a checkpoint (killed between the two).</summary>
    public int JournalAhead { get; init; }

    /// <summary>The score a client without any event stands at (fedtrust.trust.initial, from result.json); null when unknown.</summary>
    public double? InitialTrust { get; init; }

    /// <summary>The records of run <paramref name="runId"/> beside <paramref name="journal"/> (none for a connection string).</summary>
    public static RunRecords Beside(string journal, string runId)
    {
        if (!File.Exists(journal)) return None;
        var dir = Path.GetDirectoryName(Path.GetFullPath(journal))!;
        var result = FromResult(Path.Combine(dir, "result.json"), runId);
        if (result.Clients is not null) return result;
        var checkpoint = FromCheckpoint(dir, runId);
        if (checkpoint is null) return result;
        result = result with { Trust = checkpoint.Rounds.Select(r => (r.Round, (IReadOnlyList<KeyValuePair<string, double>>)(r.Trust?.ToList() ?? []))).ToList(), TrustFrom = CheckpointFile.FileName, JournalAhead = 1 };
        // Under per-round sampling a round scores only its sample: the rounds then do not name every client.
        if (checkpoint.Rounds.Any(r => r.Sampled is not null)) return result;
        var clients = checkpoint.Rounds.SelectMany(r => r.Trust?.Keys ?? []).ToHashSet(StringComparer.Ordinal);
        return clients.Count > 0 ? result with { Clients = clients, ClientsFrom = CheckpointFile.FileName } : result;
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
            // Per-round trust, when every round recorded it (an older result.json may not have).
            var rounds = root.GetProperty("rounds").EnumerateArray().ToList();
            var recorded = rounds.All(r => r.TryGetProperty("trust", out var s) && s.ValueKind == JsonValueKind.Object)
                ? rounds.Select(r => (r.GetProperty("round").GetInt32(),
                    (IReadOnlyList<KeyValuePair<string, double>>)r.GetProperty("trust").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetDouble())).ToList())).ToList()
                : null;
            double? initial = root.GetProperty("config").TryGetProperty("trust", out var block) && block.TryGetProperty("initial", out var i) ? i.GetDouble() : null;
            return new RunRecords(all, "result.json", malicious, threshold) { Trust = recorded, TrustFrom = recorded is null ? null : "result.json", InitialTrust = initial };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return None;
        }
    }

    /// <summary>The run's checkpoint beside the journal, or null (none, another run's, or unreadable).</summary>
    private static Core.Results.RunCheckpoint? FromCheckpoint(string dir, string runId)
    {
        try
        {
            return CheckpointFile.In(dir).Load() is { } checkpoint && checkpoint.RunId == runId ? checkpoint : null;
        }
        catch (JournalException)
        {
            return null;
        }
    }
}
