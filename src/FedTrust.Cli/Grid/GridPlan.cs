using System.Globalization;
using Akka.Configuration;

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

    public static IReadOnlyList<GridCell> Cells(Config config, int? seedsOverride = null)
    {
        var defenses = config.GetStringList("fedtrust.grid.defenses").ToList();
        var attacks = config.GetStringList("fedtrust.grid.attacks").ToList();
        var intensities = Doubles(config, "fedtrust.grid.intensities");
        var epsilons = Doubles(config, "fedtrust.grid.epsilons");
        var seeds = seedsOverride ?? config.GetInt("fedtrust.grid.seeds");
        var baseSeed = config.GetLong("fedtrust.seed");
        if (defenses.Count == 0) throw new Actors.Configuration.ConfigurationException("fedtrust.grid.defenses is empty: name at least one defense");
        if (seeds < 1) throw new Actors.Configuration.ConfigurationException($"fedtrust.grid.seeds = {seeds}: expected at least 1");

        var cells = new List<GridCell>();
        foreach (var defense in defenses)
        {
            for (var s = 0; s < seeds; s++)
            {
                var seed = baseSeed + s;
                var seedFolder = $"seed-{seed}";
                if (config.GetBoolean("fedtrust.grid.reference"))
                    cells.Add(new GridCell(defense, "none", 0, seed, null, Path.Combine(defense, "none", seedFolder)));
                foreach (var attack in attacks)
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
        return cells;
    }

    private static List<double> Doubles(Config config, string key) =>
        config.GetStringList(key).Select(v => v is "inf" or "infinity"
            ? double.PositiveInfinity
            : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw new Actors.Configuration.ConfigurationException($"{key}: '{v}' is not a number")).ToList();
}
