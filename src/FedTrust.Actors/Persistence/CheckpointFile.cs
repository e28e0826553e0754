using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using FedTrust.Core.Metrics;
using FedTrust.Core.Results;

namespace FedTrust.Actors.Persistence;

/// <summary>
/// DIR/checkpoint.json: the run's state after each completed round, written atomically (a temporary file, flushed
/// to disk, then renamed over the old one), so a run killed at any instant leaves either the previous checkpoint or
/// the new one, never half of one.
/// </summary>
public sealed class CheckpointFile(string path)
{
    public const string FileName = "checkpoint.json";
    private const int Version = 1;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Path { get; } = path;

    public static CheckpointFile In(string dir) => new(System.IO.Path.Combine(dir, FileName));

    public void Save(RunCheckpoint checkpoint)
    {
        var document = new Document(Version, checkpoint.RunId, checkpoint.ConfigFingerprint, checkpoint.Round,
            Convert.ToBase64String(MemoryMarshal.AsBytes(checkpoint.GlobalWeights.AsSpan())),
            checkpoint.Rounds.Select(RoundDocument.From).ToList());
        var temp = Path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, document, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
    }

    /// <summary>The last checkpoint, or null when the run has none; a damaged file is an error naming it.</summary>
    public RunCheckpoint? Load()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            var d = JsonSerializer.Deserialize<Document>(File.ReadAllBytes(Path), Json)
                    ?? throw new JournalException($"{Path}: empty checkpoint");
            if (d.Version != Version) throw new JournalException($"{Path}: checkpoint version {d.Version}, this fedtrust reads version {Version}");
            var bytes = Convert.FromBase64String(d.Weights);
            if (bytes.Length % sizeof(float) != 0) throw new JournalException($"{Path}: the weights are {bytes.Length} bytes, not a whole number of floats");
            var weights = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            return new RunCheckpoint(d.RunId, d.ConfigFingerprint, d.Round, weights, d.Rounds.Select(r => r.ToResult()).ToList());
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new JournalException($"{Path}: damaged checkpoint ({e.Message})", e);
        }
    }

    private sealed record Document(int Version, string RunId, string ConfigFingerprint, int Round, string Weights, List<RoundDocument> Rounds);

    /// <summary>
    /// One round as stored. The loss is written as a number, or as "NaN", "Infinity" or "-Infinity" for a diverged
    /// model, so it comes back exactly; checkpoints written before that stored a non-finite loss as double.MaxValue,
    /// read back as +∞. Rejections and DivergenceReason are absent from older checkpoints (read as none).
    /// </summary>
    private sealed record RoundDocument(
        int Round, ClassificationMetrics Metrics,
        [property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] double Loss,
        double Seconds, List<string> Participants, List<string> Missing, long RssBytes,
        List<string> Excluded, List<string> Rejected, Dictionary<string, double>? Trust, double? Epsilon,
        Dictionary<string, string>? Rejections = null, string? DivergenceReason = null)
    {
        public static RoundDocument From(RoundResult r) => new(r.Round, r.Metrics, r.Loss, r.Seconds,
            r.Participants.ToList(), r.Missing.ToList(), r.RssBytes, r.Excluded.ToList(), r.Rejected.ToList(), r.Trust?.ToDictionary(), r.Epsilon,
            r.Rejections.ToDictionary(), r.DivergenceReason);

        public RoundResult ToResult() => new(Round, Metrics, Loss == double.MaxValue ? double.PositiveInfinity : Loss, Seconds, Participants, Missing, RssBytes)
        {
            Excluded = Excluded,
            Rejected = Rejected,
            Rejections = new SortedDictionary<string, string>(Rejections ?? [], Aggregation.ClientIdComparer.Instance),
            Trust = Trust is null ? null : new SortedDictionary<string, double>(Trust, Aggregation.ClientIdComparer.Instance),
            Epsilon = Epsilon,
            DivergenceReason = DivergenceReason,
        };
    }
}
