using System.CommandLine;
using System.Globalization;
using Akka.Configuration;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Cli.Reports;
using FedTrust.Core.Data;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary><c>fedtrust run</c>: one simulation, with a live progress display, a summary table and DIR/result.json.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for result.json (default: runs/<timestamp>)" };
        var command = new Command("run", "Run one federated simulation on MNIST and write DIR/result.json");
        common.AddTo(command);
        command.Add(outDir);
        command.SetAction((parse, cancellation) =>
        {
            var verbose = parse.GetValue(common.Verbose);
            return Guard.RunAsync(error, verbose, async () =>
            {
                var config = common.Compose(parse);
                var settings = SettingsReader.Read(config);
                var console = Consoles.For(output);
                var (dataset, dataDir) = DataLoading.Load(settings.Data, console);
                var dir = parse.GetValue(outDir)?.FullName
                          ?? Path.GetFullPath(Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
                var result = await RunWithProgressAsync(console, settings, config, dataset, cancellation);
                Directory.CreateDirectory(dir);
                var file = ResultJson.Write(Path.Combine(dir, "result.json"), FedTrustConfig.WithResolvedValues(config, settings, dataDir), result);
                SummaryReport.Write(console, settings, result);
                console.MarkupLineInterpolated($"[green]wrote[/] {file}");
                return 0;
            });
        });
        return command;
    }

    private static async Task<SimulationResult> RunWithProgressAsync(IAnsiConsole console, ExperimentSettings settings, Config config,
        MnistDataset dataset, CancellationToken cancellation)
    {
        console.MarkupLineInterpolated(
            $"[bold]fedtrust run[/]: {settings.Clients} clients, {settings.Rounds} rounds, model {settings.Model}, seed {settings.Seed}, {settings.Trainers} trainer(s) x {settings.TorchThreads} torch thread(s)");
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
}
