using System.Text.Json;
using Akka.Configuration;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Metrics;
using FedTrust.Core.Results;

namespace FedTrust.Cli.Reports;

/// <summary>
/// Writes result.json (schema in README.md; tools rely on these names). Metrics are written at full precision
/// so that two runs with the same seed and configuration can be compared byte for byte on them.
/// The file is written to a temporary name and renamed, so a reader never sees half a file.
/// </summary>
internal static class ResultJson
{
    public const int SchemaVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write(string path, Config config, SimulationResult result, string? journal = null)
    {
        var block = FedTrustConfig.ToJson(config);
        var document = new
        {
            schema = SchemaVersion,
            runId = result.RunId,
            journal,
            config = block,
            configFingerprint = ConfigFingerprint.Hash(block),
            rounds = result.Rounds.Select(r => new
            {
                round = r.Round,
                accuracy = r.Metrics.Accuracy,
                precision = r.Metrics.Precision,
                recall = r.Metrics.Recall,
                f1 = r.Metrics.F1,
                loss = double.IsFinite(r.Loss) ? r.Loss : (double?)null, // a diverged model has an infinite loss: written as null
                seconds = Math.Round(r.Seconds, 3),
                participants = r.Participants,
                missing = r.Missing,
                excluded = r.Excluded,
                rejected = r.Rejected,
                trust = r.Trust,
                epsilon = r.Epsilon,
                rssMb = Math.Round(r.RssBytes / (1024.0 * 1024.0), 1),
            }),
            final = Metrics(result.Final),
            clients = result.Clients.Select(c => new ClientJson(c.Id, c.Malicious, c.TrainSamples, c.TestAccuracy)),
            detection = result.Detection is { } d ? new { tpr = d.Tpr, fpr = d.Fpr } : null,
            peakRssMb = Math.Round(result.PeakRssBytes / (1024.0 * 1024.0), 1),
        };
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(document, Options));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>A client's entry; testAccuracy is written as null (not left out) for a client that was stopped.</summary>
    private sealed record ClientJson(string Id, bool Malicious, int TrainSamples,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] double? TestAccuracy);

    private static object Metrics(ClassificationMetrics m) => new { accuracy = m.Accuracy, precision = m.Precision, recall = m.Recall, f1 = m.F1 };
}
