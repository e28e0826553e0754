using System.Globalization;
using FedTrust.Core.Data;
using FedTrust.Core.Attacks;
using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Reports;

/// <summary>The per-round line and the end-of-run table.</summary>
internal static class SummaryReport
{
    public static string RoundLine(RoundResult r, int rounds) =>
        string.Create(CultureInfo.InvariantCulture,
            $"round {r.Round}/{rounds}  acc {r.Metrics.Accuracy:F4}  f1 {r.Metrics.F1:F4}  loss {Loss(r.Loss)}  {r.Seconds:F1}s  rss {Mb(r.RssBytes)} MB")
        + (r.Epsilon is { } e ? string.Create(CultureInfo.InvariantCulture, $"  eps {e:F2}") : "")
        + (r.KrumF is { } f ? string.Create(CultureInfo.InvariantCulture, $"  f {f}") : "")
        + (r.Buckets is { } b ? string.Create(CultureInfo.InvariantCulture, $"  buckets {b}") : "")
        // The reasons are in result.json (rounds[].shortRound, .skipped); the line stays within the console's width.
        + (r.Skipped is not null ? $"  SKIPPED: short round ({r.Participants.Count} updates)" : "")
        + (r.ShortRound is not null ? $"  short round ({r.Participants.Count} updates){(r.KrumF is null && r.Buckets is null ? ": averaged" : "")}" : "")
        + (r.Excluded.Count > 0 ? $"  excluded: {Ids(r.Excluded)}" : "")
        + (r.Rejected.Count > 0 ? $"  rejected: {Ids(r.Rejected)}" : "")
        + (r.Missing.Count > 0 ? $"  missing: {Ids(r.Missing)}" : "")
        + (r.DivergenceReason is { } why ? $"  DIVERGED: {why}" : "");

    public static void Write(IAnsiConsole console, ExperimentSettings settings, SimulationResult result)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("rounds");
        foreach (var column in new[] { "round", "accuracy", "precision", "recall", "F1", "loss", "seconds", "RSS MB", "updates" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var r in result.Rounds)
        {
            table.AddRow(
                r.Round.ToString(CultureInfo.InvariantCulture), F(r.Metrics.Accuracy), F(r.Metrics.Precision), F(r.Metrics.Recall),
                F(r.Metrics.F1), Loss(r.Loss), r.Seconds.ToString("F1", CultureInfo.InvariantCulture), Mb(r.RssBytes),
                $"{r.Participants.Count}/{r.Participants.Count + r.Rejected.Count + r.Missing.Count}");
        }
        console.Write(table);
        if (result.Diverged is { } diverged)
        {
            var notRun = settings.Rounds - result.Rounds[^1].Round;
            console.MarkupLineInterpolated(
                $"[bold red]diverged at round {diverged.Round}[/]: {diverged.Reason}; {(notRun > 0 ? $"the run stopped there ({notRun} of {settings.Rounds} rounds not run)" : "it was the last round")}");
        }
        if (result.Collapsed is { } collapsed)
            console.MarkupLineInterpolated($"[bold yellow]collapsed[/]: {collapsed.Message}");
        WriteRejections(console, result.Rounds);
        WriteAttackNotes(console, result.Rounds);

        var final = result.Final;
        var totalSeconds = result.Rounds.Sum(r => r.Seconds);
        console.MarkupLineInterpolated(
            $"[bold]final[/] ({settings.Data.Dataset.Name}, {settings.Clients} clients, {settings.Model}, {settings.Defense.Name}, {result.Rounds.Count} rounds): accuracy [bold]{F(final.Accuracy)}[/], precision {F(final.Precision)}, recall {F(final.Recall)}, F1 {F(final.F1)}");
        var malicious = result.Clients.Where(c => c.Malicious).Select(c => c.Id).ToList();
        if (malicious.Count > 0)
            console.MarkupLineInterpolated($"malicious: {string.Join(", ", malicious)} ({AttackKinds.Name(settings.Attack.Kind)}{AttackDetail(settings.Attack)})");
        if (result.Rounds.Count == 0) return; // a run that failed in its first round: nothing more to say
        if (result.Rounds[^1].AttackSuccessRate is { } asr)
            console.MarkupLineInterpolated(
                $"backdoor attack success rate (triggered test images of other classes put in class {settings.Attack.Target}): {F(asr)} after the last round, highest {F(result.Rounds.Max(r => r.AttackSuccessRate ?? 0))} (round {result.Rounds.MaxBy(r => r.AttackSuccessRate ?? 0)!.Round})");
        if (result.Detection is { } d && malicious.Count > 0)
            console.MarkupLineInterpolated($"detection in the last round: TPR {F(d.Tpr)}, FPR {F(d.Fpr)}");
        if (result.Rounds[^1].Trust is { Count: > 0 } trust)
            console.MarkupLineInterpolated($"{TrustLine(trust, result.Rounds[^1].Sampled is not null)}");
        if (result.Privacy is { } privacy) console.MarkupLineInterpolated($"{PrivacyLine(privacy)}");
        var local = result.Clients.Where(c => c.TestAccuracy is not null).Select(c => c.TestAccuracy!.Value).ToList();
        if (local.Count > 0)
            console.MarkupLineInterpolated($"local test accuracy over {local.Count} clients: min {F(local.Min())}, mean {F(local.Average())}, max {F(local.Max())}");
        console.MarkupLineInterpolated(
            $"time: {totalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s in rounds; memory: peak RSS {Mb(result.PeakRssBytes)} MB, RSS after round 1 {Mb(result.Rounds[0].RssBytes)} MB, after the last {Mb(result.Rounds[^1].RssBytes)} MB");
    }

    /// <summary>", intensity 0.2", or for a coalition's attack what it knows ("omniscient coalition").</summary>
    private static string AttackDetail(AttackSettings attack) =>
        (AttackKinds.TakesIntensity(attack.Kind) ? $", intensity {attack.Intensity.ToString(CultureInfo.InvariantCulture)}" : "")
        + (AttackKinds.Colludes(attack.Kind) ? $", {(attack.Knowledge == AttackKnowledge.Omniscient ? "omniscient" : "colluding")} coalition" : "")
        + (attack is { Kind: AttackKind.Backdoor, Boost: not 1 } ? $", boosted ×{attack.Boost.ToString(CultureInfo.InvariantCulture)}" : "");

    /// <summary>"privacy (central DP-FedAvg): ε = 7.98 at δ = 1e-05 after 100 rounds; z = 0.93, q = 0.1, C = 1; budget 8".</summary>
    private static string PrivacyLine(PrivacyReport p)
    {
        var plan = p.Plan;
        var epsilon = double.IsFinite(p.Epsilon) ? F(p.Epsilon) : "∞ (no noise)";
        var mode = plan.Mode == DpMode.Central
            ? string.Create(CultureInfo.InvariantCulture, $"central DP-FedAvg, z = {plan.NoiseMultiplier:G4}, q = {plan.SamplingRate:G4}, C = {p.ClipNorm:G4}")
              + (plan.SensitivityMultiplier > 1 ? $", sensitivity {plan.SensitivityMultiplier}·C" : "")
            : string.Create(CultureInfo.InvariantCulture, $"local DP per client, σ = {plan.NoiseMultiplier:G4}");
        return string.Create(CultureInfo.InvariantCulture, $"privacy ({mode}): ε = {epsilon} at δ = {plan.Delta:G3} after {p.Rounds} round{(p.Rounds == 1 ? "" : "s")}")
               + (double.IsFinite(p.MaxEpsilon) ? string.Create(CultureInfo.InvariantCulture, $"; budget {p.MaxEpsilon:G6}") : "");
    }

    /// <summary>At most this many client ids are listed on one line; result.json has them all.</summary>
    private const int ListedIds = 10;

    /// <summary>"client-1,client-4", or the first ten and "… (137 in all)".</summary>
    private static string Ids(IReadOnlyList<string> ids) =>
        ids.Count <= ListedIds ? string.Join(",", ids) : $"{string.Join(",", ids.Take(ListedIds))},… ({ids.Count} in all)";

    /// <summary>
    /// The last round's trust scores: every score for a few clients; for many, their spread and the lowest ones. Under
    /// sampling they are the last round's sample's.
    /// </summary>
    private static string TrustLine(IReadOnlyDictionary<string, double> trust, bool sampled)
    {
        var label = sampled ? "trust of the last round's sample" : "trust";
        if (trust.Count <= 2 * ListedIds) return $"{label}: {string.Join(", ", trust.Select(kv => $"{kv.Key}={F(kv.Value)}"))}";
        var lowest = trust.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, FedTrust.Core.ClientIdComparer.Instance).Take(5);
        return $"{label} ({trust.Count} clients): min {F(trust.Values.Min())}, mean {F(trust.Values.Average())}, max {F(trust.Values.Max())}; " +
               $"lowest {string.Join(", ", lowest.Select(kv => $"{kv.Key}={F(kv.Value)}"))}; every score is in result.json";
    }

    /// <summary>"rejected updates: 12 in 3 round(s); the first, round 1: client-3 has …; every reason is in result.json (…)".</summary>
    private static void WriteRejections(IAnsiConsole console, IReadOnlyList<RoundResult> rounds)
    {
        var rejected = rounds.Where(r => r.Rejections.Count > 0).ToList();
        if (rejected.Count == 0) return;
        var (client, reason) = rejected[0].Rejections.First();
        console.MarkupLineInterpolated(
            $"[yellow]rejected updates[/]: {rejected.Sum(r => r.Rejections.Count)} in {rejected.Count} round(s); the first, round {rejected[0].Round}: {client} {reason}; every reason is in result.json (rounds[[]].rejections)");
    }

    /// <summary>"coalition: 2 round(s) off its attack's rule; the first, round 3: no valid honest update …; every note is in result.json (…)".</summary>
    private static void WriteAttackNotes(IAnsiConsole console, IReadOnlyList<RoundResult> rounds)
    {
        var noted = rounds.Where(r => r.AttackNotes is { Count: > 0 }).ToList();
        if (noted.Count == 0) return;
        console.MarkupLineInterpolated(
            $"[yellow]coalition[/]: {noted.Count} round(s) off its attack's rule; the first, round {noted[0].Round}: {string.Join("; ", noted[0].AttackNotes!)}; every note is in result.json (rounds[[]].attackNotes)");
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>A loss to four decimals, or NaN, +∞, -∞ as the divergence message names them.</summary>
    private static string Loss(double value) => double.IsFinite(value) ? F(value) : NonFiniteValues.Format(value);

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F0", CultureInfo.InvariantCulture);
}
