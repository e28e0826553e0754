using System.Globalization;
using Akka.Configuration;
using FedTrust.Actors.Configuration;
using ConfigurationException = FedTrust.Core.Configuration.ConfigurationException;
using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Grid;

/// <summary>One run of a grid: its place in the grid, the folder its result.json goes to, and the config overrides that make it.</summary>
public sealed record GridCell(string Defense, string Attack, double Intensity, long Seed, double? Epsilon, string Folder)
{
    /// <summary>On a grid with a <c>grid.malicious</c> axis: the cell's malicious clients f, and its client count (honest + f, or the configured count).</summary>
    public (int F, int Clients)? Malicious { get; init; }

    /// <summary>On a grid with a <c>grid.datasets</c> axis: the cell's data set (<c>fedtrust.dataset</c>).</summary>
    public string? Dataset { get; init; }

    /// <summary>On a grid with a <c>grid.partitions</c> axis: the cell's partition (<c>fedtrust.partition</c>'s kind and parameter).</summary>
    public PartitionLevel? Partition { get; init; }

    /// <summary>On a grid with a <c>grid.populations</c> axis: the cell's client count, clients per round, malicious count and Krum's f.</summary>
    public PopulationLevel? Population { get; init; }

    /// <summary>
    /// Whether the base configuration runs central DP (<c>fedtrust.dp.mode = central</c>): an ε-sweep cell's
    /// <see cref="Epsilon"/> is then the total ε over the planned rounds (<c>dp.target-epsilon</c>), not the per-round
    /// ε of local DP (<c>dp.epsilon</c>).
    /// </summary>
    public bool CentralDp { get; init; }

    /// <summary>The HOCON that turns the grid's base configuration into this cell's.</summary>
    public string Overrides()
    {
        var epsilon = Epsilon is { } e ? $" dp.{(CentralDp ? "target-epsilon" : "epsilon")} = {Format(e, "R")}\n" : "";
        var malicious = Malicious is { } m ? $" attack.malicious = {m.F}\n clients = {m.Clients}\n" : "";
        var population = Population?.Overrides(attacked: Attack != "none") ?? "";
        var dataset = Dataset is { } d ? $" dataset = {d}\n" : "";
        var partition = Partition?.Overrides() ?? "";
        // The defense is quoted: a pipeline's name holds '+', which HOCON does not take unquoted.
        return string.Create(CultureInfo.InvariantCulture,
            $"fedtrust {{\n defense = \"{Defense}\"\n attack.type = {Attack}\n attack.intensity = {Intensity:R}\n seed = {Seed}\n{epsilon}{malicious}{population}{dataset}{partition}}}");
    }

    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"{(Dataset is { } d ? $"{d} / " : "")}{(Partition is { } p ? $"{p.Label} / " : "")}{Defense} / {Attack}{(Attack == "none" ? "" : $" {Intensity:0.###}")}{(Malicious is { } m ? $" / f {m.F}" : "")}{(Population is { } n ? $" / {n.Label}" : "")}{(Epsilon is { } e ? $" / {(CentralDp ? "eps total" : "eps/round")} {Format(e)}" : "")} / seed {Seed}");

    internal static string Format(double value, string format = "0.###") =>
        double.IsPositiveInfinity(value) ? "inf" : value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>A cell the grid will run: its place, its configuration (the base with the cell's overrides) and its settings.</summary>
public sealed record PlannedCell(GridCell Cell, Config Config, ExperimentSettings Settings);

/// <summary>
/// The cells of a grid, read from <c>fedtrust.grid</c>, in a fixed order (data set, partition, defense, seed, attack,
/// intensity, f); the data set and partition only on their axes. Each defense and seed's ε-sweep cells
/// (<see cref="EpsilonSweep"/>: sweep attack, client count, ε) follow its other cells.
/// </summary>
public static class GridPlan
{
    /// <summary>Sub-folder holding the ε-sweep cells (kept apart from Table 1's cells).</summary>
    public const string EpsilonSweepFolder = "epsilon-sweep";

    /// <summary>
    /// The grid's cells. The no-attack cell of a defense and seed is run once, whether it comes from
    /// <c>grid.reference</c> or from <c>none</c> in <c>grid.attacks</c> (it has no intensity to vary). Repeated names
    /// and values in the lists count once. On <c>grid.datasets</c> and <c>grid.partitions</c> axes every cell runs on each
    /// data set at each partition; the ε sweep runs once, at the base configuration's data set and partition. The
    /// <c>grid.populations</c> axis runs the ε sweep alone, at each client count (<see cref="PopulationLevel"/>).
    /// </summary>
    /// <exception cref="ConfigurationException">A list or the seed count is invalid, or the grid has no cells.</exception>
    public static IReadOnlyList<GridCell> Cells(Config config, int? seedsOverride = null) =>
        Plan(config, seedsOverride).Cells.Select(p => p.Cell).ToList();

    /// <summary>
    /// The grid's runnable cells, each with its configuration and settings (read once, here), and, on a malicious axis,
    /// the cells left out because their defense cannot take their n and f (Bulyan needs n ≥ 4f + 3, …;
    /// <see cref="SettingsReader.DefenseProblem"/>), each with the reason. Off the axis such a cell is not skipped: reading
    /// its settings fails with that reason, as a single run would. Every error names the cell it came from.
    /// </summary>
    public static (IReadOnlyList<PlannedCell> Cells, IReadOnlyList<(GridCell Cell, string Why)> Skipped) Plan(Config config, int? seedsOverride = null)
    {
        var all = AllCells(config, seedsOverride);
        var cells = new List<PlannedCell>(all.Count);
        var skipped = new List<(GridCell, string)>();
        foreach (var cell in all)
        {
            // A cell's defense name combines with a defense object of the base (its parameters), as --set does.
            var cellConfig = FedTrustConfig.LayerOver(FedTrustConfig.Parse(cell.Overrides(), $"grid cell {cell.Label}"), config);
            var settings = Settings(cell, cellConfig, checkDefenseFits: cell.Malicious is null);
            if (cell.Malicious is not null && SettingsReader.DefenseProblem(settings) is { } problem) skipped.Add((cell, problem));
            else cells.Add(new PlannedCell(cell, cellConfig, settings));
        }
        if (cells.Count == 0) throw new ConfigurationException($"every cell of the grid was skipped: {skipped[0].Item1.Label}: {skipped[0].Item2}");
        RefuseUnusedPrivacyKeys(cells);
        return (cells, skipped);
    }

    /// <summary>
    /// A privacy key the grid's configuration sets (e.g. dp.epsilon for its dp cells) may go unused by some cells (fedavg
    /// adds no noise), but not by all: then it is refused as a single run would refuse it, naming the first cell.
    /// </summary>
    private static void RefuseUnusedPrivacyKeys(IReadOnlyList<PlannedCell> cells)
    {
        var unused = cells.Select(c => (c.Cell, Unused: HoconSettings.UnusedPrivacyKeys(c.Config, c.Settings))).ToList();
        var first = unused[0];
        foreach (var (key, message) in first.Unused)
            if (unused.All(u => u.Unused.Any(k => k.Key == key)))
                throw new ConfigurationException($"grid cell {first.Cell.Label}: {message} (and no cell of the grid uses it)");
    }

    /// <summary>A cell's settings; a value the grid's axes make invalid is reported with the cell it came from.</summary>
    private static ExperimentSettings Settings(GridCell cell, Config cellConfig, bool checkDefenseFits)
    {
        try
        {
            return HoconSettings.Read(cellConfig, checkDefenseFits, checkPrivacyKeys: false);
        }
        catch (ConfigurationException e)
        {
            throw new ConfigurationException($"grid cell {cell.Label}: {e.Message}");
        }
    }

    /// <summary>
    /// The grid's cells as its keys lay them out, each with its folder and overrides, before any cell's settings are
    /// read (<see cref="Plan"/> reads and checks them). The keys of <c>fedtrust.grid</c> are checked here.
    /// </summary>
    /// <exception cref="ConfigurationException">A list or the seed count is invalid, two axes cannot combine, or the grid has no cells.</exception>
    public static IReadOnlyList<GridCell> Layout(Config config, int? seedsOverride = null) => AllCells(config, seedsOverride);

    private static List<GridCell> AllCells(Config config, int? seedsOverride)
    {
        var userPresets = HoconSettings.UserPresets(config);
        var defenses = DefenseNames(config, "fedtrust.grid.defenses", userPresets);
        var attacks = AttackEntries(config, "fedtrust.grid.attacks");
        var sweepAttacks = AttackEntries(config, "fedtrust.grid.sweep-attacks");
        var intensities = Doubles(config, "fedtrust.grid.intensities");
        var epsilons = Doubles(config, "fedtrust.grid.epsilons");
        var maliciousAxis = Counts(config, "fedtrust.grid.malicious");
        var datasetAxis = Datasets(config, "fedtrust.grid.datasets");
        var partitionAxis = Partitions(config, "fedtrust.grid.partitions");
        var populationAxis = PopulationLevel.Read(config);
        int? honest = config.GetString("fedtrust.grid.honest") == "auto" ? null : Whole(config, "fedtrust.grid.honest", min: 1);
        var seeds = seedsOverride ?? Whole(config, "fedtrust.grid.seeds");
        var baseSeed = config.GetLong("fedtrust.seed");
        if (defenses.Count == 0) throw new ConfigurationException("fedtrust.grid.defenses is empty: name at least one defense");
        if (datasetAxis.Count > 1 && config.GetString("fedtrust.data.dir") is { } dataDir && !string.IsNullOrWhiteSpace(dataDir))
            throw new ConfigurationException(
                $"fedtrust.grid.datasets names {datasetAxis.Count} data sets but fedtrust.data.dir (--data-dir) is '{dataDir}': a folder holds " +
                "one data set's files; leave it empty so that each data set uses its own cache folder");
        if (seeds < 1) throw new ConfigurationException(
            $"{(seedsOverride is null ? "fedtrust.grid.seeds" : "--seeds")} = {seeds}: expected at least 1");
        var noAttack = Flag(config, "fedtrust.grid.reference") || attacks.Any(a => a.Name == "none");
        var attacked = Expand(attacks, intensities);
        var sweep = new EpsilonSweep(
            [.. defenses.Where(d => DefenseSettings.Parse(d, userPresets).ClientPrivacy)], epsilons,
            [.. sweepAttacks.Any(a => a.Name == "none") ? [("none", 0.0)] : Array.Empty<(string, double)>(), .. Expand(sweepAttacks, intensities)],
            populationAxis, CentralDp(config));
        if (sweep.Attacks.Any(a => a.Name != "none") && maliciousAxis.Count > 0)
            throw new ConfigurationException(
                "fedtrust.grid.sweep-attacks names an attack and fedtrust.grid.malicious is an axis: the ε sweep runs at one malicious count " +
                "(fedtrust.attack.malicious); leave fedtrust.grid.malicious empty or set fedtrust.grid.sweep-attacks = [none]");
        if (populationAxis.Count > 0)
            CheckPopulationAxis(sweep, noAttack || attacked.Count > 0, maliciousAxis.Count > 0, datasetAxis.Count > 0, partitionAxis.Count > 0, userPresets);
        var clients = config.GetInt("fedtrust.clients");
        // Without a malicious axis a cell keeps the configured malicious count (and folder layout); with one, each count is a level.
        (int F, int Clients)?[] maliciousLevels = maliciousAxis.Count == 0
            ? [null]
            : maliciousAxis.Select(f => ((int, int)?)(f, honest is { } h ? h + f : clients)).ToArray();
        (int F, int Clients)? reference = maliciousAxis.Count == 0 ? null : (0, honest ?? clients);

        // Without a dataset or partition axis a cell keeps the base configuration's (and the folder layout); with one,
        // each entry is a level, and its folder comes before the defense's.
        IReadOnlyList<string?> datasetLevels = datasetAxis.Count == 0 ? [null] : [.. datasetAxis];
        IReadOnlyList<PartitionLevel?> partitionLevels = partitionAxis.Count == 0 ? [null] : [.. partitionAxis];
        var levels = datasetLevels.SelectMany(d => partitionLevels.Select(p => (Dataset: d, Partition: p))).ToList();

        var cells = new List<GridCell>();
        foreach (var (dataset, partition) in levels)
        {
            string[] prefix = [.. dataset is null ? Array.Empty<string>() : [dataset], .. partition is null ? Array.Empty<string>() : [partition.Folder]];
            // The ε sweep runs once, at the base configuration's data set and partition (its report has no such axis).
            var sweepHere = (dataset, partition) == levels[0];
            foreach (var defense in defenses)
            {
                for (var s = 0; s < seeds; s++)
                {
                    var seed = baseSeed + s;
                    var seedFolder = $"seed-{seed}";
                    // The no-attack reference has no malicious clients: on a malicious axis, the honest clients alone.
                    if (noAttack)
                        cells.Add(new GridCell(defense, "none", 0, seed, null, Path.Combine([.. prefix, defense, "none", seedFolder]))
                            { Malicious = reference, Dataset = dataset, Partition = partition });
                    foreach (var (attack, intensity) in attacked)
                    foreach (var level in maliciousLevels)
                        cells.Add(new GridCell(defense, attack, intensity, seed, null,
                            Path.Combine([.. prefix, defense, $"{attack}-{GridCell.Format(intensity)}", .. level is { } l ? [$"f-{l.F}"] : Array.Empty<string>(), seedFolder]))
                            { Malicious = level, Dataset = dataset, Partition = partition });
                    if (sweepHere) cells.AddRange(sweep.Cells(defense, seed, reference));
                }
            }
        }
        if (cells.Count == 0) throw Empty(attacks.All(a => a.Name == "none"), epsilons.Count == 0, sweep.Attacks.Count == 0);
        if (cells.GroupBy(c => c.Folder).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            // Cells of one folder differ by their ε, or (same ε) by an intensity of the attacks' or the sweep's attacks.
            var byEpsilon = clash.Select(c => c.Epsilon).Distinct().Count() > 1;
            var values = string.Join(" and ", clash.Select(c => (byEpsilon ? c.Epsilon!.Value : c.Intensity).ToString("R", CultureInfo.InvariantCulture)));
            var key = byEpsilon ? "fedtrust.grid.epsilons" : clash.First().Epsilon is null ? "fedtrust.grid.intensities" : "fedtrust.grid.sweep-attacks";
            throw new ConfigurationException(
                $"{key}: {values} would share the cell folder '{clash.Key}' (folder names keep 3 decimals); use values that differ within 3 decimals");
        }
        return cells;
    }

    /// <summary>Attack entries with their intensities: an entry's own ("ipm@0.1"), or each of <paramref name="intensities"/>; none left out.</summary>
    private static List<(string Name, double Intensity)> Expand(List<(string Name, double? Intensity)> entries, List<double> intensities) =>
        entries.Where(a => a.Name != "none")
            .SelectMany(a => a.Intensity is { } fixedIntensity ? [(a.Name, fixedIntensity)] : intensities.Select(i => (a.Name, i)))
            .Distinct().ToList();

    /// <summary>Whether the base configuration runs central DP (<c>fedtrust.dp.mode = central</c>, as SettingsReader reads it).</summary>
    private static bool CentralDp(Config config) => config.GetString("fedtrust.dp.mode") == "central";

    /// <summary>
    /// The population axis runs the ε sweep alone, at one data set and partition: Table 1, the robustness and the
    /// heterogeneity reports have no client-count axis and would average the levels together, and the malicious axis
    /// would set the same counts the levels set. Krum's n &gt; 2f + 2 is checked for each level against the sweep's
    /// defenses that use Krum.
    /// </summary>
    private static void CheckPopulationAxis(EpsilonSweep sweep, bool mainCells, bool maliciousAxis, bool datasetAxis, bool partitionAxis,
        IReadOnlyList<(string Name, string Composition)> userPresets)
    {
        const string key = "fedtrust.grid.populations";
        if (maliciousAxis)
            throw new ConfigurationException(
                $"{key} and fedtrust.grid.malicious both set each cell's client and malicious counts: leave one of them empty " +
                "(on the population axis the malicious share is fedtrust.grid.population-malicious)");
        if (datasetAxis || partitionAxis)
            throw new ConfigurationException(
                $"{key} runs the ε sweep, which runs at one data set and partition: leave {(datasetAxis ? "fedtrust.grid.datasets" : "fedtrust.grid.partitions")} " +
                $"empty and set {(datasetAxis ? "fedtrust.dataset" : "the fedtrust.partition block")} instead");
        if (mainCells)
            throw new ConfigurationException(
                $"{key} runs the ε sweep alone (its report, privacy.md, keeps the client counts apart; Table 1 and the robustness report would " +
                "average them): set fedtrust.grid.attacks = [] and fedtrust.grid.reference = false, and name the sweep's attacks in fedtrust.grid.sweep-attacks");
        if (sweep.Defenses.Count == 0 || sweep.Epsilons.Count == 0 || sweep.Attacks.Count == 0)
            throw new ConfigurationException(
                $"{key} runs the ε sweep, which has no cells: it needs values in fedtrust.grid.epsilons, an attack (or none) in fedtrust.grid.sweep-attacks " +
                "and a DP defense (dp, hybrid, a pipeline ending in +dp) in fedtrust.grid.defenses");
        foreach (var defense in sweep.Defenses.Where(d => DefenseSettings.Parse(d, userPresets).Krum != KrumUse.None))
        foreach (var level in sweep.Populations.Where(l => l.PerRound <= 2 * l.KrumF + 2))
            throw new ConfigurationException(
                $"{key}: at {level.Clients} clients, fedtrust.grid.population-sample and population-malicious give {level.PerRound} clients per round " +
                $"and krum.f = {level.KrumF}, but defense '{defense}' uses Krum, which needs clients per round > 2f + 2 ({level.PerRound} ≤ {2 * level.KrumF + 2}); use more clients, " +
                "a larger population-sample or a smaller population-malicious");
    }

    /// <summary>Why a grid has no cells, naming the keys that emptied it.</summary>
    private static ConfigurationException Empty(bool noAttacks, bool noEpsilons, bool noSweepAttacks) =>
        new("the grid has no cells: fedtrust.grid.reference = false, " +
            (noAttacks ? "fedtrust.grid.attacks names no attack" : "fedtrust.grid.intensities = []") + " and " +
            (noEpsilons ? "fedtrust.grid.epsilons = []" : noSweepAttacks ? "fedtrust.grid.sweep-attacks = []" : "no dp or hybrid in fedtrust.grid.defenses for the ε sweep") +
            "; set fedtrust.grid.reference = true, or name attacks and intensities");

    /// <summary>Defense names (presets, the configuration's own presets, or pipelines such as "nnm+median+trust"), repeats dropped.</summary>
    private static List<string> DefenseNames(Config config, string key, IReadOnlyList<(string Name, string Composition)> userPresets)
    {
        var names = HoconSettings.List(config, key).Select(n => n.Trim()).Distinct().ToList();
        foreach (var name in names)
            if (!DefenseSettings.TryParse(name, out _, out var problem, userPresets))
                throw new ConfigurationException(
                    $"{key}: '{name}' is not one of {string.Join(", ", [.. DefenseSettings.Names, .. userPresets.Select(p => p.Name)])} nor a pipeline ({problem}); " +
                    "a pipeline joins pre-aggregators (nnm, bucketing, clip), one rule, trust and dp with '+', e.g. \"nnm+median+trust\"");
        return names;
    }

    /// <summary>Attack names, each optionally with its own intensity as "name@value" ("ipm@0.1"), repeats dropped.</summary>
    private static List<(string Name, double? Intensity)> AttackEntries(Config config, string key)
    {
        var entries = new List<(string, double?)>();
        foreach (var entry in HoconSettings.List(config, key).Select(e => e.Trim()).Distinct())
        {
            var at = entry.IndexOf('@');
            var name = at < 0 ? entry : entry[..at];
            if (!AttackKinds.Names.Contains(name))
                throw new ConfigurationException($"{key}: '{name}' is not one of {string.Join(", ", AttackKinds.Names)}");
            double? intensity = null;
            if (at >= 0)
            {
                if (!double.TryParse(entry[(at + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new ConfigurationException($"{key}: '{entry}': expected name@intensity with a number, e.g. \"ipm@0.1\"");
                intensity = v;
            }
            entries.Add((name, intensity));
        }
        return entries;
    }

    /// <summary>Data set names of the catalogue (<see cref="DatasetCatalog.Names"/>), repeats dropped, in the order given.</summary>
    private static List<string> Datasets(Config config, string key) =>
        HoconSettings.List(config, key).Select(e => e.Trim()).Distinct().Select(name => DatasetCatalog.Names.Contains(name)
                ? name
                : throw new ConfigurationException($"{key}: '{name}' is not one of {string.Join(", ", DatasetCatalog.Names)}"))
            .ToList();

    /// <summary>
    /// Partition levels (<see cref="PartitionLevel.Parse"/>), repeats dropped, in the order given; two levels whose folder
    /// names would be equal (α equal within 3 decimals) are refused.
    /// </summary>
    private static List<PartitionLevel> Partitions(Config config, string key)
    {
        var basePartition = new Lazy<PartitionSettings>(() => HoconSettings.Read(config, checkDefenseFits: false, checkPrivacyKeys: false).Partition);
        var levels = HoconSettings.List(config, key).Select(e => e.Trim()).Distinct()
            .Select(e => (Entry: e, Level: PartitionLevel.Parse(e, key, () => basePartition.Value))).ToList();
        if (levels.DistinctBy(l => l.Level).GroupBy(l => l.Level.Folder).FirstOrDefault(g => g.Count() > 1) is { } clash)
            throw new ConfigurationException(
                $"{key}: {string.Join(" and ", clash.Select(l => $"'{l.Entry}'"))} would share the cell folder '{clash.Key}' " +
                "(folder names keep 3 decimals); use values that differ within 3 decimals");
        return levels.Select(l => l.Level).Distinct().ToList();
    }

    /// <summary>A list of malicious-client counts (each ≥ 0), repeats dropped, in the order given.</summary>
    private static List<int> Counts(Config config, string key) =>
        HoconSettings.List(config, key).Select(v =>
                int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
                    ? n
                    : throw new ConfigurationException($"{key}: '{v}' is not a whole number ≥ 0"))
            .Distinct().ToList();

    /// <summary>A list of numbers (inf allowed), repeats dropped.</summary>
    private static List<double> Doubles(Config config, string key) =>
        HoconSettings.List(config, key).Select(v => v is "inf" or "infinity"
            ? double.PositiveInfinity
            : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw new ConfigurationException($"{key}: '{v}' is not a number")).Distinct().ToList();

    private static int Whole(Config config, string key, int min = int.MinValue) =>
        int.TryParse(config.GetString(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw new ConfigurationException($"{key} = '{config.GetString(key)}': expected {(min == 1 ? "'auto' or a whole number ≥ 1" : "a whole number")}");

    private static bool Flag(Config config, string key) => config.GetString(key) switch
    {
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        var other => throw new ConfigurationException($"{key} = '{other}': expected true or false"),
    };
}
