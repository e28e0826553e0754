using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// The robustness grid's axes: pipelines among the defenses, attacks with their own intensity ("ipm@0.1"), and the
/// malicious axis that adds f malicious clients to a fixed honest set.
/// </summary>
public class RobustnessGridPlanTests
{
    private static Akka.Configuration.Config Config(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), s)));

    [Fact]
    public void A_malicious_axis_adds_f_malicious_clients_to_the_honest_ones_and_a_folder_level()
    {
        var cells = GridPlan.Cells(Config("fedtrust.grid.defenses=[\"nnm+median+trust\", krum]", "fedtrust.grid.attacks=[alie, \"ipm@0.1\", \"ipm@100\"]",
            "fedtrust.grid.intensities=[0.5]", "fedtrust.grid.malicious=[1, 3]", "fedtrust.grid.honest=10", "fedtrust.grid.seeds=2"));
        // Per defense and seed: the reference, then 3 attack variants × 2 levels.
        Assert.Equal(2 * 2 * (1 + 3 * 2), cells.Count);
        Assert.Equal(cells.Count, cells.Select(c => c.Folder).Distinct().Count());
        var first = cells.Where(c => c.Defense == "nnm+median+trust" && c.Seed == 42).ToList();
        Assert.Equal(("none", (0, 10)), (first[0].Attack, first[0].Malicious!.Value));
        Assert.Equal(Path.Combine("nnm+median+trust", "none", "seed-42"), first[0].Folder);
        Assert.Equal([("alie", 0.5, 1, 11), ("alie", 0.5, 3, 13), ("ipm", 0.1, 1, 11), ("ipm", 0.1, 3, 13), ("ipm", 100.0, 1, 11), ("ipm", 100.0, 3, 13)],
            first.Skip(1).Select(c => (c.Attack, c.Intensity, c.Malicious!.Value.F, c.Malicious.Value.Clients)));
        Assert.Equal(Path.Combine("nnm+median+trust", "ipm-100", "f-3", "seed-42"), first[^1].Folder);
        Assert.Contains("f 3", first[^1].Label);

        // The overrides make a configuration the settings reader takes, with the cell's counts and the quoted pipeline.
        var settings = HoconSettings.Read(FedTrustConfig.Parse(first[^1].Overrides(), "cell").WithFallback(Config()));
        Assert.Equal((13, 3, "nnm+median+trust", 100.0), (settings.Clients, settings.Attack.Malicious, settings.Defense.Name, settings.Attack.Intensity));
    }

    [Fact]
    public void Without_a_malicious_axis_cells_and_folders_are_as_before()
    {
        var cells = GridPlan.Cells(Config());
        Assert.All(cells, c => Assert.Null(c.Malicious));
        Assert.DoesNotContain(cells, c => c.Folder.Contains("f-"));
        Assert.DoesNotContain(cells, c => c.Overrides().Contains("clients"));
    }

    [Theory]
    [InlineData("fedtrust.grid.attacks=[\"ipm@x\"]", "fedtrust.grid.attacks: 'ipm@x': expected name@intensity with a number")]
    [InlineData("fedtrust.grid.attacks=[\"ipn@1\"]", "fedtrust.grid.attacks: 'ipn' is not one of none, label-flip,")]
    [InlineData("fedtrust.grid.malicious=[1, -2]", "fedtrust.grid.malicious: '-2' is not a whole number ≥ 0")]
    [InlineData("fedtrust.grid.honest=0", "fedtrust.grid.honest = '0': expected 'auto' or a whole number ≥ 1")]
    [InlineData("fedtrust.grid.defenses=[\"median+nnm\"]", "fedtrust.grid.defenses: 'median+nnm' is not one of fedavg, krum, multi-krum, dp, trust, hybrid nor a pipeline (the pre-aggregator 'nnm' must come before the rule)")]
    public void Bad_axis_values_are_refused_naming_the_key(string set, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => GridPlan.Cells(Config(set)));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void The_robustness_grid_file_plans_every_defense_against_every_attack_at_every_f()
    {
        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", "robustness-grid.conf")), "robustness-grid.conf")]);
        var (planned, skipped) = GridPlan.Plan(config);
        var cells = planned.Select(p => p.Cell).ToList();
        var defenses = cells.Select(c => c.Defense).Distinct().ToList();
        // 41 measured first, then SignGuard and DnC (issue 22).
        Assert.Equal(43, defenses.Count);
        Assert.Contains("signguard", defenses);
        Assert.Contains("dnc", defenses);
        Assert.Equal(43 * 3 * (1 + 9 * 4), cells.Count + skipped.Count);
        // Bulyan's n ≥ 4f + 3 leaves out its four variants at f = 3 (n = 13) and f = 4 (n = 14): 4 × 9 attacks × 2 × 3 seeds.
        Assert.Equal(4 * 9 * 2 * 3, skipped.Count);
        Assert.All(skipped, s => Assert.Contains("bulyan", s.Cell.Defense));
        Assert.All(skipped, s => Assert.InRange(s.Cell.Malicious!.Value.F, 3, 4));
        Assert.All(skipped, s => Assert.Contains("Bulyan needs n ≥ 4f + 3", s.Why));
        Assert.Equal(cells, GridPlan.Cells(config));
        Assert.Equal([1, 2, 3, 4], cells.Where(c => c.Attack != "none").Select(c => c.Malicious!.Value.F).Distinct().Order());
        Assert.All(cells.Where(c => c.Attack != "none"), c => Assert.Equal(10 + c.Malicious!.Value.F, c.Malicious.Value.Clients));
        var settings = HoconSettings.Read(config);
        Assert.Equal((14, Core.Settings.MaliciousPlacement.Last, Core.Settings.AttackKnowledge.Omniscient),
            (settings.DataShares, settings.Attack.Placement, settings.Attack.Knowledge));
    }
}
