using FedTrust.Actors.Configuration;
using FedTrust.Cli;
using FedTrust.Cli.Grid;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>
/// multi-Krum's m (the number of best-scored updates averaged) may not exceed n − f (Blanchard et al. 2017): a larger m
/// would average attackers in by construction. Checked where settings are read, for the defenses that use multi-Krum.
/// </summary>
public class KrumSelectionSettingsTests
{
    private static Akka.Configuration.Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    [Theory]
    [InlineData("multi-krum")]
    [InlineData("hybrid")]
    public void An_m_above_n_minus_f_is_refused_naming_the_key_the_value_and_the_bound(string defense)
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(
            Compose($"fedtrust.defense={defense}", "fedtrust.clients=10", "fedtrust.attack.malicious=3", "fedtrust.krum.m=8")));
        Assert.StartsWith("fedtrust.krum.m = 8:", e.Message);
        Assert.Contains($"defense '{defense}'", e.Message);
        Assert.Contains("at most fedtrust.clients − f = 10 − 3 = 7", e.Message);
        Assert.Contains("Blanchard et al. 2017 select m ≤ n − f", e.Message);
    }

    [Fact]
    public void The_bound_follows_an_explicit_krum_f()
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(
            Compose("fedtrust.defense=multi-krum", "fedtrust.clients=12", "fedtrust.krum.f=2", "fedtrust.krum.m=11")));
        Assert.Contains("= 12 − 2 = 10", e.Message);
        Assert.Equal(10, HoconSettings.Read(Compose("fedtrust.defense=multi-krum", "fedtrust.clients=12", "fedtrust.krum.f=2", "fedtrust.krum.m=10")).Krum.M);
    }

    [Fact]
    public void M_up_to_n_minus_f_and_auto_are_accepted()
    {
        var at = HoconSettings.Read(Compose("fedtrust.defense=hybrid", "fedtrust.clients=10", "fedtrust.attack.malicious=3", "fedtrust.krum.m=7"));
        Assert.Equal(7, at.Krum.MFor(10));
        var auto = HoconSettings.Read(Compose("fedtrust.defense=hybrid", "fedtrust.clients=10", "fedtrust.attack.malicious=3"));
        Assert.Null(auto.Krum.M);
        Assert.Equal(7, auto.Krum.MFor(10)); // auto = n − f
    }

    [Theory]
    [InlineData("krum")] // selects one update: m is not used
    [InlineData("fedavg")]
    [InlineData("trust")]
    public void Defenses_that_do_not_average_m_updates_ignore_m(string defense)
    {
        var settings = HoconSettings.Read(Compose($"fedtrust.defense={defense}", "fedtrust.clients=10", "fedtrust.krum.m=10"));
        Assert.Equal(defense, settings.Defense.Name);
    }

    [Fact]
    public async Task The_command_line_refuses_it_with_exit_2_before_writing_anything()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"fedtrust-krum-m-{Guid.NewGuid():N}");
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(["run", "--set", "fedtrust.defense=multi-krum", "--set", "fedtrust.krum.m=11", "--out", dir], new StringWriter(), error);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.StartsWith("error: fedtrust.krum.m = 11: defense 'multi-krum'", error.ToString());
        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Every_shipped_configuration_file_reads_as_settings_and_every_grid_cell_too()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Root, "hocon"), "*.conf");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var config = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(file), file)]);
            // A grid's base may set a dp key for its dp cells alone (paper-grid's dp.epsilon): `fedtrust grid` checks
            // privacy keys across the cells (GridPlan.Plan), not in the base or in each cell.
            var grid = file.EndsWith("-grid.conf", StringComparison.Ordinal);
            HoconSettings.Read(config, checkPrivacyKeys: !grid);
            foreach (var cell in GridPlan.Cells(config))
                HoconSettings.Read(FedTrustConfig.Parse(cell.Overrides(), $"{file}: {cell.Label}").WithFallback(config), checkPrivacyKeys: !grid);
        }
    }
}
