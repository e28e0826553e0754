using System.Globalization;
using FedTrust.Actors.Configuration;
using FedTrust.Cli;
using FedTrust.Cli.Grid;
using FedTrust.Cli.Reports;
using FedTrust.Cli.Tests.Reports;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// The grid's axes as a user may write them: <c>none</c> among the attacks is one no-attack cell per defense and seed
/// (not one per intensity, and not a second copy of the reference row), a grid with no cells is refused naming the keys
/// that emptied it, and lists that are not lists, unknown names and values that would share a folder are refused.
/// </summary>
public sealed class GridAxesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-grid-axes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Akka.Configuration.Config Config(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), s)));

    private static string Refused(params string[] sets) =>
        Assert.Throws<ConfigurationException>(() => GridPlan.Cells(Config(sets))).Message;

    [Fact]
    public void None_among_the_attacks_is_one_cell_per_defense_and_seed()
    {
        var cells = GridPlan.Cells(Config("fedtrust.grid.defenses=[fedavg, hybrid]", "fedtrust.grid.attacks=[none]",
            "fedtrust.grid.intensities=[0.1, 0.2, 0.3]", "fedtrust.grid.reference=false", "fedtrust.grid.seeds=2"));
        Assert.Equal(4, cells.Count);
        Assert.All(cells, c => Assert.Equal(("none", 0.0, (double?)null), (c.Attack, c.Intensity, c.Epsilon)));
        Assert.Equal(cells.Count, cells.Select(c => c.Folder).Distinct().Count());
        Assert.Equal(Path.Combine("fedavg", "none", "seed-42"), cells[0].Folder);
    }

    [Fact]
    public void None_among_the_attacks_merges_with_the_reference_row()
    {
        var cells = GridPlan.Cells(Config("fedtrust.grid.defenses=[krum]", "fedtrust.grid.attacks=[none, label-flip, none]",
            "fedtrust.grid.intensities=[0.1, 0.2]", "fedtrust.grid.reference=true"));
        Assert.Equal(["none", "label-flip", "label-flip"], cells.Select(c => c.Attack));
        Assert.Equal([0.0, 0.1, 0.2], cells.Select(c => c.Intensity));
    }

    [Fact]
    public void A_grid_with_no_attacks_and_no_reference_is_refused_naming_the_keys()
    {
        Assert.Equal("the grid has no cells: fedtrust.grid.reference = false, fedtrust.grid.attacks names no attack and fedtrust.grid.epsilons = []; " +
                     "set fedtrust.grid.reference = true, or name attacks and intensities",
            Refused("fedtrust.grid.attacks=[]", "fedtrust.grid.reference=false"));
    }

    [Fact]
    public void A_grid_with_attacks_but_no_intensities_and_no_reference_is_refused_naming_the_keys()
    {
        var message = Refused("fedtrust.grid.intensities=[]", "fedtrust.grid.reference=false", "fedtrust.grid.defenses=[fedavg]", "fedtrust.grid.epsilons=[1, 2]");
        Assert.Contains("fedtrust.grid.intensities = []", message);
        Assert.Contains("no dp or hybrid in fedtrust.grid.defenses for the ε sweep", message);
    }

    [Fact]
    public void An_epsilon_sweep_alone_is_a_grid()
    {
        var cells = GridPlan.Cells(Config("fedtrust.grid.attacks=[]", "fedtrust.grid.reference=false", "fedtrust.grid.defenses=[dp]", "fedtrust.grid.epsilons=[1, inf]"));
        Assert.Equal(2, cells.Count);
        Assert.All(cells, c => Assert.StartsWith(GridPlan.EpsilonSweepFolder, c.Folder));
    }

    [Theory]
    [InlineData("fedtrust.grid.defenses=fedavg", "fedtrust.grid.defenses = 'fedavg': expected a list in brackets")]
    [InlineData("fedtrust.grid.attacks=label-flip", "fedtrust.grid.attacks = 'label-flip': expected a list in brackets")]
    [InlineData("fedtrust.grid.attacks=[label-flop]", "fedtrust.grid.attacks: 'label-flop' is not one of none, label-flip,")]
    [InlineData("fedtrust.grid.defenses=[fedavg, krumm]", "fedtrust.grid.defenses: 'krumm' is not one of fedavg, krum,")]
    [InlineData("fedtrust.grid.intensities=[0.1, abc]", "fedtrust.grid.intensities: 'abc' is not a number")]
    [InlineData("fedtrust.grid.seeds=abc", "fedtrust.grid.seeds = 'abc': expected a whole number")]
    [InlineData("fedtrust.grid.seeds=0", "fedtrust.grid.seeds = 0: expected at least 1")]
    [InlineData("fedtrust.grid.reference=maybe", "fedtrust.grid.reference = 'maybe': expected true or false")]
    public void A_malformed_axis_is_refused_naming_the_key(string set, string expected)
    {
        Assert.StartsWith(expected, Refused(set));
    }

    [Fact]
    public void Intensities_that_would_share_a_folder_are_refused()
    {
        var message = Refused("fedtrust.grid.intensities=[0.1, 0.10001]");
        Assert.StartsWith("fedtrust.grid.intensities: 0.1 and 0.10001 would share the cell folder", message);
    }

    [Fact]
    public void Repeated_values_count_once()
    {
        var cells = GridPlan.Cells(Config("fedtrust.grid.defenses=[fedavg, fedavg]", "fedtrust.grid.attacks=[sign-flip]",
            "fedtrust.grid.intensities=[1, 1.0]", "fedtrust.grid.reference=false"));
        Assert.Single(cells);
    }

    [Fact]
    public async Task The_command_line_refuses_an_empty_grid_with_exit_2_before_writing_anything()
    {
        var dir = Path.Combine(_root, "empty");
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(
            ["grid", "--set", "fedtrust.grid.attacks=[]", "--set", "fedtrust.grid.reference=false", "--out", dir], new StringWriter(), error);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.StartsWith("error: the grid has no cells: fedtrust.grid.reference = false, fedtrust.grid.attacks names no attack", error.ToString());
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task A_cell_the_axes_make_invalid_is_named()
    {
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(
            ["grid", "--set", "fedtrust.grid.attacks=[label-flip]", "--set", "fedtrust.grid.intensities=[0.5, 1.5]", "--out", Path.Combine(_root, "bad")],
            new StringWriter(), error);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.StartsWith("error: grid cell fedavg / label-flip 1.5 / seed 42: fedtrust.attack.intensity = '1.5'", error.ToString());
    }

    [Fact]
    public void Table_1_and_the_figures_of_a_grid_of_only_no_attack_cells()
    {
        using var grid = new GridFixture();
        grid.Cell("fedavg/none/seed-42", "fedavg", "none", 0, 42, 0.98, 0.97, 0.96, 0.95, trust: true);
        grid.Cell("hybrid/none/seed-42", "hybrid", "none", 0, 42, 0.97, 0.96, 0.95, 0.94, trust: true);
        var settings = HoconSettings.Read(FedTrustConfig.Defaults);

        var written = GridReport.Write(grid.Root, settings).Select(Path.GetFileName).ToList();

        Assert.Contains("table1.csv", written);
        Assert.Contains("trust-fedavg-none-0.png", written);
        Assert.DoesNotContain("fig-comparison.png", written); // nothing to compare without an attack
        Assert.DoesNotContain(written, f => f!.StartsWith("fig-accuracy", StringComparison.Ordinal));
        var rows = File.ReadAllLines(grid.Path("table1.csv")).Skip(1).ToList();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("fedavg,none,0.0000,0.9800,", rows[0]);
        Assert.StartsWith("hybrid,none,0.0000,0.9700,", rows[1]);
    }

    [Fact]
    public async Task A_real_grid_of_attacks_none_runs_one_cell_and_reports_it()
    {
        var dir = Path.Combine(_root, "none-only");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(
            ["grid", "--rounds", "1", "--set", "fedtrust.grid.defenses=[fedavg]", "--set", "fedtrust.grid.attacks=[none]", "--out", dir], output, error);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("1 cells", output.ToString());
        Assert.Single(Directory.GetFiles(dir, "result.json", SearchOption.AllDirectories));
        var table = File.ReadAllLines(Path.Combine(dir, "table1.csv"));
        Assert.Equal(2, table.Length);
        Assert.StartsWith("fedavg,none,0.0000,", table[1]);
        Assert.True(double.Parse(table[1].Split(',')[3], CultureInfo.InvariantCulture) > 0.8);
    }
}
