using System.Diagnostics;
using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;
using Spectre.Console.Rendering;
using Spectre.Console;
using static FedTrust.Cli.Bench.SuiteFormat;

namespace FedTrust.Cli.Bench;

/// <summary>
/// Stage 3: what the server's side of each defense costs per round, by the public API the aggregator calls:
/// <see cref="RobustAggregation.Screen"/> (Krum scores when the defense uses Krum, trust evidence always),
/// <see cref="TrustRule.UpdateAll"/> when it uses trust (the ledger's arithmetic, without its journal), and
/// <see cref="RobustAggregation.Decide"/>, on <see cref="SyntheticUpdates"/> of n clients and d parameters. A cell
/// that takes under <see cref="RepeatBelowSeconds"/> is repeated and the repetition with the median total reported.
/// A cell whose updates would not fit in the memory available now is skipped, with the reason.
/// </summary>
internal static class AggregationStage
{
    /// <summary>The defenses timed; dp is fedavg on the server (its privacy is the clients').</summary>
    public static readonly IReadOnlyList<string> Defenses = ["fedavg", "krum", "multi-krum", "trust", "hybrid"];

    private const double RepeatBelowSeconds = 2.0;

    public static AggregationResult Run(SuiteContext context)
    {
        var settings = context.Settings;
        var figures = new List<AggregationFigure>();
        var skipped = new List<AggregationSkip>(context.Sizes.AggregationSkipped.Select(s => new AggregationSkip(s.N, s.D, s.Reason)));
        foreach (var (n, d) in context.Sizes.AggregationCells)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            if (MemoryProblem(n, d) is { } memory)
            {
                skipped.Add(new AggregationSkip(n, d, memory));
                continue;
            }
            if (n <= 2 * settings.Krum.F + 2)
            {
                skipped.Add(new AggregationSkip(n, d, $"Krum needs n > 2f + 2 (fedtrust.krum.f = {settings.Krum.F})"));
                continue;
            }
            var updates = SyntheticUpdates.Create(n, d, settings.Seed);
            foreach (var name in Defenses) figures.Add(Measure(DefenseSettings.Parse(name), updates, settings, context.Sizes.Repetitions));
        }
        return new AggregationResult(figures, skipped);
    }

    /// <summary>Why a cell's updates (and what aggregation may copy of them) would not fit now, or null.</summary>
    private static string? MemoryProblem(int n, int d)
    {
        var updates = (long)n * d * sizeof(float);
        var needed = 2 * updates + (512L << 20);
        var available = MachineInfo.AvailableMemoryBytes();
        return available is { } free && free < needed
            ? $"needs about {Gb(needed)} GB free ({Gb(updates)} GB of updates, twice, and headroom); {Gb(free)} GB available"
            : null;
    }

    private static AggregationFigure Measure(DefenseSettings defense, IReadOnlyList<RoundUpdate> updates, ExperimentSettings settings, int repetitions)
    {
        var runs = new List<AggregationFigure> { Once(defense, updates, settings) };
        while (runs.Count < repetitions && runs[0].Seconds < RepeatBelowSeconds) runs.Add(Once(defense, updates, settings));
        return runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2) with { Repetitions = runs.Count };
    }

    private static AggregationFigure Once(DefenseSettings defense, IReadOnlyList<RoundUpdate> updates, ExperimentSettings settings)
    {
        Timing.Collect();
        var clock = Stopwatch.StartNew();
        var screening = RobustAggregation.Screen(updates, defense, settings.Krum.F);
        var screen = clock.Elapsed.TotalSeconds;
        var trust = defense.Trust ? TrustRule.UpdateAll(new Dictionary<string, double>(), screening.Evidence, settings.Trust) : null;
        var trustSeconds = clock.Elapsed.TotalSeconds - screen;
        RobustAggregation.Decide(updates, screening, defense, settings.Krum, trust, settings.Trust);
        var decide = clock.Elapsed.TotalSeconds - screen - trustSeconds;
        return new AggregationFigure(defense.Name, updates.Count, updates[0].Delta.Length, 1, screen, trustSeconds, decide);
    }

    public static IRenderable Table(AggregationResult result)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title("stage 3: the server's side of each defense per round, on synthetic updates (n updates of d values)")
            .AddColumns("defense", "n", "d", "seconds", "= screen", "+ trust", "+ decide", "runs");
        foreach (var f in result.Figures)
        {
            table.AddRow(f.Defense, Count(f.N), Count(f.D), Seconds(f.Seconds), Seconds(f.ScreenSeconds), Seconds(f.TrustSeconds), Seconds(f.DecideSeconds),
                Count(f.Repetitions));
        }
        table.Caption("screen = Krum scores (krum, multi-krum, hybrid) + trust evidence (always: the ledger audits every defense); " +
                      "trust = TrustRule.UpdateAll (trust, hybrid); decide = selection and weighted average");
        return WithNotes(table, result.Skipped.Select(s => $"skipped: n = {Count(s.N)}, d = {Count(s.D)}: {s.Reason}"));
    }
}

/// <summary>One defense on one cell: seconds of each part of the server's round (the run with the median total).</summary>
internal sealed record AggregationFigure(string Defense, int N, int D, int Repetitions, double ScreenSeconds, double TrustSeconds, double DecideSeconds)
{
    public double Seconds => ScreenSeconds + TrustSeconds + DecideSeconds;
}

/// <summary>A cell not measured, and why.</summary>
internal sealed record AggregationSkip(int N, int D, string Reason);

internal sealed record AggregationResult(IReadOnlyList<AggregationFigure> Figures, IReadOnlyList<AggregationSkip> Skipped);
