using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;
using FedTrust.Cli.Reports;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary>
/// <c>fedtrust grid</c>: every cell of <c>fedtrust.grid</c> (defenses × attacks × intensities, a no-attack reference,
/// seeds, an optional ε sweep), each cell's result.json in its own folder, resumable (finished cells are skipped),
/// then Table 1 (csv, md), the figures and the ε trade-off.
/// </summary>
internal static class GridCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per cell (fedtrust.grid.seeds)" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Grid folder (default: runs/grid-<timestamp>); finished cells in it are skipped" };
        var command = new Command("grid", "Run the experiment grid (the paper's Table 1 and figures) and write tables and plots");
        common.AddTo(command);
        command.Add(seeds);
        command.Add(outDir);
        command.SetAction((parse, cancellation) => Guard.RunAsync(error, parse.GetValue(common.Verbose), async () =>
        {
            var config = common.Compose(parse);
            var baseSettings = SettingsReader.Read(config);
            var cells = GridPlan.Cells(config, parse.GetValue(seeds));
            // Every cell's configuration is checked before anything runs.
            var planned = cells.Select(cell =>
            {
                var cellConfig = FedTrustConfig.Parse(cell.Overrides(), $"grid cell {cell.Label}").WithFallback(config);
                return (Cell: cell, Config: cellConfig, Settings: CellSettings(cell, cellConfig));
            }).ToList();

            var console = Consoles.For(output);
            var dir = parse.GetValue(outDir)?.FullName
                      ?? Path.GetFullPath(Path.Combine("runs", $"grid-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}"));
            var (dataset, dataDir) = DataLoading.Load(baseSettings.Data, console);
            Directory.CreateDirectory(dir);

            var pending = planned.Where(p => !File.Exists(Path.Combine(dir, p.Cell.Folder, "result.json"))).ToList();
            console.MarkupLineInterpolated(
                $"[bold]fedtrust grid[/]: {planned.Count} cells ({planned.Count - pending.Count} already done in {dir}), {baseSettings.Rounds} rounds each, model {baseSettings.Model}");
            var clock = Stopwatch.StartNew();
            var done = 0;
            foreach (var (cell, cellConfig, settings) in pending)
            {
                var cellClock = Stopwatch.StartNew();
                var cellDir = Path.Combine(dir, cell.Folder);
                // A cell killed mid-run left a checkpoint: continue it rather than start over.
                var resumeCell = File.Exists(Path.Combine(cellDir, FedTrust.Actors.Persistence.CheckpointFile.FileName));
                var result = await SimulationRunner.RunAsync(console, settings, cellConfig, dataset, cellDir, resumeCell, showRounds: false, cancellation);
                SimulationRunner.WriteResult(Path.Combine(dir, cell.Folder), cellConfig, settings, dataDir, result);
                done++;
                var eta = clock.Elapsed / done * (pending.Count - done);
                var detection = result.Detection is { } d && settings.Attack.EffectiveMalicious > 0
                    ? string.Create(CultureInfo.InvariantCulture, $", TPR {d.Tpr:F2} FPR {d.Fpr:F2}")
                    : "";
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{planned.Count - pending.Count + done}/{planned.Count}] {cell.Label}: accuracy {result.Final.Accuracy:F4}, F1 {result.Final.F1:F4}{detection}  ({cellClock.Elapsed.TotalSeconds:F0} s, about {eta.TotalMinutes:F1} min left)"));
            }
            var wall = clock.Elapsed;

            var written = GridReport.Write(dir, baseSettings);
            foreach (var file in written) console.MarkupLineInterpolated($"[green]wrote[/] {file}");
            File.WriteAllText(Path.Combine(dir, "grid.json"), JsonSerializer.Serialize(new
            {
                cells = planned.Count,
                ran = pending.Count,
                skipped = planned.Count - pending.Count,
                wallSeconds = Math.Round(wall.TotalSeconds, 1),
                rounds = baseSettings.Rounds,
                model = baseSettings.Model,
            }, new JsonSerializerOptions { WriteIndented = true }));
            console.MarkupLineInterpolated(
                $"[bold]grid finished[/]: {pending.Count} cells run in {wall.TotalMinutes.ToString("F1", CultureInfo.InvariantCulture)} min ({wall.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s wall), {planned.Count - pending.Count} skipped");
            return 0;
        }));
        return command;
    }

    /// <summary>A cell's settings; a value the grid's axes make invalid is reported with the cell it came from.</summary>
    private static ExperimentSettings CellSettings(GridCell cell, Config config)
    {
        try
        {
            return SettingsReader.Read(config);
        }
        catch (FedTrust.Actors.Configuration.ConfigurationException e)
        {
            throw new FedTrust.Actors.Configuration.ConfigurationException($"grid cell {cell.Label}: {e.Message}");
        }
    }
}
