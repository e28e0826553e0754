using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;
using FedTrust.Core.Attacks;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// The privacy grid's axes: the population axis (clients N, 10 % of them per round, 10 % malicious, Krum's f for the
/// attackers expected in a round), the attacks the ε sweep runs under, and under central DP a sweep value that is the
/// total ε (<c>dp.target-epsilon</c>). This build's settings reader does not know <c>dp.mode</c> and
/// <c>dp.target-epsilon</c> yet (they come with central DP), so the central cases layer them over the defaults without
/// the unknown-key check and read the cells from <see cref="GridPlan.Layout"/>, which reads no cell's settings.
/// </summary>
public class PrivacyGridPlanTests
{
    private static Akka.Configuration.Config Config(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), s)));

    /// <summary>A sweep alone: no reference row and no attacked cells outside it.</summary>
    private static readonly string[] SweepOnly = ["fedtrust.grid.attacks=[]", "fedtrust.grid.reference=false"];

    private static Akka.Configuration.Config Central(params string[] sets) =>
        FedTrustConfig.Parse("fedtrust.dp { mode = central, target-epsilon = inf }", "central DP").WithFallback(Config(sets));

    private static Akka.Configuration.Config Overrides(GridCell cell) => FedTrustConfig.Parse(cell.Overrides(), cell.Label);

    private static string Refused(params string[] sets) =>
        Assert.Throws<ConfigurationException>(() => GridPlan.Cells(Config(sets))).Message;

    [Fact]
    public void A_population_axis_sets_clients_the_round_sample_the_attackers_and_krum_f_per_level()
    {
        var cells = GridPlan.Cells(Config([.. SweepOnly, "fedtrust.grid.defenses=[dp, hybrid, krum]", "fedtrust.grid.epsilons=[1, inf]",
            "fedtrust.grid.sweep-attacks=[none, \"sign-flip@1\"]", "fedtrust.grid.populations=[100, 1000, 35]", "fedtrust.sampling=poisson"]));
        // dp and hybrid (krum adds no DP, so no sweep) × 2 attacks × 3 populations × 2 ε.
        Assert.Equal(2 * 2 * 3 * 2, cells.Count);
        Assert.Equal(cells.Count, cells.Select(c => c.Folder).Distinct().Count());
        Assert.Equal(["dp", "hybrid"], cells.Select(c => c.Defense).Distinct());

        var hybrid = cells.Single(c => c is { Defense: "hybrid", Attack: "sign-flip", Epsilon: 1 } && c.Population!.Clients == 1000);
        Assert.Equal(Path.Combine("epsilon-sweep", "hybrid", "sign-flip-1", "clients-1000", "eps-1", "seed-42"), hybrid.Folder);
        Assert.Equal("hybrid / sign-flip 1 / clients 1000 (100/round) / eps/round 1 / seed 42", hybrid.Label);
        var overrides = Overrides(hybrid);
        Assert.Equal((1000, 100, 100, 10, 1.0), (overrides.GetInt("fedtrust.clients"), overrides.GetInt("fedtrust.clients-per-round"),
            overrides.GetInt("fedtrust.attack.malicious"), overrides.GetInt("fedtrust.krum.f"), overrides.GetDouble("fedtrust.dp.epsilon")));

        // 35 clients: 3.5 per round rounds to 4, 3.5 attackers to 4, and 0.4 expected per round to krum.f = 0. Without
        // attack the same defense (krum.f) with no attacker.
        var small = cells.Where(c => c.Population!.Clients == 35 && c.Defense == "hybrid" && c.Epsilon is { } e && double.IsPositiveInfinity(e)).ToList();
        Assert.Equal([Path.Combine("epsilon-sweep", "hybrid", "clients-35", "eps-inf", "seed-42"), Path.Combine("epsilon-sweep", "hybrid", "sign-flip-1", "clients-35", "eps-inf", "seed-42")],
            small.Select(c => c.Folder));
        Assert.Equal([(35, 4, 0, 0), (35, 4, 4, 0)], small.Select(Overrides).Select(o =>
            (o.GetInt("fedtrust.clients"), o.GetInt("fedtrust.clients-per-round"), o.GetInt("fedtrust.attack.malicious"), o.GetInt("fedtrust.krum.f"))));

        // The settings reader takes every cell: its counts, and Krum's n > 2f + 2 on the sample (10 > 4 at 100 clients).
        var settings = HoconSettings.Read(Overrides(cells.Single(c => c is { Defense: "hybrid", Attack: "sign-flip", Epsilon: 1 } && c.Population!.Clients == 100)).WithFallback(Config()));
        Assert.Equal((100, (int?)10, 10, 1, AttackKind.SignFlip), (settings.Clients, settings.Sampling.ClientsPerRound, settings.Attack.Malicious, settings.Krum.F, settings.Attack.Kind));
    }

    [Fact]
    public void Population_counts_round_half_away_from_zero_and_sample_at_least_one_client()
    {
        Assert.Equal(new PopulationLevel(5, 1, 1, 0), PopulationLevel.Of(5, 0.1, 0.1)); // 0.5 → 1 per round, 0.5 → 1 attacker, 0.1 → 0
        Assert.Equal(new PopulationLevel(3, 1, 0, 0), PopulationLevel.Of(3, 0.1, 0.1)); // 0.3 → 0, at least 1 per round
        Assert.Equal(new PopulationLevel(10_000, 1000, 1000, 100), PopulationLevel.Of(10_000, 0.1, 0.1));
        Assert.Equal(new PopulationLevel(250, 250, 0, 0), PopulationLevel.Of(250, 1, 0));
        // Without attack no client is malicious, but the defense is the same: Krum still expects 0.2 × 250 = 50 attackers.
        Assert.Equal(" clients = 250\n clients-per-round = 250\n attack.malicious = 0\n krum.f = 50\n", PopulationLevel.Of(250, 1, 0.2).Overrides(attacked: false));
        Assert.Equal(" clients = 250\n clients-per-round = 250\n attack.malicious = 50\n krum.f = 50\n", PopulationLevel.Of(250, 1, 0.2).Overrides(attacked: true));
    }

    [Fact]
    public void The_sweep_under_attacks_adds_an_attack_level_and_keeps_the_plain_sweeps_folders()
    {
        var cells = GridPlan.Cells(Config([.. SweepOnly, "fedtrust.grid.defenses=[dp, fedavg]", "fedtrust.grid.epsilons=[2, inf]",
            "fedtrust.grid.sweep-attacks=[none, label-flip, \"sign-flip@4\"]", "fedtrust.grid.intensities=[0.1, 0.3]", "fedtrust.grid.seeds=2"]));
        // dp × (none + label-flip at 0.1 and 0.3 + sign-flip at 4) × 2 ε × 2 seeds.
        Assert.Equal(4 * 2 * 2, cells.Count);
        Assert.Equal(
            [
                Path.Combine("epsilon-sweep", "dp", "eps-2", "seed-42"), Path.Combine("epsilon-sweep", "dp", "eps-inf", "seed-42"),
                Path.Combine("epsilon-sweep", "dp", "label-flip-0.1", "eps-2", "seed-42"), Path.Combine("epsilon-sweep", "dp", "label-flip-0.1", "eps-inf", "seed-42"),
                Path.Combine("epsilon-sweep", "dp", "label-flip-0.3", "eps-2", "seed-42"), Path.Combine("epsilon-sweep", "dp", "label-flip-0.3", "eps-inf", "seed-42"),
                Path.Combine("epsilon-sweep", "dp", "sign-flip-4", "eps-2", "seed-42"), Path.Combine("epsilon-sweep", "dp", "sign-flip-4", "eps-inf", "seed-42"),
            ],
            cells.Where(c => c.Seed == 42).Select(c => c.Folder));
        var attacked = cells.First(c => c.Attack == "sign-flip");
        var overrides = Overrides(attacked);
        Assert.Equal(("sign-flip", 4.0, 2.0), (overrides.GetString("fedtrust.attack.type"), overrides.GetDouble("fedtrust.attack.intensity"), overrides.GetDouble("fedtrust.dp.epsilon")));
        // Off the population axis an attacked sweep cell keeps the configured clients and attackers.
        Assert.False(overrides.HasPath("fedtrust.clients"));
        Assert.False(overrides.HasPath("fedtrust.attack.malicious"));
    }

    [Fact]
    public void Under_central_dp_a_sweep_value_is_the_total_epsilon_target()
    {
        var cells = GridPlan.Layout(Central([.. SweepOnly, "fedtrust.grid.defenses=[dp, hybrid]", "fedtrust.grid.epsilons=[1, 8, inf]",
            "fedtrust.grid.populations=[1000]", "fedtrust.sampling=poisson"]));
        Assert.Equal(2 * 3, cells.Count);
        Assert.All(cells, c => Assert.True(c.CentralDp));
        var eight = cells.Single(c => c is { Defense: "hybrid", Epsilon: 8 });
        Assert.Equal(Path.Combine("epsilon-sweep", "hybrid", "clients-1000", "eps-8", "seed-42"), eight.Folder);
        Assert.Equal("hybrid / none / clients 1000 (100/round) / eps total 8 / seed 42", eight.Label);
        var overrides = Overrides(eight);
        Assert.Equal(8.0, overrides.GetDouble("fedtrust.dp.target-epsilon"));
        Assert.False(overrides.HasPath("fedtrust.dp.epsilon"));
        Assert.Equal("inf", Overrides(cells.Single(c => c is { Defense: "dp" } && double.IsPositiveInfinity(c.Epsilon!.Value))).GetString("fedtrust.dp.target-epsilon"));

        // Local DP (the mode absent, or local) keeps the per-round dp.epsilon.
        var local = GridPlan.Layout(FedTrustConfig.Parse("fedtrust.dp.mode = local", "local DP").WithFallback(Config([.. SweepOnly, "fedtrust.grid.defenses=[dp]", "fedtrust.grid.epsilons=[8]"])));
        Assert.Equal((false, 8.0), (local[0].CentralDp, Overrides(local[0]).GetDouble("fedtrust.dp.epsilon")));
        Assert.False(Overrides(local[0]).HasPath("fedtrust.dp.target-epsilon"));
    }

    [Fact]
    public void The_privacy_grid_file_plans_its_sweep_at_every_population()
    {
        // Layered over the defaults without the unknown-key check: this build does not know dp.mode yet.
        var config = FedTrustConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", "privacy-grid.conf")).WithFallback(FedTrustConfig.Defaults);
        var cells = GridPlan.Layout(config);
        // dp and hybrid × (none, sign-flip@1) × 3 populations × 5 ε × 1 seed.
        Assert.Equal(2 * 2 * 3 * 5, cells.Count);
        Assert.Equal(cells.Count, cells.Select(c => c.Folder).Distinct().Count());
        Assert.All(cells, c => Assert.True(c.CentralDp && c.Folder.StartsWith(GridPlan.EpsilonSweepFolder, StringComparison.Ordinal)));
        Assert.Equal([100, 1000, 10_000], cells.Select(c => c.Population!.Clients).Distinct());
        var cell = cells.Single(c => c is { Defense: "hybrid", Attack: "sign-flip", Epsilon: 8 } && c.Population!.Clients == 10_000);
        Assert.Equal(Path.Combine("epsilon-sweep", "hybrid", "sign-flip-1", "clients-10000", "eps-8", "seed-42"), cell.Folder);
        var overrides = Overrides(cell);
        Assert.Equal((10_000, 1000, 1000, 100, 8.0), (overrides.GetInt("fedtrust.clients"), overrides.GetInt("fedtrust.clients-per-round"),
            overrides.GetInt("fedtrust.attack.malicious"), overrides.GetInt("fedtrust.krum.f"), overrides.GetDouble("fedtrust.dp.target-epsilon")));
        Assert.Equal(("central", "poisson", "cnn", 20), (config.GetString("fedtrust.dp.mode"), config.GetString("fedtrust.sampling"), config.GetString("fedtrust.model"), config.GetInt("fedtrust.rounds")));
    }

    [Theory]
    [InlineData("fedtrust.grid.populations=[100, 0]", "fedtrust.grid.populations: '0' is not a whole number of clients from 1 to 10000")]
    [InlineData("fedtrust.grid.populations=[10001]", "fedtrust.grid.populations: '10001' is not a whole number of clients from 1 to 10000")]
    [InlineData("fedtrust.grid.populations=[1.5]", "fedtrust.grid.populations: '1.5' is not a whole number of clients from 1 to 10000")]
    [InlineData("fedtrust.grid.populations=100", "fedtrust.grid.populations = '100': expected a list in brackets")]
    [InlineData("fedtrust.grid.population-sample=0", "fedtrust.grid.population-sample = '0': expected a number in (0, 1], the share of the clients sampled per round")]
    [InlineData("fedtrust.grid.population-sample=1.5", "fedtrust.grid.population-sample = '1.5': expected a number in (0, 1]")]
    [InlineData("fedtrust.grid.population-malicious=1", "fedtrust.grid.population-malicious = '1': expected a number in [0, 1), the share of the clients that are malicious")]
    [InlineData("fedtrust.grid.population-malicious=-0.1", "fedtrust.grid.population-malicious = '-0.1': expected a number in [0, 1)")]
    [InlineData("fedtrust.grid.sweep-attacks=[flip]", "fedtrust.grid.sweep-attacks: 'flip' is not one of none, label-flip,")]
    [InlineData("fedtrust.grid.sweep-attacks=[\"ipm@x\"]", "fedtrust.grid.sweep-attacks: 'ipm@x': expected name@intensity with a number")]
    public void Bad_privacy_keys_are_refused_naming_the_key(string set, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => GridPlan.Cells(Config([.. SweepOnly, "fedtrust.grid.defenses=[dp]", "fedtrust.grid.epsilons=[1]",
            "fedtrust.grid.populations=[100]", set])));
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_population_axis_refuses_the_axes_and_cells_it_cannot_report()
    {
        string[] sweep = ["fedtrust.grid.defenses=[dp]", "fedtrust.grid.epsilons=[1]", "fedtrust.grid.populations=[100]"];
        Assert.StartsWith("fedtrust.grid.populations runs the ε sweep alone (its report, privacy.md, keeps the client counts apart; Table 1 and the robustness report would average them): " +
                          "set fedtrust.grid.attacks = [] and fedtrust.grid.reference = false",
            Refused([.. sweep, "fedtrust.grid.attacks=[]"]));
        Assert.StartsWith("fedtrust.grid.populations and fedtrust.grid.malicious both set each cell's client and malicious counts: leave one of them empty",
            Refused([.. SweepOnly, .. sweep, "fedtrust.grid.malicious=[1]"]));
        Assert.StartsWith("fedtrust.grid.populations runs the ε sweep, which runs at one data set and partition: leave fedtrust.grid.datasets empty",
            Refused([.. SweepOnly, .. sweep, "fedtrust.grid.datasets=[mnist]"]));
        Assert.StartsWith("fedtrust.grid.populations runs the ε sweep, which runs at one data set and partition: leave fedtrust.grid.partitions empty",
            Refused([.. SweepOnly, .. sweep, "fedtrust.grid.partitions=[iid]"]));
        Assert.StartsWith("fedtrust.grid.populations runs the ε sweep, which has no cells: it needs values in fedtrust.grid.epsilons",
            Refused([.. SweepOnly, "fedtrust.grid.defenses=[fedavg]", "fedtrust.grid.epsilons=[1]", "fedtrust.grid.populations=[100]"]));
        Assert.StartsWith("fedtrust.grid.sweep-attacks names an attack and fedtrust.grid.malicious is an axis: the ε sweep runs at one malicious count",
            Refused("fedtrust.grid.defenses=[dp]", "fedtrust.grid.epsilons=[1]", "fedtrust.grid.malicious=[1, 2]", "fedtrust.grid.sweep-attacks=[\"sign-flip@1\"]"));
    }

    [Fact]
    public void A_population_level_too_small_for_krum_is_refused_naming_the_keys()
    {
        // 20 clients: 2 per round, krum.f = round(0.2) = 0, and Krum needs n > 2: the hybrid cannot run; dp alone can.
        var message = Refused([.. SweepOnly, "fedtrust.grid.defenses=[dp, hybrid]", "fedtrust.grid.epsilons=[1]", "fedtrust.grid.populations=[1000, 20]"]);
        Assert.Equal("fedtrust.grid.populations: at 20 clients, fedtrust.grid.population-sample and population-malicious give 2 clients per round and krum.f = 0, " +
                     "but defense 'hybrid' uses Krum, which needs clients per round > 2f + 2 (2 ≤ 2); use more clients, a larger population-sample or a smaller population-malicious",
            message);
        Assert.Equal(2, GridPlan.Cells(Config([.. SweepOnly, "fedtrust.grid.defenses=[dp]", "fedtrust.grid.epsilons=[1]", "fedtrust.grid.populations=[1000, 20]"])).Count);
    }

    [Fact]
    public void An_empty_sweep_attack_list_empties_the_sweep_and_is_named_when_the_grid_is_empty()
    {
        Assert.Equal("the grid has no cells: fedtrust.grid.reference = false, fedtrust.grid.attacks names no attack and fedtrust.grid.sweep-attacks = []; " +
                     "set fedtrust.grid.reference = true, or name attacks and intensities",
            Refused([.. SweepOnly, "fedtrust.grid.defenses=[dp]", "fedtrust.grid.epsilons=[1]", "fedtrust.grid.sweep-attacks=[]"]));
    }

    [Fact]
    public void Sweep_intensities_equal_within_3_decimals_are_refused_as_sharing_a_folder()
    {
        Assert.StartsWith("fedtrust.grid.sweep-attacks: 1 and 1.0001 would share the cell folder",
            Refused([.. SweepOnly, "fedtrust.grid.defenses=[dp]", "fedtrust.grid.epsilons=[1]", "fedtrust.grid.sweep-attacks=[\"sign-flip@1\", \"sign-flip@1.0001\"]"]));
    }
}
