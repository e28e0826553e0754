using System.CommandLine;
using System.Globalization;
using System.Text;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Persistence;
using FedTrust.Actors.Protocol;
using FedTrust.Cli.Reports;
using FedTrust.Core.Trust;
using Spectre.Console;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>
/// <c>fedtrust replay</c>: lists the runs in a trust journal, and for one run rebuilds its trust trajectory from the
/// journaled events (read through Akka.Persistence.Query), checks every event (see <see cref="TrustTrajectory"/>; the
/// run's clients come from its snapshots or from its result.json/checkpoint.json beside the journal) and the saved
/// snapshots against the events and the per-round trust of the run's result.json (or checkpoint.json) beside the
/// journal, prints it round by client, and writes trust.csv and trust.png. A journal that fails a check is refused
/// with one line naming it, the run and the event (or the first round and client that differ). The journal is opened
/// read-only and never modified. --journal may name a run folder holding journal.db. Without --out, trust.csv and
/// trust.png go beside the journal, and ones already there are replaced only with --overwrite.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var journal = new Option<string>("--journal", "-j") { Description = "A SQLite journal file (e.g. DIR/journal.db), a run folder holding journal.db, or a PostgreSQL connection string", Required = true };
        var run = new Option<string?>("--run") { Description = "The run to replay (default: the only run in the journal)" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for trust.csv and trust.png (default: the journal's folder, or the current one)" };
        var atRound = new Option<int?>("--at-round") { Description = "Show the scores as they stood after round K" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Without --out: replace trust.csv and trust.png already beside the journal" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show stack traces" };
        var command = new Command("replay", "Rebuild and show a run's trust scores from its persisted journal") { journal, run, outDir, atRound, overwrite, verbose };
        command.SetAction((parse, cancellation) => Guard.RunAsync(error, parse.GetValue(verbose), async () =>
        {
            var console = Consoles.For(output);
            var given = parse.GetRequiredValue(journal);
            var chosenDir = OutputFolder.Checked(parse.GetValue(outDir));
            await using var reader = TrustJournalReader.Open(given, FedTrustConfig.Defaults, parse.GetValue(verbose));
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
            var dir = chosenDir ?? (File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source))! : Directory.GetCurrentDirectory());
            if (chosenDir is null && !parse.GetValue(overwrite) && Outputs(dir).FirstOrDefault(File.Exists) is { } earlier)
                throw new ConfigurationException(
                    $"{earlier} exists (an earlier replay's?); without --out replay writes trust.csv and trust.png beside the journal: add --overwrite to replace them, or choose another folder with --out");

            var events = await reader.EventsAsync(runId, cancellation);
            if (events.Count == 0) throw new JournalException($"{source}: run {runId} has no trust events");
            var snapshots = await reader.SnapshotsAsync(runId, cancellation);
            var records = RunRecords.Beside(source, runId);
            var (clients, roster) = Roster(source, runId, snapshots, records);
            var trajectory = Rebuild(events, $"{source} (run {runId})", clients);
            foreach (var (sequenceNr, snapshot) in snapshots) CheckSnapshot(source, runId, sequenceNr, snapshot, trajectory);
            if (records.Trust is { } recorded && trajectory.FirstDifference(recorded, records.TrustFrom!, records.JournalAhead, records.InitialTrust) is { } difference)
                throw new JournalException($"{source} (run {runId}) disagrees with the {records.TrustFrom} beside it {difference}");

            var malicious = records.Malicious;
            var rounds = trajectory.Rounds;
            if (parse.GetValue(atRound) is { } k)
            {
                if (k < 1 || k > trajectory.LastRound)
                    throw new ConfigurationException(
                        $"--at-round {k}: run {runId} recorded rounds 1 to {trajectory.LastRound}; give a round from 1 to {trajectory.LastRound}");
                var at = trajectory.At(k) ?? throw new JournalException($"{source}: run {runId} has no trust scores at or before round {k}");
                rounds = [(k, at)];
            }
            console.Write(Table(rounds, malicious));
            var known = malicious is null
                ? "malicious clients unknown (no result.json of this run beside the journal)"
                : malicious.Count == 0 ? "no malicious clients in this run" : $"malicious (*): {string.Join(", ", malicious.Order())}";
            console.MarkupLineInterpolated(
                $"run {runId}: {trajectory.Events} events over {trajectory.Rounds.Count} rounds; {snapshots.Count} snapshot(s) checked against the events; {known}");
            console.MarkupLineInterpolated($"clients: {roster}");
            if (records.Trust is { } checkedAgainst)
                console.MarkupLineInterpolated($"per-round trust: equal to the {records.TrustFrom} beside the journal in all {checkedAgainst.Count} rounds it records");
            else
                console.WriteLine("per-round trust: not checked (no result.json or checkpoint.json of this run beside the journal)");

            Directory.CreateDirectory(dir);
            var csv = Outputs(dir)[0];
            File.WriteAllText(csv, Csv(trajectory.Rounds, malicious));
            var png = Figures.TrustTrajectory(Outputs(dir)[1], $"Trust per round, run {runId}", trajectory.Rounds,
                malicious ?? new HashSet<string>(), records.Threshold);
            console.MarkupLineInterpolated($"[green]wrote[/] {csv}");
            console.MarkupLineInterpolated($"[green]wrote[/] {png}");
            return 0;
        }));
        return command;
    }

    /// <summary>The files replay writes into <paramref name="dir"/>: trust.csv, trust.png.</summary>
    private static string[] Outputs(string dir) => [Path.Combine(dir, "trust.csv"), Path.Combine(dir, "trust.png")];

    /// <summary>The run's trajectory from its events; an event that fails a check is a journal error naming it.</summary>
    private static TrustTrajectory Rebuild(IReadOnlyList<(long SequenceNr, TrustChanged Event)> events, string source, IReadOnlySet<string>? clients)
    {
        try
        {
            return new TrustTrajectory(
                events.Select(e => new TrustChange(e.SequenceNr, e.Event.Round, e.Event.ClientId, e.Event.OldScore, e.Event.NewScore, e.Event.Reason,
                    e.Event.Behaviour)).ToList(),
                source, clients);
        }
        catch (InvalidDataException e)
        {
            throw new JournalException(e.Message, e);
        }
    }

    /// <summary>
    /// The run's clients: from its snapshots (each holds every client's score, and all must agree), else from its
    /// result.json or checkpoint.json beside the journal, which must agree with the snapshots when both exist.
    /// Returns them (null when unknown) and what the summary line says about them.
    /// </summary>
    private static (IReadOnlySet<string>? Clients, string Said) Roster(string source, string runId,
        IReadOnlyList<(long SequenceNr, TrustSnapshot Snapshot)> snapshots, RunRecords records)
    {
        var inSnapshots = snapshots.Select(s => (s.Snapshot.Round, Clients: s.Snapshot.Scores.Keys.ToHashSet(StringComparer.Ordinal))).ToList();
        if (inSnapshots.Skip(1).FirstOrDefault(s => !s.Clients.SetEquals(inSnapshots[0].Clients)) is { Clients: not null } other)
            throw new JournalException(
                $"{source}: the snapshots of run {runId} disagree on its clients (round {inSnapshots[0].Round}: {inSnapshots[0].Clients.Count}, round {other.Round}: {other.Clients.Count})");
        var journal = inSnapshots.Count > 0 ? inSnapshots[0].Clients : null;
        if (journal is not null && records.Clients is not null && !journal.SetEquals(records.Clients))
            throw new JournalException(
                $"{source}: the snapshots of run {runId} list {journal.Count} clients but its {records.ClientsFrom} lists {records.Clients.Count}: " +
                string.Join(", ", journal.Except(records.Clients).Concat(records.Clients.Except(journal)).Order(FedTrust.Core.ClientIdComparer.Instance)) + " in one only");
        if (journal is not null) return (journal, $"every event is for one of the run's {journal.Count} clients (known from the journal's snapshots)");
        if (records.Clients is not null) return (records.Clients, $"every event is for one of the run's {records.Clients.Count} clients (known from {records.ClientsFrom})");
        return (null, "unknown (no snapshot in the journal, no result.json or checkpoint.json of this run beside it), so events were not checked against them");
    }

    /// <summary>A snapshot must hold scores in [0, 1] that agree with the events (clients with no event yet cannot be checked).</summary>
    private static void CheckSnapshot(string source, string runId, long sequenceNr, TrustSnapshot snapshot, TrustTrajectory trajectory)
    {
        var rebuilt = trajectory.At(snapshot.Round)
                      ?? throw new JournalException($"{source}: snapshot {sequenceNr} of run {runId} is for round {snapshot.Round}, before any event");
        if (snapshot.Scores.FirstOrDefault(kv => !TrustTrajectory.IsScore(kv.Value)) is { Key: not null } bad)
            throw new JournalException($"{source}: the snapshot of round {snapshot.Round} (run {runId}) gives {bad.Key} a score of {bad.Value.ToString("R", CultureInfo.InvariantCulture)}, not a finite number in [0, 1]");
        var wrong = snapshot.Scores.Where(kv => rebuilt.TryGetValue(kv.Key, out var v) && v != kv.Value).Select(kv => kv.Key).ToList();
        if (wrong.Count > 0)
            throw new JournalException($"{source}: the snapshot of round {snapshot.Round} (run {runId}) disagrees with the events for {string.Join(", ", wrong)}");
    }

    /// <summary>trust.csv: round,client,score,malicious (malicious empty when unknown).</summary>
    internal static string Csv(IReadOnlyList<(int Round, IReadOnlyDictionary<string, double> Scores)> rounds, IReadOnlySet<string>? malicious)
    {
        var text = new StringBuilder("round,client,score,malicious\n");
        foreach (var (round, scores) in rounds)
        foreach (var (client, score) in scores.OrderBy(kv => kv.Key, FedTrust.Core.ClientIdComparer.Instance))
            text.Append(CultureInfo.InvariantCulture,
                $"{round},{client},{score.ToString("R", CultureInfo.InvariantCulture)},{(malicious is null ? "" : malicious.Contains(client) ? "true" : "false")}\n");
        return text.ToString();
    }

    private static Table Table(IReadOnlyList<(int Round, IReadOnlyDictionary<string, double> Scores)> rounds, IReadOnlySet<string>? malicious)
    {
        var clients = rounds.SelectMany(r => r.Scores.Keys).Distinct().Order(FedTrust.Core.ClientIdComparer.Instance).ToList();
        var table = new Table().Border(TableBorder.Simple).AddColumn(new TableColumn("round").RightAligned());
        foreach (var c in clients) table.AddColumn(new TableColumn(malicious?.Contains(c) == true ? $"{c}*" : c).RightAligned());
        foreach (var (round, scores) in rounds)
            table.AddRow(new[] { round.ToString(CultureInfo.InvariantCulture) }
                .Concat(clients.Select(c => scores.TryGetValue(c, out var s) ? s.ToString("F3", CultureInfo.InvariantCulture) : "")).ToArray());
        return table;
    }
}
