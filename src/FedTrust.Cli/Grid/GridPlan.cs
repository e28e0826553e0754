using System.Globalization;
using Akka.Configuration;
using FedTrust.Actors.Configuration;
using ConfigurationException = FedTrust.Actors.Configuration.ConfigurationException;
using FedTrust.Core.Attacks;
using FedTrust.Core.Defenses;

namespace FedTrust.Cli.Grid;

/// <summary>One run of a grid: its place in the grid, the folder its result.json goes to, and the config overrides that make it.</summary>
public sealed record GridCell(string Defense, string Attack, double Intensity, long Seed, double? Epsilon, string Folder)
{
    /// <summary>The HOCON that turns the grid's base configuration into this cell's.</summary>
    public string Overrides()
    {
        var epsilon = Epsilon is { } e ? $" dp.epsilon = {Format(e, "R")}\n" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"fedtrust {{\n defense = {Defense}\n attack.type = {Attack}\n attack.intensity = {Intensity:R}\n seed = {Seed}\n{epsilon}}}");
    }

    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"{Defense} / {Attack}{(Attack == "none" ? "" : $" {Intensity:0.###}")}{(Epsilon is { } e ? $" / eps {Format(e)}" : "")} / seed {Seed}");

    internal static string Format(double value, string format = "0.###") =>
        double.IsPositiveInfinity(value) ? "inf" : value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>The cells of a grid, read from <c>fedtrust.grid</c>, in a fixed order (defense, attack, intensity, seed).</summary>
public static class GridPlan
{
    /// <summary>Sub-folder holding the ε-sweep cells (kept apart from Table 1's cells).</summary>
    public const string EpsilonSweepFolder = "epsilon-sweep";

    /// <summary>
    /// The grid's cells. The no-attack cell of a defense and seed is run once, whether it comes from
    /// <c>grid.reference</c> or from <c>none</c> in <c>grid.attacks</c> (it has no intensity to vary). Repeated names
    /// and values in the lists count once.
    /// </summary>
    /// <exception cref="ConfigurationException">A list or the seed count is invalid, or the grid has no cells.</exception>
    public static IReadOnlyList<GridCell> Cells(Config config, int? seedsOverride = null)
    {
        var defenses = Names(config, "fedtrust.grid.defenses", DefenseSettings.Names);
        var attacks = Names(config, "fedtrust.grid.attacks", AttackKinds.Names);
        var intensities = Doubles(config, "fedtrust.grid.intensities");
        var epsilons = Doubles(config, "fedtrust.grid.epsilons");
        var seeds = seedsOverride ?? Whole(config, "fedtrust.grid.seeds");
        var baseSeed = config.GetLong("fedtrust.seed");
        if (defenses.Count == 0) throw new ConfigurationException("fedtrust.grid.defenses is empty: name at least one defense");
        if (seeds < 1) throw new ConfigurationException(
            $"{(seedsOverride is null ? "fedtrust.grid.seeds" : "--seeds")} = {seeds}: expected at least 1");
        var noAttack = Flag(config, "fedtrust.grid.reference") || attacks.Contains("none");
        var attacked = attacks.Where(a => a != "none").ToList();

        var cells = new List<GridCell>();
        foreach (var defense in defenses)
        {
            for (var s = 0; s < seeds; s++)
            {
                var seed = baseSeed + s;
                var seedFolder = $"seed-{seed}";
                if (noAttack)
                    cells.Add(new GridCell(defense, "none", 0, seed, null, Path.Combine(defense, "none", seedFolder)));
                foreach (var attack in attacked)
                foreach (var intensity in intensities)
                    cells.Add(new GridCell(defense, attack, intensity, seed, null,
                        Path.Combine(defense, $"{attack}-{GridCell.Format(intensity)}", seedFolder)));
                if (defense is "dp" or "hybrid")
                {
                    foreach (var epsilon in epsilons)
                        cells.Add(new GridCell(defense, "none", 0, seed, epsilon,
                            Path.Combine(EpsilonSweepFolder, defense, $"eps-{GridCell.Format(epsilon)}", seedFolder)));
                }
            }
        }
        if (cells.Count == 0) throw Empty(attacked.Count == 0, epsilons.Count == 0);
        if (cells.GroupBy(c => c.Folder).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            var values = string.Join(" and ", clash.Select(c => (c.Epsilon ?? c.Intensity).ToString("R", CultureInfo.InvariantCulture)));
            throw new ConfigurationException(
                $"{(clash.First().Epsilon is null ? "fedtrust.grid.intensities" : "fedtrust.grid.epsilons")}: {values} would share the cell folder " +
                $"'{clash.Key}' (folder names keep 3 decimals); use values that differ within 3 decimals");
        }
        return cells;
    }

    /// <summary>Why a grid has no cells, naming the keys that emptied it.</summary>
    private static ConfigurationException Empty(bool noAttacks, bool noEpsilons) =>
        new("the grid has no cells: fedtrust.grid.reference = false, " +
            (noAttacks ? "fedtrust.grid.attacks names no attack" : "fedtrust.grid.intensities = []") + " and " +
            (noEpsilons ? "fedtrust.grid.epsilons = []" : "no dp or hybrid in fedtrust.grid.defenses for the ε sweep") +
            "; set fedtrust.grid.reference = true, or name attacks and intensities");

    /// <summary>A list of names, each one of <paramref name="allowed"/>, repeats dropped.</summary>
    private static List<string> Names(Config config, string key, IReadOnlyList<string> allowed)
    {
        var names = SettingsReader.List(config, key).Distinct().ToList();
        if (names.FirstOrDefault(n => !allowed.Contains(n)) is { } unknown)
            throw new ConfigurationException($"{key}: '{unknown}' is not one of {string.Join(", ", allowed)}");
        return names;
    }

    /// <summary>A list of numbers (inf allowed), repeats dropped.</summary>
    private static List<double> Doubles(Config config, string key) =>
        SettingsReader.List(config, key).Select(v => v is "inf" or "infinity"
            ? double.PositiveInfinity
            : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw new ConfigurationException($"{key}: '{v}' is not a number")).Distinct().ToList();

    private static int Whole(Config config, string key) =>
        int.TryParse(config.GetString(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ConfigurationException($"{key} = '{config.GetString(key)}': expected a whole number");

    private static bool Flag(Config config, string key) => config.GetString(key) switch
    {
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        var other => throw new ConfigurationException($"{key} = '{other}': expected true or false"),
    };
}
