using Akka.Configuration;
using ConfigurationException = FedTrust.Core.Configuration.ConfigurationException;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Persistence;
using FedTrust.Actors.Runs;
using FedTrust.Cli.Reports;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;
using Spectre.Console;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>
/// Runs one simulation into a claimed output folder: journals the trust ledger as <c>fedtrust.persistence</c> says
/// (DIR/journal.db by default, checked before the run starts), checkpoints after every round (DIR/checkpoint.json),
/// resumes from that checkpoint when asked (after checking it against the configuration, the model and itself),
/// shows progress, and writes DIR/result.json. Shared by run and grid.
/// </summary>
internal static class SimulationRunner
{
    public static async Task<SimulationResult> RunAsync(IAnsiConsole console, ExperimentSettings settings, Config config,
        MnistDataset dataset, OutputFolder folder, bool resume, bool showRounds, CancellationToken cancellation)
    {
        try
        {
            return await RunInFolderAsync(console, settings, config, dataset, folder, resume, showRounds, cancellation);
        }
        finally
        {
            JournalSetup.Release(settings.Persistence);
        }
    }

    private static async Task<SimulationResult> RunInFolderAsync(IAnsiConsole console, ExperimentSettings settings, Config config,
        MnistDataset dataset, OutputFolder folder, bool resume, bool showRounds, CancellationToken cancellation)
    {
        var dir = folder.Path;
        var fingerprint = ConfigFingerprint.Of(config);
        var (from, @sealed) = resume ? ResumePoint(folder, settings, fingerprint) : (null, true);
        if (from is not null && showRounds) console.MarkupLineInterpolated($"resuming run [bold]{from.RunId}[/] after round {from.Round} of {settings.Rounds}");
        if (from is not null && !@sealed)
            console.MarkupLineInterpolated(
                $"[yellow]note:[/] {folder.Checkpoints.Path} has no sha256 (an older fedtrust wrote it): only its consistency was checked");

        var runConfig = JournalSetup.ForRun(settings.Persistence, dir).WithFallback(config);
        var options = new RunOptions
        {
            RunId = from?.RunId ?? SimulationHost.NewRunId(settings),
            ResumeFrom = from,
            Checkpoint = folder.Checkpoints.Save,
            ConfigFingerprint = fingerprint,
            Journal = JournalSetup.Describe(settings.Persistence, dir),
            Notice = line => console.MarkupLineInterpolated($"[grey]cluster:[/] {line}"),
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

    /// <summary>
    /// The checkpoint to continue from, refused with one line when it is missing, damaged, taken under another
    /// configuration (naming the keys that differ), inconsistent in itself or with the model, or of another run than
    /// the folder's result.json. (That the journal holds this run up to the checkpoint is checked once the ledger has
    /// recovered.) A checkpoint whose content does not match the sha256 written with it is refused on load; one
    /// without a sha256 (an older fedtrust's) is returned with <c>Sealed</c> false.
    /// </summary>
    private static (RunCheckpoint From, bool Sealed) ResumePoint(OutputFolder folder, ExperimentSettings settings, string fingerprint)
    {
        var checkpoints = folder.Checkpoints;
        var from = checkpoints.Load(out var @sealed)
                   ?? throw new JournalException($"{checkpoints.Path}: no checkpoint to resume from (was the run started with --out {folder.Path}?)");
        RefuseChanged(checkpoints.Path, from, fingerprint);
        checkpoints.Verify(from, settings.Rounds, ModelZoo.ParameterCount(settings.Model), settings.Dp.Delta);
        var cannot = $"cannot resume run {from.RunId} after round {from.Round}";
        if (settings.Persistence.Provider == "memory" && from.Round > 0)
            throw new ConfigurationException($"{cannot} with fedtrust.persistence.provider = memory: an in-memory journal does not outlive its process, so the run's trust scores are gone");
        if (settings.Persistence.Provider == "sqlite" && from.Round > 0 && !File.Exists(settings.Persistence.SqlitePath(folder.Path)))
            throw new JournalException($"{cannot}: its trust journal {settings.Persistence.SqlitePath(folder.Path)} is missing (deleted or moved?); without it every trust score would silently restart");
        if (File.Exists(folder.ResultFile) && OutputFolder.RunIdIn(folder.ResultFile) is { } finished && finished != from.RunId)
            throw new ConfigurationException(
                $"{folder.Path} holds result.json of run {finished} but checkpoint.json of run {from.RunId}; the folder mixes two runs, so neither can be resumed safely");
        return (from, @sealed);
    }

    /// <summary>
    /// Refuses to continue the run in <paramref name="dir"/> under a configuration whose fingerprint differs from its
    /// checkpoint's, naming the keys (numbers compared as numbers); a missing or unreadable checkpoint is left to the resume's own checks.
    /// </summary>
    public static void RefuseChangedConfiguration(string dir, Config config)
    {
        var checkpoints = CheckpointFile.In(dir);
        if (!File.Exists(checkpoints.Path)) return;
        RunCheckpoint? from;
        try
        {
            from = checkpoints.Load();
        }
        catch (JournalException)
        {
            return;
        }
        if (from is not null) RefuseChanged(checkpoints.Path, from, ConfigFingerprint.Of(config));
    }

    private static void RefuseChanged(string path, RunCheckpoint from, string fingerprint)
    {
        if (from.ConfigFingerprint != fingerprint && ConfigFingerprint.Differences(from.ConfigFingerprint, fingerprint) is { Count: > 0 } differences)
            throw new ConfigurationException(
                $"{path}: run {from.RunId} was started with another configuration " +
                $"({ConfigFingerprint.Describe(differences)}); resume it with the same --config/--set options");
    }

    /// <summary>Writes DIR/result.json with the configuration as the run resolved it and where its trust journal is.</summary>
    public static string WriteResult(OutputFolder folder, Config config, ExperimentSettings settings, string dataDir, SimulationResult result) =>
        ResultJson.Write(folder.ResultFile, FedTrustConfig.WithResolvedValues(config, settings, dataDir), result,
            JournalSetup.Describe(settings.Persistence, folder.Path));
}
