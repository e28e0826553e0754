using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using ConfigurationException = FedTrust.Core.Configuration.ConfigurationException;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Persistence;
using FedTrust.Actors.Runs;
using FedTrust.Cli.Grid;
using FedTrust.Cli.Reports;
using FedTrust.Core.Settings;
using Spectre.Console;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>
/// <c>fedtrust grid</c>: every cell of <c>fedtrust.grid</c> (defenses × attacks × intensities, a no-attack reference,
/// seeds, optional malicious-count, data-set and partition axes, an optional ε sweep, under attacks and on a population
/// axis), each cell's result.json in its own folder, then the reports (<see cref="GridReport"/>: Table 1, the figures and
/// the ε trade-off, or the robustness or heterogeneity reports, and the privacy report of the sweep). Resumable: a
/// finished cell whose recorded configuration equals the planned one is reused, an interrupted one continued from its
/// checkpoint; a cell recorded under another configuration is never reused (refused, naming the keys that differ, or
/// rerun with --overwrite).
/// </summary>
internal static class GridCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per cell (fedtrust.grid.seeds)" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Grid folder (default: runs/grid-<timestamp>); finished cells in it are reused" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Rerun the cells in --out DIR that were run with another configuration, replacing them" };
        var quick = new Option<bool>("--quick") { Description = "A first look: 1 seed and fedtrust.grid.quick-rounds rounds per cell (the grid's own rounds when fewer)" };
        var command = new Command("grid", "Run the experiment grid (the paper's Table 1 and figures) and write tables and plots");
        common.AddTo(command);
        command.Add(seeds);
        command.Add(outDir);
        command.Add(overwrite);
        command.Add(quick);
        command.SetAction((parse, cancellation) => Guard.RunAsync(error, parse.GetValue(common.Verbose), async () =>
        {
            var config = common.Compose(parse);
            if (parse.GetValue(quick))
            {
                if (parse.GetValue(seeds) is > 1) throw new ConfigurationException("--quick runs 1 seed per cell: leave out --seeds, or --quick");
                // A first look is never longer than the full grid: a grid of fewer rounds than quick-rounds keeps its own.
                var rounds = int.TryParse(config.GetString("fedtrust.rounds"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var full) && full >= 1
                    ? Math.Min(full, QuickRounds(config))
                    : QuickRounds(config);
                config = FedTrustConfig.Parse(
                        $"fedtrust {{ rounds = {rounds}\n grid.seeds = 1 }}", "--quick").WithFallback(config);
            }
            // Privacy keys are checked against the cells (GridPlan.Plan): the base's dp.epsilon may serve only its dp cells.
            var baseSettings = HoconSettings.Read(config, checkPrivacyKeys: false);
            ClusterOptions.RefuseCluster(baseSettings, "fedtrust grid");
            // Every cell's configuration is checked before anything runs. On a malicious axis, a cell whose defense
            // cannot take its n and f (Bulyan needs n ≥ 4f + 3, …) is left out of the plan and named; elsewhere it is an error.
            var (planned, skipped) = GridPlan.Plan(config, parse.GetValue(seeds));

            var console = Consoles.For(output);
            var dir = OutputFolder.Checked(parse.GetValue(outDir))
                      ?? Path.GetFullPath(Path.Combine("runs", $"grid-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}"));
            var datasets = GridDatasets.Prepare(planned.Select(p => p.Settings), console);
            // A split the data cannot give is refused before the grid's folder is made (bad input writes nothing).
            foreach (var settings in planned.Select(p => p.Settings).DistinctBy(ClientRoster.SplitOf))
                ClientRoster.Check(settings, datasets.For(settings));
            using var gridFolder = OutputFolder.Claim(dir, "fedtrust grid");

            // What each cell's folder already holds, decided for every cell before any runs.
            var states = planned.Select(p => (Plan: p, State: CellState.Of(Path.Combine(dir, p.Cell.Folder), p.Config, p.Settings, datasets.DirOf(p.Settings)))).ToList();
            // A finished cell's result.json that is not one (malformed, or another tool's file) is named, never silently reused.
            if (states.FirstOrDefault(s => s.State.Malformed is not null) is { State.Malformed: { } malformed } && !parse.GetValue(overwrite))
                throw new ConfigurationException($"{malformed}; rerun its cell with --overwrite, or remove the file");
            var conflicts = states.Where(s => s.State.Differences is not null).ToList();
            if (conflicts.Count > 0 && !parse.GetValue(overwrite))
            {
                var (first, state) = conflicts[0];
                throw new ConfigurationException(
                    $"{dir}: {conflicts.Count} of {planned.Count} cells were run with another configuration " +
                    $"(cell {first.Cell.Folder}: {ConfigFingerprint.Describe(state.Differences!)}); rerun them with --overwrite, or choose another --out");
            }
            var pending = states.Where(s => !s.State.Finished || s.State.Differences is not null).ToList();
            console.MarkupLineInterpolated(
                $"[bold]fedtrust grid[/]: {planned.Count} cells ({planned.Count - pending.Count} already done in {dir}{(conflicts.Count > 0 ? $", {conflicts.Count} to rerun with another configuration" : "")}), {baseSettings.Rounds} rounds each, model {baseSettings.Model}");
            foreach (var group in skipped.GroupBy(s => s.Cell.Defense))
                console.WriteLine($"skipped {group.Count()} cells of {group.Key}: {group.First().Why}");
            var clock = Stopwatch.StartNew();
            var done = 0;
            foreach (var ((cell, cellConfig, settings), state) in pending)
            {
                var cellClock = Stopwatch.StartNew();
                using var cellFolder = OutputFolder.Claim(Path.Combine(dir, cell.Folder), $"fedtrust grid (cell {cell.Label})");
                // The grid owns its cells' folders: an interrupted cell with a matching checkpoint is continued; any other
                // leftover (a cell killed before its first round, or one recorded under another configuration) is replaced.
                var resumeCell = state.Resumable && state.Differences is null;
                if (!resumeCell) cellFolder.Clear(settings.Persistence);
                var result = await SimulationRunner.RunAsync(console, settings, cellConfig, datasets.For(settings), cellFolder, resumeCell, showRounds: false, cancellation);
                var cellFile = SimulationRunner.WriteResult(cellFolder, cellConfig, settings, datasets.DirOf(settings), result);
                if (result.Failed is { } failed) throw new SimulationException($"cell {cell.Label}: {failed.Reason}; wrote {cellFile}");
                done++;
                var eta = clock.Elapsed / done * (pending.Count - done);
                var detection = result.Detection is { } d && settings.Attack.EffectiveMalicious > 0
                    ? string.Create(CultureInfo.InvariantCulture, $", TPR {d.Tpr:F2} FPR {d.Fpr:F2}")
                    : "";
                var diverged = result.Diverged is { } dv ? $", diverged at round {dv.Round}"
                    : result.Collapsed is { } cl ? $", collapsed to chance from round {cl.Round}" : "";
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{planned.Count - pending.Count + done}/{planned.Count}] {cell.Label}: accuracy {result.Final.Accuracy:F4}, F1 {result.Final.F1:F4}{detection}{diverged}  ({cellClock.Elapsed.TotalSeconds:F0} s, about {eta.TotalMinutes:F1} min left)"));
            }
            var wall = clock.Elapsed;

            var written = GridReport.Write(dir, baseSettings, planned.Select(p => p.Cell.Folder).ToList());
            if (skipped.Count > 0)
            {
                var skippedFile = Path.Combine(dir, "skipped.csv");
                File.WriteAllLines(skippedFile, ["defense,attack,intensity,f,seed,reason",
                    .. skipped.Select(s => string.Create(CultureInfo.InvariantCulture,
                        $"{s.Cell.Defense},{s.Cell.Attack},{s.Cell.Intensity:R},{s.Cell.Malicious?.F},{s.Cell.Seed},\"{s.Why.Replace("\"", "\"\"")}\""))]);
                written = [.. written, skippedFile];
            }
            foreach (var file in written) console.MarkupLineInterpolated($"[green]wrote[/] {file}");
            File.WriteAllText(Path.Combine(dir, "grid.json"), JsonSerializer.Serialize(new
            {
                cells = planned.Count,
                ran = pending.Count,
                skipped = planned.Count - pending.Count,
                infeasible = skipped.Count,
                rerun = conflicts.Count,
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

    /// <summary>fedtrust.grid.quick-rounds, checked.</summary>
    private static int QuickRounds(Config config) =>
        int.TryParse(config.GetString("fedtrust.grid.quick-rounds"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var rounds) && rounds is >= 1 and <= 100_000
            ? rounds
            : throw new ConfigurationException($"fedtrust.grid.quick-rounds = '{config.GetString("fedtrust.grid.quick-rounds")}': expected a whole number from 1 to 100000");

    /// <summary>
    /// What a cell's folder holds before the grid runs: a finished result.json, a checkpoint to continue, or nothing
    /// usable; and, when what it holds was recorded under another configuration than the planned one, the keys that differ.
    /// </summary>
    /// <param name="Malformed">Why the cell's result.json is no result.json (one line naming the file and the failing JSON path), or null.</param>
    private sealed record CellState(bool Finished, bool Resumable, IReadOnlyList<string>? Differences, string? Malformed = null)
    {
        public static CellState Of(string cellDir, Config cellConfig, ExperimentSettings settings, string dataDir)
        {
            var resultFile = Path.Combine(cellDir, GridResults.FileName);
            if (File.Exists(resultFile))
            {
                var plannedBlock = FedTrustConfig.ToJson(FedTrustConfig.WithResolvedValues(cellConfig, settings, dataDir));
                var (recorded, malformed) = Recorded(resultFile);
                return recorded is { } block
                    ? new CellState(true, false, Nullify(ConfigFingerprint.Differences(block, plannedBlock)))
                    : new CellState(true, false, ["its result.json cannot be read"], malformed);
            }
            var checkpoints = CheckpointFile.In(cellDir);
            if (!File.Exists(checkpoints.Path)) return new CellState(false, false, null);
            try
            {
                var checkpoint = checkpoints.Load()!;
                return new CellState(false, true, Nullify(ConfigFingerprint.Differences(checkpoint.ConfigFingerprint, ConfigFingerprint.Of(cellConfig))));
            }
            catch (JournalException e)
            {
                return new CellState(false, true, [$"its checkpoint.json cannot be read ({e.Message})"]);
            }
        }

        private static IReadOnlyList<string>? Nullify(IReadOnlyList<string> differences) => differences.Count == 0 ? null : differences;

        /// <summary>
        /// The <c>config</c> block a result.json recorded once the file conforms to result.schema.json, or why it is no
        /// result.json (<see cref="ResultFileSchema.Checked"/>).
        /// </summary>
        private static (JsonElement? Config, string? Malformed) Recorded(string resultFile)
        {
            try
            {
                var document = ResultFileSchema.Checked(resultFile);
                return (JsonSerializer.SerializeToElement(document["config"]), null);
            }
            catch (InvalidDataException e)
            {
                return (null, e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, $"{resultFile}: cannot be read ({e.Message})");
            }
        }
    }
}
