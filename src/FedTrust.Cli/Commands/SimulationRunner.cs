using Akka.Configuration;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Persistence;
using FedTrust.Cli.Reports;
using FedTrust.Core.Data;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary>
/// Runs one simulation into an output folder: journals the trust ledger as <c>fedtrust.persistence</c> says
/// (DIR/journal.db by default), checkpoints after every round (DIR/checkpoint.json), resumes from that checkpoint
/// when asked, shows progress, and writes DIR/result.json. Shared by run and grid.
/// </summary>
internal static class SimulationRunner
{
    public static async Task<SimulationResult> RunAsync(IAnsiConsole console, ExperimentSettings settings, Config config,
        MnistDataset dataset, string dir, bool resume, bool showRounds, CancellationToken cancellation)
    {
        var checkpoints = CheckpointFile.In(dir);
        var fingerprint = FedTrustConfig.Fingerprint(config);
        RunCheckpoint? from = null;
        if (resume)
        {
            from = checkpoints.Load()
                   ?? throw new JournalException($"{checkpoints.Path}: no checkpoint to resume from (was the run started with --out {dir}?)");
            if (from.ConfigFingerprint != fingerprint)
                throw new FedTrust.Actors.Configuration.ConfigurationException(
                    $"{checkpoints.Path}: run {from.RunId} was started with another configuration; resume it with the same --config/--set options");
            if (showRounds) console.MarkupLineInterpolated($"resuming run [bold]{from.RunId}[/] after round {from.Round} of {settings.Rounds}");
        }
        else if (checkpoints.Load() is { } previous && previous.Round < settings.Rounds && showRounds)
        {
            console.MarkupLineInterpolated(
                $"[yellow]note:[/] {dir} held unfinished run {previous.RunId} (stopped after round {previous.Round}); starting a new run (use --resume to continue that one)");
        }

        Directory.CreateDirectory(dir);
        var runConfig = JournalSetup.ForRun(settings.Persistence, dir).WithFallback(config);
        var options = new RunOptions
        {
            RunId = from?.RunId ?? SimulationHost.NewRunId(settings),
            ResumeFrom = from,
            Checkpoint = checkpoints.Save,
            ConfigFingerprint = fingerprint,
        };
        if (!showRounds) return await SimulationHost.RunAsync(settings, runConfig, dataset, options, cancellation);
        if (from is not null)
            foreach (var done in from.Rounds) console.WriteLine(SummaryReport.RoundLine(done, settings.Rounds) + "  (before resume)");
        if (!console.Profile.Capabilities.Interactive)
        {
            return await SimulationHost.RunAsync(settings, runConfig, dataset,
                options with { OnRound = round => console.WriteLine(SummaryReport.RoundLine(round, settings.Rounds)) }, cancellation);
        }

        SimulationResult? result = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"round {from?.Round ?? 0}/{settings.Rounds}", maxValue: settings.Rounds);
                task.Increment(from?.Round ?? 0);
                result = await SimulationHost.RunAsync(settings, runConfig, dataset, options with
                {
                    OnRound = round =>
                    {
                        task.Description = SummaryReport.RoundLine(round, settings.Rounds);
                        task.Increment(1);
                    },
                }, cancellation);
            });
        return result!;
    }

    /// <summary>Writes DIR/result.json with the configuration as the run resolved it and where its trust journal is.</summary>
    public static string WriteResult(string dir, Config config, ExperimentSettings settings, string dataDir, SimulationResult result)
    {
        Directory.CreateDirectory(dir);
        return ResultJson.Write(Path.Combine(dir, "result.json"), FedTrustConfig.WithResolvedValues(config, settings, dataDir), result,
            JournalSetup.Describe(settings.Persistence, dir));
    }
}
