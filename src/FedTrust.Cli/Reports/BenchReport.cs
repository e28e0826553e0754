using System.Globalization;
using System.Text.Json;
using FedTrust.Core.Attacks;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;

namespace FedTrust.Cli.Reports;

/// <summary>One round as <c>fedtrust bench</c> measured it: its duration, and the resident set after a forced full GC.</summary>
public sealed record BenchRound(int Round, double Seconds, long RssAfterGcBytes);

/// <summary>
/// What <c>fedtrust bench</c> measures of a run: its speed (rounds per second, training samples per second, evaluation
/// included) and whether its memory stays flat: the mean RSS after GC of the last quarter of rounds over that of the
/// first quarter, counted from round 2 (round 1 carries one-time allocations). Printed, and with --out written as
/// bench.json.
/// </summary>
public sealed record BenchReport(
    string? RunId, string Model, int Clients, string Defense, string Attack, int Rounds,
    double WallSeconds, double RoundsPerSecond, double TrainingSamplesPerSecond,
    long EarlyRssBytes, long LateRssBytes, double RssRatio, long PeakRssBytes, IReadOnlyList<BenchRound> PerRound)
{
    /// <summary>The file name bench writes into its --out folder.</summary>
    public const string FileName = "bench.json";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The figures of a finished run with at least two measured rounds.</summary>
    public static BenchReport Of(ExperimentSettings settings, SimulationResult result, IReadOnlyList<BenchRound> rounds, double wallSeconds)
    {
        if (rounds.Count < 2) throw new ArgumentException("the RSS ratio needs at least two rounds (it starts at round 2)", nameof(rounds));
        var quarter = Math.Max(1, rounds.Count / 4);
        var early = rounds.Skip(1).Take(quarter).Average(r => (double)r.RssAfterGcBytes);
        var late = rounds.Skip(rounds.Count - quarter).Average(r => (double)r.RssAfterGcBytes);
        // The samples the rounds trained (bench measures every round): their participants' and rejected clients' (all clients,
        // or each round's sample), every epoch.
        var perClient = result.Clients.ToDictionary(c => c.Id, c => c.TrainSamples, StringComparer.Ordinal);
        var samples = (double)result.Rounds.Sum(r => r.Participants.Concat(r.Rejected).Sum(id => perClient.GetValueOrDefault(id))) * settings.LocalEpochs;
        return new BenchReport(result.RunId, settings.Model, settings.Clients, settings.Defense.Name, AttackKinds.Name(settings.Attack.Kind),
            rounds.Count, wallSeconds, rounds.Count / wallSeconds, samples / wallSeconds, (long)early, (long)late, late / early,
            result.PeakRssBytes, rounds);
    }

    /// <summary>The two summary lines bench prints under its per-round table.</summary>
    public IEnumerable<string> Lines()
    {
        yield return string.Create(CultureInfo.InvariantCulture,
            $"model {Model}, {Clients} clients, defense {Defense}, {Rounds} rounds in {WallSeconds:F1} s: {RoundsPerSecond:F2} rounds/s, {TrainingSamplesPerSecond:F0} training samples/s (evaluation included)");
        yield return string.Create(CultureInfo.InvariantCulture,
            $"memory: RSS after GC, mean of the first quarter of rounds (from round 2) {Mb(EarlyRssBytes)} MB, of the last quarter {Mb(LateRssBytes)} MB; ratio last/first {RssRatio:F3}; peak RSS {Mb(PeakRssBytes)} MB");
    }

    /// <summary>Writes bench.json (MB with one decimal, as printed; the ratio and rates at full precision) and returns its path.</summary>
    public string Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, FileName);
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            schema = 1,
            runId = RunId,
            model = Model,
            clients = Clients,
            defense = Defense,
            attack = Attack,
            rounds = Rounds,
            wallSeconds = WallSeconds,
            roundsPerSecond = RoundsPerSecond,
            trainingSamplesPerSecond = TrainingSamplesPerSecond,
            rssAfterGcFirstQuarterMb = MbValue(EarlyRssBytes),
            rssAfterGcLastQuarterMb = MbValue(LateRssBytes),
            rssRatio = RssRatio,
            peakRssMb = MbValue(PeakRssBytes),
            perRound = PerRound.Select(r => new { round = r.Round, seconds = r.Seconds, rssAfterGcMb = MbValue(r.RssAfterGcBytes) }),
        }, Options));
        return path;
    }

    /// <summary>Bytes as MB with one decimal, for the table and the summary.</summary>
    public static string Mb(long bytes) => MbValue(bytes).ToString("F1", CultureInfo.InvariantCulture);

    private static double MbValue(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 1);
}
