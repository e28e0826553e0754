using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;
using FedTrust.Core.Defenses;
using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// The grid's data-set and partition axes (<c>fedtrust.grid.datasets</c>, <c>fedtrust.grid.partitions</c>): each entry
/// is a level every cell runs at, with its folder before the defense's; without them the cells, their folders and their
/// overrides are exactly as before; bad entries are refused naming the key, the entry and the expected form; and
/// <c>hocon/heterogeneity-grid.conf</c> plans, its splits meeting the minimum client size on the real labels.
/// </summary>
public sealed class HeterogeneityGridPlanTests
{
    private static Akka.Configuration.Config Config(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), s)));

    private static string Refused(params string[] sets) =>
        Assert.Throws<ConfigurationException>(() => GridPlan.Plan(Config(sets))).Message;

    [Fact]
    public void Each_data_set_and_partition_is_a_level_of_every_cell_with_its_folders_before_the_defense()
    {
        var planned = GridPlan.Plan(Config("fedtrust.grid.datasets=[mnist, fashion-mnist]",
            "fedtrust.grid.partitions=[iid, \"dirichlet@0.5\", \"shards@3\", \"quantity@0.25\"]",
            "fedtrust.grid.defenses=[fedavg, \"nnm+median\"]", "fedtrust.grid.attacks=[\"ipm@0.1\"]", "fedtrust.grid.seeds=1")).Cells;
        var cells = planned.Select(p => p.Cell).ToList();

        // 2 data sets × 4 partitions × 2 defenses × (reference + ipm).
        Assert.Equal(2 * 4 * 2 * 2, cells.Count);
        Assert.Equal(cells.Count, cells.Select(c => c.Folder).Distinct().Count());
        Assert.Equal(Path.Combine("mnist", "iid", "fedavg", "none", "seed-42"), cells[0].Folder);
        Assert.Equal(["iid", "dirichlet-0.5", "shards-3", "quantity-0.25"], cells.Where(c => c.Dataset == "mnist").Select(c => c.Partition!.Folder).Distinct());

        var cell = planned.Single(p => p.Cell.Folder == Path.Combine("fashion-mnist", "shards-3", "nnm+median", "ipm-0.1", "seed-42"));
        Assert.Equal("fashion-mnist / shards k=3 / nnm+median / ipm 0.1 / seed 42", cell.Cell.Label);
        Assert.Contains(" dataset = fashion-mnist\n", cell.Cell.Overrides());
        Assert.Contains(" partition { kind = shards, shards-per-client = 3 }\n", cell.Cell.Overrides());
        // The planned settings are the cell's: data set, partition kind and parameter, from the overrides over the base.
        Assert.Equal(("fashion-mnist", PartitionKind.Shards, 3), (cell.Settings.Data.Dataset.Name, cell.Settings.Partition.Kind, cell.Settings.Partition.ShardsPerClient));

        var dirichlet = planned.Single(p => p.Cell.Folder == Path.Combine("mnist", "dirichlet-0.5", "fedavg", "none", "seed-42")).Settings;
        Assert.Equal(("mnist", PartitionKind.Dirichlet, 0.5), (dirichlet.Data.Dataset.Name, dirichlet.Partition.Kind, dirichlet.Partition.Alpha));
        var quantity = planned.Single(p => p.Cell.Folder == Path.Combine("mnist", "quantity-0.25", "fedavg", "none", "seed-42")).Settings;
        Assert.Equal((PartitionKind.Quantity, 0.25, QuantitySkew.Dirichlet), (quantity.Partition.Kind, quantity.Partition.Alpha, quantity.Partition.Sizes));
        var iid = planned.Single(p => p.Cell.Folder == Path.Combine("fashion-mnist", "iid", "fedavg", "none", "seed-42"));
        Assert.EndsWith(" dataset = fashion-mnist\n partition { kind = iid }\n}", iid.Cell.Overrides());
        Assert.Equal(PartitionKind.Iid, iid.Settings.Partition.Kind);
    }

    [Fact]
    public void One_axis_alone_adds_one_folder_level()
    {
        var byDataset = GridPlan.Cells(Config("fedtrust.grid.datasets=[fashion-mnist]", "fedtrust.grid.defenses=[median]", "fedtrust.grid.attacks=[]"));
        Assert.Equal([Path.Combine("fashion-mnist", "median", "none", "seed-42")], byDataset.Select(c => c.Folder));
        Assert.Null(byDataset[0].Partition);
        Assert.DoesNotContain("partition", byDataset[0].Overrides());

        var byPartition = GridPlan.Cells(Config("fedtrust.grid.partitions=[\"dirichlet@0.1\"]", "fedtrust.grid.defenses=[median]", "fedtrust.grid.attacks=[]"));
        Assert.Equal([Path.Combine("dirichlet-0.1", "median", "none", "seed-42")], byPartition.Select(c => c.Folder));
        Assert.Null(byPartition[0].Dataset);
        Assert.DoesNotContain("dataset", byPartition[0].Overrides());
        Assert.Equal("dirichlet α=0.1 / median / none / seed 42", byPartition[0].Label);
    }

    [Fact]
    public void Without_the_axes_cells_folders_and_overrides_are_exactly_as_before()
    {
        var cells = GridPlan.Cells(Config("fedtrust.grid.defenses=[fedavg]", "fedtrust.grid.attacks=[label-flip]", "fedtrust.grid.intensities=[0.1]"));
        Assert.Equal([Path.Combine("fedavg", "none", "seed-42"), Path.Combine("fedavg", "label-flip-0.1", "seed-42")], cells.Select(c => c.Folder));
        Assert.All(cells, c => Assert.Equal((null, null), (c.Dataset, c.Partition)));
        // The overrides are what a grid folder's cells were run with before the axes existed, so such folders resume.
        Assert.Equal("fedtrust {\n defense = \"fedavg\"\n attack.type = label-flip\n attack.intensity = 0.1\n seed = 42\n}", cells[1].Overrides());
        Assert.Equal("fedavg / label-flip 0.1 / seed 42", cells[1].Label);
    }

    [Fact]
    public void A_bare_kind_takes_the_base_parameters_and_repeats_count_once()
    {
        var cells = GridPlan.Cells(Config("fedtrust.partition.alpha=0.3", "fedtrust.partition.shards-per-client=4",
            "fedtrust.grid.partitions=[dirichlet, \"dirichlet@0.3\", shards, quantity, iid, iid]", "fedtrust.grid.defenses=[fedavg]", "fedtrust.grid.attacks=[]"));
        Assert.Equal(["dirichlet-0.3", "shards-4", "quantity-0.3", "iid"], cells.Select(c => c.Partition!.Folder));
        Assert.Equal(" partition { kind = dirichlet, alpha = 0.3 }\n", cells[0].Partition!.Overrides());
    }

    [Fact]
    public void The_epsilon_sweep_runs_once_at_the_base_data_set_and_partition()
    {
        var cells = GridPlan.Cells(Config("fedtrust.grid.partitions=[iid, \"dirichlet@0.5\"]", "fedtrust.grid.defenses=[dp]",
            "fedtrust.grid.attacks=[]", "fedtrust.grid.epsilons=[1, 2]"));
        var sweep = cells.Where(c => c.Epsilon is not null).ToList();
        Assert.Equal([Path.Combine(GridPlan.EpsilonSweepFolder, "dp", "eps-1", "seed-42"), Path.Combine(GridPlan.EpsilonSweepFolder, "dp", "eps-2", "seed-42")],
            sweep.Select(c => c.Folder));
        Assert.All(sweep, c => Assert.Null(c.Partition));
        Assert.Equal(["iid", "dirichlet-0.5"], cells.Where(c => c.Epsilon is null).Select(c => c.Partition!.Folder));
    }

    [Theory]
    [InlineData("fedtrust.grid.partitions=[\"dirichlet@x\"]", "fedtrust.grid.partitions: 'dirichlet@x': expected dirichlet@alpha with a positive number alpha, e.g. \"dirichlet@0.5\"")]
    [InlineData("fedtrust.grid.partitions=[\"quantity@-1\"]", "fedtrust.grid.partitions: 'quantity@-1': expected quantity@alpha with a positive number alpha, e.g. \"quantity@0.5\"")]
    [InlineData("fedtrust.grid.partitions=[\"dirichlet@0\"]", "fedtrust.grid.partitions: 'dirichlet@0': expected dirichlet@alpha with a positive number alpha")]
    [InlineData("fedtrust.grid.partitions=[\"shards@1.5\"]", "fedtrust.grid.partitions: 'shards@1.5': expected shards@k with a whole number k ≥ 1 of shards per client, e.g. \"shards@2\"")]
    [InlineData("fedtrust.grid.partitions=[\"shards@0\"]", "fedtrust.grid.partitions: 'shards@0': expected shards@k with a whole number k ≥ 1")]
    [InlineData("fedtrust.grid.partitions=[\"iid@1\"]", "fedtrust.grid.partitions: 'iid@1': iid takes no parameter; write \"iid\"")]
    [InlineData("fedtrust.grid.partitions=[label-skew]", "fedtrust.grid.partitions: 'label-skew' is not one of iid, dirichlet, shards, quantity; write \"iid\", \"dirichlet@0.5\", \"shards@2\" or \"quantity@0.5\"")]
    [InlineData("fedtrust.grid.partitions=iid", "fedtrust.grid.partitions = 'iid': expected a list in brackets")]
    [InlineData("fedtrust.grid.datasets=[mnist, cifar]", "fedtrust.grid.datasets: 'cifar' is not one of mnist, fashion-mnist")]
    [InlineData("fedtrust.grid.datasets=mnist", "fedtrust.grid.datasets = 'mnist': expected a list in brackets")]
    public void A_bad_entry_is_refused_naming_the_key_the_entry_and_the_form(string set, string message)
    {
        Assert.StartsWith(message, Refused(set));
    }

    [Fact]
    public void A_quantity_level_under_log_normal_sizes_is_refused_naming_the_key_that_makes_it_meaningless()
    {
        Assert.Equal("fedtrust.grid.partitions: 'quantity@0.5': a quantity level is its alpha, which shapes the client sizes only with " +
                     "fedtrust.partition.sizes = dirichlet (it is log-normal); set fedtrust.partition.sizes = dirichlet",
            Refused("fedtrust.partition.sizes=log-normal", "fedtrust.grid.partitions=[iid, \"quantity@0.5\"]"));
    }

    [Fact]
    public void Two_alphas_equal_within_3_decimals_are_refused_as_sharing_a_folder()
    {
        Assert.Equal("fedtrust.grid.partitions: 'dirichlet@0.5' and 'dirichlet@0.5001' would share the cell folder 'dirichlet-0.5' " +
                     "(folder names keep 3 decimals); use values that differ within 3 decimals",
            Refused("fedtrust.grid.partitions=[\"dirichlet@0.5\", \"dirichlet@0.5001\"]"));
    }

    [Fact]
    public void A_partition_the_settings_reader_refuses_is_refused_at_plan_time_naming_the_cell()
    {
        var message = Refused("fedtrust.grid.partitions=[iid, \"dirichlet@2000000\"]", "fedtrust.grid.defenses=[fedavg]", "fedtrust.grid.attacks=[]");
        Assert.StartsWith("grid cell dirichlet α=2000000 / fedavg / none / seed 42: fedtrust.partition.alpha = '2000000': expected a number greater than 0 and at most 1000000", message);
    }

    [Fact]
    public void Several_data_sets_with_one_data_folder_are_refused()
    {
        Assert.Equal("fedtrust.grid.datasets names 2 data sets but fedtrust.data.dir (--data-dir) is '/tmp/idx': a folder holds one data set's files; " +
                     "leave it empty so that each data set uses its own cache folder",
            Refused("fedtrust.grid.datasets=[mnist, fashion-mnist]", "fedtrust.data.dir=/tmp/idx"));
    }

    /// <summary><c>hocon/heterogeneity-grid.conf</c> with <c>--quick</c>'s overrides (quick-rounds rounds, 1 seed).</summary>
    private static Akka.Configuration.Config HeterogeneityConf() =>
        FedTrustConfig.Compose([
            (FedTrustConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", "heterogeneity-grid.conf")), "heterogeneity-grid.conf"),
            (FedTrustConfig.ParseAssignment("fedtrust.rounds=5"), "--quick"),
        ]);

    [Fact]
    public void The_heterogeneity_grid_file_plans_every_defense_and_attack_on_every_data_set_and_partition()
    {
        var (planned, skipped) = GridPlan.Plan(HeterogeneityConf());
        var cells = planned.Select(p => p.Cell).ToList();

        Assert.Empty(skipped);
        // 2 data sets × 5 partitions × 11 defenses × (reference + 4 attacks) × 1 seed.
        Assert.Equal(2 * 5 * 11 * 5, cells.Count);
        Assert.Equal(cells.Count, cells.Select(c => c.Folder).Distinct().Count());
        Assert.Equal(["iid", "dirichlet-100", "dirichlet-1", "dirichlet-0.5", "dirichlet-0.1"], cells.Select(c => c.Partition!.Folder).Distinct());
        Assert.Equal(["mnist", "fashion-mnist"], cells.Select(c => c.Dataset!).Distinct());
        Assert.Equal(["none", "label-flip", "sign-flip", "alie", "ipm"], cells.Select(c => c.Attack).Distinct());
        Assert.Contains(cells, c => c.Folder == Path.Combine("fashion-mnist", "dirichlet-0.1", "median+trust", "alie-0", "seed-42"));
        Assert.All(planned, p => Assert.Equal((10, 3, 5, Core.Settings.MaliciousPlacement.Last, Core.Settings.AttackKnowledge.Omniscient),
            (p.Settings.Clients, p.Settings.Attack.Malicious, p.Settings.Rounds, p.Settings.Attack.Placement, p.Settings.Attack.Knowledge)));
    }

    [Fact]
    public void Every_split_of_the_heterogeneity_grid_gives_each_client_the_minimum_on_the_real_labels()
    {
        var planned = GridPlan.Plan(HeterogeneityConf()).Cells;
        var labels = DatasetCatalog.All.ToDictionary(d => d.Name, d =>
        {
            var dir = new DatasetSource(new DatasetSourceOptions(d, d.DefaultCacheDir())).EnsureAvailable();
            return (Train: Idx.ReadLabels(Path.Combine(dir, MnistFiles.TrainLabels)), Test: Idx.ReadLabels(Path.Combine(dir, MnistFiles.TestLabels)));
        });
        // The split depends on the data set, the partition, the client count, the seed and FLTrust's root set alone.
        var splits = planned.Select(p => p.Settings)
            .Select(s => (Dataset: s.Data.Dataset.Name, s.Partition, Clients: s.DataShares ?? s.Clients, s.Seed,
                Reserve: s.Defense.Rule == Core.Defenses.AggregationRule.FlTrust ? s.Defense.Options.RootSamples : 0))
            .Distinct().ToList();
        Assert.Equal(2 * 5 * 2, splits.Count);
        foreach (var split in splits)
        {
            var (train, test) = labels[split.Dataset];
            var (partitions, _) = Partitioner.Split(split.Partition, train, test, split.Clients, split.Seed, split.Reserve);
            Assert.Equal(10, partitions.Length);
            Assert.All(partitions, p => Assert.True(p.TrainIndices.Length >= split.Partition.MinSamples,
                $"{split.Dataset}, {split.Partition.Describe()}, reserve {split.Reserve}: client {p.Client} holds {p.TrainIndices.Length}"));
        }
    }
}
