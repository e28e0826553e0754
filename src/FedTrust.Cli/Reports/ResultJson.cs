using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Configuration;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Metrics;
using FedTrust.Core.Results;

namespace FedTrust.Cli.Reports;

/// <summary>
/// Writes result.json (its JSON Schema is result.schema.json beside this file; tools rely on these names). Metrics are written at full precision
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
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write(string path, Config config, SimulationResult result, string? journal = null)
    {
        var block = FedTrustConfig.ToJson(config);
        var document = new Document(
            SchemaVersion,
            result.RunId,
            journal,
            block,
            ConfigFingerprint.Hash(block),
            result.Rounds.Select(r => new RoundJson(
                r.Round, r.Metrics.Accuracy, r.Metrics.Precision, r.Metrics.Recall, r.Metrics.F1,
                double.IsFinite(r.Loss) ? r.Loss : null, // JSON has no NaN or ∞: a diverged model's loss is written as null
                Math.Round(r.Seconds, 3), r.Participants, r.Missing, r.Excluded, r.Rejected, r.Rejections, r.Trust, r.Epsilon,
                Math.Round(r.RssBytes / (1024.0 * 1024.0), 1), r.Sampled, r.AttackSuccessRate, r.AttackNotes, r.KrumF, r.Buckets, r.ShortRound, r.Skipped)).ToList(),
            Metrics(result.Final),
            result.Diverged is { } d ? new DivergedJson(d.Round, d.Reason) : null,
            result.Collapsed is { } c ? new DivergedJson(c.Round, c.Reason) : null,
            result.Clients.Select(c => new ClientJson(c.Id, c.Malicious, c.TrainSamples, c.TestAccuracy, c.Classes)).ToList(),
            result.Detection is { } rates ? new { tpr = rates.Tpr, fpr = rates.Fpr } : null,
            Math.Round(result.PeakRssBytes / (1024.0 * 1024.0), 1),
            result.Cluster,
            result.Privacy is { } privacy ? PrivacyJson.From(privacy) : null,
            result.Stopped is { } stop ? new DivergedJson(stop.Round, stop.Reason) : null,
            result.Failed is { } failed ? new DivergedJson(failed.Round, failed.Reason) : null);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(document, Options));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>The file; <c>diverged</c> is always written (null when the run did not diverge), other absent values are left out.</summary>
    private sealed record Document(
        int Schema, string? RunId, string? Journal, JsonElement Config, string ConfigFingerprint, List<RoundJson> Rounds, object Final,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DivergedJson? Diverged,
        DivergedJson? Collapsed, // only when the model ended no better than guessing (finite, but useless): from which round, and why
        List<ClientJson> Clients, object? Detection, double PeakRssMb,
        ClusterReport? Cluster, // only for a cluster run: nodes, hosts (client → node), lost nodes and re-homed clients by round
        PrivacyJson? Privacy, // only for a dp defense: what it spent
        DivergedJson? Stopped, // only for a run that ended before its last round for its privacy budget: after which round, and why
        DivergedJson? Failed); // only for a run ended by fedtrust.krum.short-rounds = fail: the round that failed, and why

    /// <summary>
    /// A dp run's privacy: mode (local or central), the accountant's noise multiplier and the one on the updates (larger
    /// under adaptive clipping), the sampling rate q, central DP's denominator D = q·N and sensitivity multiplier, δ, the
    /// ε composed over the rounds run (null when infinite: no noise), the conversion used, the clip norm at the end, and
    /// the budget (null when none).
    /// </summary>
    private sealed record PrivacyJson(string Mode, double NoiseMultiplier, double UpdateNoiseMultiplier, double SamplingRate,
        double? Denominator, int SensitivityMultiplier, double Delta, double? Epsilon, int Rounds, string Accountant, double ClipNorm, double? MaxEpsilon)
    {
        public static PrivacyJson From(PrivacyReport r) => new(
            r.Plan.Mode == Core.Settings.DpMode.Central ? "central" : "local",
            r.Plan.NoiseMultiplier, r.Plan.UpdateNoiseMultiplier, r.Plan.SamplingRate,
            r.Plan.Mode == Core.Settings.DpMode.Central ? r.Plan.Denominator : null,
            r.Plan.SensitivityMultiplier, r.Plan.Delta,
            double.IsFinite(r.Epsilon) ? r.Epsilon : null, r.Rounds,
            (r.Plan.SamplingRate < 1 ? "Poisson-subsampled Gaussian (Mironov, Talwar & Zhang 2019)" : "Gaussian (Mironov 2017)") + $", {Core.Defenses.PrivacyPlan.Conversion}",
            r.ClipNorm,
            double.IsFinite(r.MaxEpsilon) ? r.MaxEpsilon : null);
    }

    /// <summary>A round; <c>loss</c> is always written, as null when it is not a finite number.</summary>
    private sealed record RoundJson(
        int Round, double Accuracy, double Precision, double Recall, double F1,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Loss,
        double Seconds, IReadOnlyList<string> Participants, IReadOnlyList<string> Missing, IReadOnlyList<string> Excluded,
        IReadOnlyList<string> Rejected, IReadOnlyDictionary<string, string> Rejections, IReadOnlyDictionary<string, double>? Trust,
        double? Epsilon, double RssMb,
        IReadOnlyList<string>? Sampled, // only under per-round sampling: the clients drawn for the round
        double? AttackSuccessRate, // only under the backdoor: the share of triggered non-target test images put in the target class
        IReadOnlyList<string>? AttackNotes, // only when a colluding attack's coalition departed from its rule this round (no honest update; ALIE's z fell back)
        int? KrumF, // only under a Krum-family rule (krum, multi-krum, hybrid, bulyan): the f the round ran with
        int? Buckets, // only under bucketing: how many buckets the round's updates formed
        string? ShortRound, // only when the round aggregated with less than the configured defense: why
        string? Skipped); // only for a round skipped under fedtrust.krum.short-rounds = skip-round: why

    /// <summary>The first round whose global model was non-finite (diverged), or from which it stayed at chance (collapsed), and why.</summary>
    private sealed record DivergedJson(int Round, string Reason);

    /// <summary>
    /// A client's entry; testAccuracy is written as null (not left out) for a client that was stopped or holds no test
    /// samples; classes is its training samples per class (true labels), when the run recorded it.
    /// </summary>
    private sealed record ClientJson(string Id, bool Malicious, int TrainSamples,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? TestAccuracy, IReadOnlyList<int>? Classes);

    private static object Metrics(ClassificationMetrics m) => new { accuracy = m.Accuracy, precision = m.Precision, recall = m.Recall, f1 = m.F1 };
}
