using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Tests.Commands;

public class GridPlanTests
{
    private static Akka.Configuration.Config Config(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), s)));

    [Fact]
    public void The_paper_grid_has_the_papers_cells_plus_a_reference_per_defense()
    {
        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", "paper-grid.conf")), "paper-grid.conf")]);
        var cells = GridPlan.Cells(config);
        Assert.Equal(4 * (2 * 3 + 1), cells.Count);
        Assert.Equal(cells.Count, cells.Select(c => c.Folder).Distinct().Count());
        Assert.Contains(cells, c => c is { Defense: "hybrid", Attack: "gradient-manipulation", Intensity: 0.3 });
        Assert.Equal(4, cells.Count(c => c.Attack == "none"));
        Assert.All(cells, c => Assert.Equal(42, c.Seed));
    }

    [Fact]
    public void Every_cell_overrides_parse_and_give_valid_settings()
    {
        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", "stress-grid.conf")), "stress-grid.conf")]);
        var cells = GridPlan.Cells(config, seedsOverride: 2);
        Assert.Contains(cells, c => c.Epsilon is { } e && double.IsPositiveInfinity(e));
        foreach (var cell in cells)
        {
            // The grid's dp.epsilon serves its dp cells and goes unused by fedavg's: the grid checks privacy keys across its cells.
            var settings = HoconSettings.Read(FedTrustConfig.Parse(cell.Overrides(), cell.Label).WithFallback(config), checkPrivacyKeys: false);
            Assert.Equal(cell.Defense, settings.Defense.Name);
            Assert.Equal(cell.Seed, settings.Seed);
            if (cell.Epsilon is { } e) Assert.Equal(e, settings.Dp.Epsilon);
        }
        Assert.Equal([42L, 43L], cells.Select(c => c.Seed).Distinct().Order());
        Assert.All(cells.Where(c => c.Epsilon is not null), c => Assert.StartsWith(GridPlan.EpsilonSweepFolder, c.Folder));
    }

    [Fact]
    public void An_empty_defense_list_is_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => GridPlan.Cells(Config("fedtrust.grid.defenses=[]")));
        Assert.Contains("fedtrust.grid.defenses", e.Message);
    }
}
