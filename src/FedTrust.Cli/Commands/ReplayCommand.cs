using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FedTrust.Actors.Persistence;
using FedTrust.Cli.Reports;
using FedTrust.Core.Trust;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary>
/// <c>fedtrust replay</c>: lists the runs in a trust journal, and for one run rebuilds its trust trajectory from the
/// journaled events (read through Akka.Persistence.Query), checks it against the saved snapshots, prints it round by
/// client, and writes trust.csv and trust.png. The journal is opened read-only and never modified.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var journal = new Option<string>("--journal", "-j") { Description = "A SQLite journal file (e.g. DIR/journal.db) or a PostgreSQL connection string", Required = true };
        var run = new Option<string?>("--run") { Description = "The run to replay (default: the only run in the journal)" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for trust.csv and trust.png (default: the journal's folder, or the current one)" };
        var atRound = new Option<int?>("--at-round") { Description = "Show the scores as they stood after round K" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show stack traces" };
        var command = new Command("replay", "Rebuild and show a run's trust scores from its persisted journal") { journal, run, outDir, atRound, verbose };
        command.SetAction((parse, cancellation) => Guard.RunAsync(error, parse.GetValue(verbose), async () =>
        {
            var console = Consoles.For(output);
            var given = parse.GetRequiredValue(journal);
            await using var reader = TrustJournalReader.Open(given, parse.GetValue(verbose));
            var source = reader.Journal; // as given, without a password: it names the journal in every line below
            var runs = await reader.RunIdsAsync(cancellation);
            var runId = parse.GetValue(run);
            if (runId is null && runs.Count != 1)
            {
                if (runs.Count == 0) throw new JournalException($"{source}: the journal holds no runs");
                console.MarkupLineInterpolated($"{source} holds {runs.Count} runs; choose one with --run:");
                foreach (var id in runs) console.WriteLine("  " + id);
                return 0;
            }
            runId ??= runs[0];
            if (!runs.Contains(runId))
                throw new JournalException($"{source}: no run '{runId}'; the journal holds: {(runs.Count == 0 ? "no runs" : string.Join(", ", runs))}");

            var events = await reader.EventsAsync(runId, cancellation);
            var trajectory = new TrustTrajectory(
                events.Select(e => new TrustChange(e.SequenceNr, e.Event.Round, e.Event.ClientId, e.Event.OldScore, e.Event.NewScore, e.Event.Reason)).ToList(),
                $"{source} (run {runId})");
            var snapshots = await reader.SnapshotsAsync(runId, cancellation);
            foreach (var (sequenceNr, snapshot) in snapshots)
            {
                var rebuilt = trajectory.At(snapshot.Round)
                              ?? throw new JournalException($"{source}: snapshot {sequenceNr} of run {runId} is for round {snapshot.Round}, before any event");
                var wrong = snapshot.Scores.Where(kv => !rebuilt.TryGetValue(kv.Key, out var v) || v != kv.Value).Select(kv => kv.Key).ToList();
                if (wrong.Count > 0)
                    throw new JournalException($"{source}: the snapshot of round {snapshot.Round} (run {runId}) disagrees with the events for {string.Join(", ", wrong)}");
            }

            var (malicious, threshold) = GroundTruth(source, runId);
            var rounds = trajectory.Rounds;
            if (parse.GetValue(atRound) is { } k)
            {
                var at = trajectory.At(k) ?? throw new JournalException($"{source}: run {runId} has no trust scores at or before round {k}");
                rounds = [(k, at)];
            }
            console.Write(Table(rounds, malicious));
            var known = malicious is null
                ? "malicious clients unknown (no result.json of this run beside the journal)"
                : malicious.Count == 0 ? "no malicious clients in this run" : $"malicious (*): {string.Join(", ", malicious.Order())}";
            console.MarkupLineInterpolated(
                $"run {runId}: {trajectory.Events} events over {trajectory.Rounds.Count} rounds; {snapshots.Count} snapshot(s) checked against the events; {known}");

            var dir = parse.GetValue(outDir)?.FullName ?? (File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source))! : Directory.GetCurrentDirectory());
            Directory.CreateDirectory(dir);
            var csv = Path.Combine(dir, "trust.csv");
            File.WriteAllText(csv, Csv(trajectory.Rounds, malicious));
            var png = Figures.TrustTrajectory(Path.Combine(dir, "trust.png"), $"Trust per round, run {runId}", trajectory.Rounds,
                malicious ?? new HashSet<string>(), threshold);
            console.MarkupLineInterpolated($"[green]wrote[/] {csv}");
            console.MarkupLineInterpolated($"[green]wrote[/] {png}");
            return 0;
        }));
        return command;
    }

    /// <summary>trust.csv: round,client,score,malicious (malicious empty when unknown).</summary>
    internal static string Csv(IReadOnlyList<(int Round, IReadOnlyDictionary<string, double> Scores)> rounds, IReadOnlySet<string>? malicious)
    {
        var text = new StringBuilder("round,client,score,malicious\n");
        foreach (var (round, scores) in rounds)
        foreach (var (client, score) in scores.OrderBy(kv => kv.Key, Actors.Aggregation.ClientIdComparer.Instance))
            text.Append(CultureInfo.InvariantCulture,
                $"{round},{client},{score.ToString("R", CultureInfo.InvariantCulture)},{(malicious is null ? "" : malicious.Contains(client) ? "true" : "false")}\n");
        return text.ToString();
    }

    private static Table Table(IReadOnlyList<(int Round, IReadOnlyDictionary<string, double> Scores)> rounds, IReadOnlySet<string>? malicious)
    {
        var clients = rounds.SelectMany(r => r.Scores.Keys).Distinct().Order(Actors.Aggregation.ClientIdComparer.Instance).ToList();
        var table = new Table().Border(TableBorder.Simple).AddColumn(new TableColumn("round").RightAligned());
        foreach (var c in clients) table.AddColumn(new TableColumn(malicious?.Contains(c) == true ? $"{c}*" : c).RightAligned());
        foreach (var (round, scores) in rounds)
            table.AddRow(new[] { round.ToString(CultureInfo.InvariantCulture) }
                .Concat(clients.Select(c => scores.TryGetValue(c, out var s) ? s.ToString("F3", CultureInfo.InvariantCulture) : "")).ToArray());
        return table;
    }

    /// <summary>The malicious set and trust threshold of the run, from a result.json of the same run beside the journal file.</summary>
    private static (IReadOnlySet<string>? Malicious, double? Threshold) GroundTruth(string journal, string runId)
    {
        if (!File.Exists(journal)) return (null, null);
        var result = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(journal))!, "result.json");
        if (!File.Exists(result)) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(result));
            var root = doc.RootElement;
            if (!root.TryGetProperty("runId", out var id) || id.GetString() != runId) return (null, null);
            var malicious = root.GetProperty("clients").EnumerateArray()
                .Where(c => c.GetProperty("malicious").GetBoolean()).Select(c => c.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);
            double? threshold = root.GetProperty("config").TryGetProperty("trust", out var trust) && trust.TryGetProperty("threshold", out var t) ? t.GetDouble() : null;
            return (malicious, threshold);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, null);
        }
    }
}
