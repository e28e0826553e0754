using System.Globalization;
using FedTrust.Actors.Configuration;
using Spectre.Console;
using Spectre.Console.Rendering;
using static FedTrust.Cli.Bench.SuiteFormat;

namespace FedTrust.Cli.Bench;

/// <summary>
/// Stage 4: peak RSS and seconds per round as the client count grows (10, 100, 1,000, 10,000), with at most
/// <see cref="SuiteSizes.ScaleClientsPerRound"/> clients sampled per round; each count is a <see cref="ChildRun"/> of
/// its own, since peak RSS is a process's high-water mark. Rounds are timed by the run itself (result.json's
/// <c>seconds</c>), round 1 left out. With the IID split a client holds 60,000 / N images, so a round of 100 sampled
/// clients out of 10,000 trains 600 images where one out of 100 trains 60,000: seconds per trained sample say what
/// the round time alone cannot.
/// </summary>
internal static class ScaleStage
{
    /// <summary>The key that samples a subset of the clients each round; passed only when fewer than all are sampled.</summary>
    public const string ClientsPerRoundKey = "fedtrust.clients-per-round";

    public static async Task<ScaleResult> RunAsync(SuiteContext context)
    {
        var sizes = context.Sizes;
        var figures = new List<ScaleFigure>();
        var skipped = new List<ScaleSkip>();
        foreach (var clients in sizes.ScaleClients)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var perRound = Math.Min(clients, sizes.ScaleClientsPerRound);
            if (perRound < clients && !FedTrustConfig.Defaults.HasPath(ClientsPerRoundKey))
            {
                skipped.Add(new ScaleSkip(clients, perRound, $"needs {ClientsPerRoundKey} to train {perRound} of {clients} clients a round; this build has no such key"));
                continue;
            }
            context.Console.MarkupLineInterpolated($"[grey]scale:[/] {clients} clients, {perRound} a round, {sizes.ScaleRounds} rounds, in a process of its own");
            try
            {
                var result = await ChildRun.RunAsync(Options(context, clients, perRound), context.Cancellation);
                figures.Add(ScaleFigure.Of(clients, perRound, result, context.Settings.LocalEpochs));
            }
            catch (ChildRunException e)
            {
                skipped.Add(new ScaleSkip(clients, perRound, e.Message));
            }
        }
        return new ScaleResult(figures, skipped);
    }

    /// <summary>
    /// The child's options: the suite's own configuration first (--config, --set, --model, --seed, the data folder the
    /// suite resolved), then what the stage sets, so that the stage's keys win.
    /// </summary>
    private static List<string> Options(SuiteContext context, int clients, int perRound)
    {
        var options = new List<string>(context.ForwardedOptions)
        {
            "--data-dir", context.DataDir,
            "--clients", clients.ToString(CultureInfo.InvariantCulture),
            "--rounds", context.Sizes.ScaleRounds.ToString(CultureInfo.InvariantCulture),
            "--set", "fedtrust.persistence.provider=memory",
        };
        if (perRound < clients) options.AddRange(["--set", $"{ClientsPerRoundKey}={perRound}"]);
        return options;
    }

    public static IRenderable Table(ScaleResult result)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title("stage 4: clients, each count run in a process of its own (rounds 2 and later)")
            .AddColumns("clients", "a round", "rounds", "peak RSS (MB)", "s/round", "samples/round", "µs/sample");
        foreach (var f in result.Figures)
        {
            table.AddRow(Count(f.Clients), Count(f.ClientsPerRound), Count(f.Rounds), Mb(f.PeakRssBytes), Seconds(f.MeanRoundSeconds),
                Count((long)f.TrainedSamplesPerRound), (f.SecondsPerTrainedSample * 1e6).ToString("F2", CultureInfo.InvariantCulture));
        }
        table.Caption("The IID split gives each of N clients 60,000 / N training images: 100 sampled clients of 10,000 train 600 images a round, " +
                      "of 100 train 60,000, so compare µs per trained sample (round seconds over the images trained in it) as well as s/round");
        return WithNotes(table, result.Skipped.Select(s => $"skipped: {Count(s.Clients)} clients ({Count(s.ClientsPerRound)} a round): {s.Reason}"));
    }
}

/// <summary>One client count: the child's peak RSS, and its mean round (from round 2) in seconds and in trained samples.</summary>
internal sealed record ScaleFigure(int Clients, int ClientsPerRound, int Rounds, long PeakRssBytes, double MeanRoundSeconds, double TrainedSamplesPerRound)
{
    public double SecondsPerTrainedSample => MeanRoundSeconds / TrainedSamplesPerRound;

    public static ScaleFigure Of(int clients, int perRound, ChildResult result, int localEpochs)
    {
        var counted = result.Rounds.Skip(1).ToList();
        if (counted.Count == 0) throw new ChildRunException($"the run recorded {result.Rounds.Count} round(s); the stage needs at least 2");
        return new ScaleFigure(clients, perRound, result.Rounds.Count, result.PeakRssBytes, counted.Average(r => r.Seconds),
            counted.Average(r => (double)r.ParticipantSamples * localEpochs));
    }
}

/// <summary>A client count not measured, and why.</summary>
internal sealed record ScaleSkip(int Clients, int ClientsPerRound, string Reason);

internal sealed record ScaleResult(IReadOnlyList<ScaleFigure> Figures, IReadOnlyList<ScaleSkip> Skipped);
