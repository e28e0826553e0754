using Akka.Configuration;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Cli.Reports;
using FedTrust.Core.Data;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary>Runs one simulation with the console's progress display and writes its result.json: shared by run and grid.</summary>
internal static class SimulationRunner
{
    public static async Task<SimulationResult> RunAsync(IAnsiConsole console, ExperimentSettings settings, Config config,
        MnistDataset dataset, bool showRounds, CancellationToken cancellation)
    {
        if (!showRounds) return await SimulationHost.RunAsync(settings, config, dataset, null, cancellation);
        if (!console.Profile.Capabilities.Interactive)
        {
            return await SimulationHost.RunAsync(settings, config, dataset,
                round => console.WriteLine(SummaryReport.RoundLine(round, settings.Rounds)), cancellation);
        }

        SimulationResult? result = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"round 0/{settings.Rounds}", maxValue: settings.Rounds);
                result = await SimulationHost.RunAsync(settings, config, dataset, round =>
                {
                    task.Description = SummaryReport.RoundLine(round, settings.Rounds);
                    task.Increment(1);
                }, cancellation);
            });
        return result!;
    }

    /// <summary>Writes DIR/result.json (creating DIR) with the configuration as the run resolved it.</summary>
    public static string WriteResult(string dir, Config config, ExperimentSettings settings, string dataDir, SimulationResult result)
    {
        Directory.CreateDirectory(dir);
        return ResultJson.Write(Path.Combine(dir, "result.json"), FedTrustConfig.WithResolvedValues(config, settings, dataDir), result);
    }
}
