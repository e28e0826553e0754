using System.Text.Json;
using System.Text.RegularExpressions;
using FedTrust.Actors.Configuration;
using FedTrust.Cli;
using FedTrust.Cli.Grid;
using FedTrust.Core.Defenses;
using Microsoft.Data.Sqlite;
using FedTrust.Core.Configuration;
using static FedTrust.Testing.CliRunner;
using Config = Akka.Configuration.Config;

namespace FedTrust.Actors.Tests.Hostile;

/// <summary>
/// Issue 21, cases 5, 6, 9, 12, 14 and 17: settings that were silently ignored or weakened, numbers read as changes, and
/// errors that read like crashes or left files behind. Each is now honoured, or refused with one line and exit 2.
/// </summary>
public sealed class SilentSettingsHostileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-silent-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    private static string[] Sets(params string[] assignments) => [.. assignments.SelectMany(a => new[] { "--set", a })];

    // Case 5: a preset and a part given beside it combine, in either order; never a different defense.

    [Theory]
    [InlineData("fedtrust.defense=fltrust", "fedtrust.defense.root-samples=50")]
    [InlineData("fedtrust.defense.root-samples=50", "fedtrust.defense=fltrust")]
    public void A_preset_and_a_parameter_beside_it_combine_in_either_order(string first, string second)
    {
        var defense = HoconSettings.Read(Compose(first, second)).Defense;
        Assert.Equal("fltrust", defense.Name);
        Assert.Equal(AggregationRule.FlTrust, defense.Rule);
        Assert.Equal(50, defense.Options.RootSamples);
    }

    [Theory]
    [InlineData("fedtrust.defense=krum", "fedtrust.defense.trust=on", "krum+trust")]
    [InlineData("fedtrust.defense.trust=on", "fedtrust.defense=krum", "krum")] // a later name replaces the parts, as a later value does
    [InlineData("fedtrust.defense=hybrid", "fedtrust.defense.rule=median", "median+trust+dp")]
    [InlineData("fedtrust.defense=\"nnm+median\"", "fedtrust.defense.bucket-size=4", "nnm+median")]
    public void A_part_after_a_preset_overrides_that_part_only(string first, string second, string expected)
    {
        var config = Compose(first, second, "fedtrust.krum.f=1");
        Assert.Equal(expected, HoconSettings.Read(config).Defense.Name);
    }

    [Fact]
    public void A_defense_object_over_a_name_that_is_no_defense_is_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => Compose("fedtrust.defense=fltrsut", "fedtrust.defense.root-samples=50"));
        Assert.StartsWith("fedtrust.defense = 'fltrsut': unknown part 'fltrsut'", e.Message);
    }

    [Theory]
    [InlineData("fedtrust.defense = krum\nfedtrust.defense.trust = on\n", "test.conf:2:1: fedtrust.defense is given both as a name and as an object's keys in one file (also at test.conf:1:1)")]
    [InlineData("fedtrust {\n  defense { root-samples = 50 }\n  defense = fltrust\n}\n", "test.conf:3:3: fedtrust.defense is given both as a name and as an object's keys in one file")]
    public void A_name_and_an_object_in_one_file_are_refused(string hocon, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => FedTrustConfig.Parse(hocon, "test.conf"));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public async Task A_name_and_an_object_in_one_config_file_exit_2()
    {
        var file = Path.Combine(_root, "mixed.conf");
        File.WriteAllText(file, "fedtrust.defense = krum\nfedtrust.defense.trust = on\n");
        var (code, _, error) = await Run(["run", "--rounds", "1", "--out", Path.Combine(_root, "mixed"), "--config", file]);
        Assert.Equal(FedTrustCli.UsageError, code);
        AssertOneLineError(error, $"error: {file}:2:1: fedtrust.defense is given both as a name and as an object's keys in one file");
    }

    [Fact]
    public async Task Krum_with_trust_beside_it_runs_krum_with_trust_and_records_it()
    {
        var dir = Path.Combine(_root, "krum-trust");
        var (code, output, error) = await Run(["run", "--rounds", "1", "--out", dir,
            .. Sets("fedtrust.defense=krum", "fedtrust.defense.trust=on", "fedtrust.krum.f=1")]);
        Assert.True(code == 0, error);
        Assert.Contains("defense krum+trust,", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var defense = doc.RootElement.GetProperty("config").GetProperty("defense");
        Assert.Equal("krum", defense.GetProperty("rule").GetString());
        Assert.True(defense.GetProperty("trust").GetBoolean());
    }

    // Case 6: a privacy key the defense and mode will not use is refused, naming what would use it.

    [Theory]
    [InlineData("fedtrust.dp.mode=central;fedtrust.dp.target-epsilon=4",
        "error: fedtrust.dp.target-epsilon = 4: only central DP uses it (dp.mode = central with a defense that has dp: dp, trust+dp, multi-krum+dp, hybrid); defense 'fedavg' adds no noise")]
    [InlineData("fedtrust.dp.mode=central",
        "error: fedtrust.dp.mode = central: only a defense with dp uses it (dp, trust+dp, hybrid or another pipeline ending in +dp); defense 'fedavg' adds no noise")]
    [InlineData("fedtrust.dp.epsilon=4",
        "error: fedtrust.dp.epsilon = 4: only local DP uses it (dp.mode = local with a defense that has dp: dp, trust+dp, hybrid or another pipeline ending in +dp); defense 'fedavg' adds no noise")]
    [InlineData("fedtrust.defense=dp;fedtrust.dp.mode=central;fedtrust.sampling=poisson;fedtrust.clients-per-round=5;fedtrust.dp.epsilon=4",
        "error: fedtrust.dp.epsilon = 4: only local DP uses it (dp.mode = local with a defense that has dp: dp, trust+dp, hybrid or another pipeline ending in +dp); under dp.mode = central the total ε of the planned rounds is fedtrust.dp.target-epsilon")]
    [InlineData("fedtrust.defense=dp;fedtrust.dp.target-epsilon=4",
        "error: fedtrust.dp.target-epsilon = 4: only central DP uses it (dp.mode = central with a defense that has dp: dp, trust+dp, multi-krum+dp, hybrid); under dp.mode = local each client's per-round ε is fedtrust.dp.epsilon")]
    [InlineData("fedtrust.defense=dp;fedtrust.dp.mode=central;fedtrust.sampling=poisson;fedtrust.clients-per-round=5;fedtrust.dp.adaptive-clip.target-quantile=0.7",
        "error: fedtrust.dp.adaptive-clip.target-quantile = 0.7: only adaptive clipping uses it (fedtrust.dp.adaptive-clip.enabled = on); with it off C stays fedtrust.dp.clip")]
    public async Task A_privacy_key_the_run_would_ignore_is_refused_naming_what_uses_it(string assignments, string expected)
    {
        var dir = Path.Combine(_root, "unused");
        var (code, _, error) = await Run(["run", "--rounds", "1", "--out", dir, .. Sets(assignments.Split(';'))]);
        Assert.Equal(FedTrustCli.UsageError, code);
        AssertOneLineError(error, expected);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void The_same_key_at_its_default_or_in_another_spelling_is_not_a_setting()
    {
        HoconSettings.Read(Compose("fedtrust.dp.epsilon=inf", "fedtrust.dp.delta=0.00001", "fedtrust.dp.mode=local", "fedtrust.dp.adaptive-clip.enabled=false"));
    }

    [Fact]
    public void A_grid_may_set_a_privacy_key_for_its_dp_cells_but_not_for_none()
    {
        // paper-grid.conf sets dp.epsilon = 1000 for its dp and hybrid cells; fedavg's and krum's cells do not use it.
        var paper = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", "paper-grid.conf")), "paper-grid.conf")]);
        Assert.Contains(GridPlan.Plan(paper).Cells, c => c.Settings.Defense.Name == "fedavg");

        var none = Compose("fedtrust.grid.defenses=[fedavg, krum]", "fedtrust.dp.epsilon=4", "fedtrust.krum.f=1");
        var e = Assert.Throws<ConfigurationException>(() => GridPlan.Plan(none));
        Assert.Contains("fedtrust.dp.epsilon = 4: only local DP uses it", e.Message);
        Assert.EndsWith("(and no cell of the grid uses it)", e.Message);
    }

    // Case 9: --workers means a cluster run; no more workers than clients; --quick never runs more rounds than the grid.

    [Fact]
    public async Task Workers_without_cluster_are_refused()
    {
        var (code, _, error) = await Run(["run", "--rounds", "1", "--out", Path.Combine(_root, "w"), "--workers", "2"]);
        Assert.Equal(FedTrustCli.UsageError, code);
        AssertOneLineError(error, "error: --workers 2: the number of worker nodes of a cluster run; add --cluster (or leave out --workers to run here)");
    }

    [Fact]
    public async Task More_workers_than_clients_are_refused()
    {
        var (code, _, error) = await Run(["run", "--rounds", "1", "--out", Path.Combine(_root, "w"), "--cluster", "--port", "0", "--workers", "1000"]);
        Assert.Equal(FedTrustCli.UsageError, code);
        AssertOneLineError(error, "error: fedtrust.cluster.workers = 1000: more worker nodes than fedtrust.clients (10), so some would host no client; use at most 10");
        Assert.False(Directory.Exists(Path.Combine(_root, "w")));
    }

    [Fact]
    public async Task A_quick_grid_runs_no_more_rounds_than_the_full_grid()
    {
        var dir = Path.Combine(_root, "quick");
        var (code, _, error) = await Run(["grid", "--quick", "--out", dir, "--rounds", "1",
            .. Sets("fedtrust.grid.defenses=[fedavg]", "fedtrust.grid.attacks=[none]", "fedtrust.grid.quick-rounds=5")]);
        Assert.True(code == 0, error);
        using var grid = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "grid.json")));
        Assert.Equal(1, grid.RootElement.GetProperty("rounds").GetInt32());
        using var cell = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "fedavg", "none", "seed-42", "result.json")));
        Assert.Equal(1, cell.RootElement.GetProperty("rounds").GetArrayLength());
    }

    // Case 12: numbers are compared as numbers.

    [Fact]
    public async Task A_result_json_rewritten_with_other_number_formatting_is_reused_by_grid()
    {
        string[] grid = ["grid", "--out", _root, "--rounds", "1", .. Sets("fedtrust.grid.defenses=[fedavg]", "fedtrust.grid.attacks=[none]")];
        var (code, _, error) = await Run(grid);
        Assert.True(code == 0, error);
        var file = Path.Combine(_root, "fedavg", "none", "seed-42", "result.json");
        var text = File.ReadAllText(file);
        Assert.Contains("1E-05", text);
        // As another tool re-serialises it: lower-case exponent, a learning rate written with one.
        var rewritten = text.Replace("1E-05", "1e-05");
        rewritten = Regex.Replace(rewritten, "\"learning-rate\": 0.05", "\"learning-rate\": 5.0e-2");
        Assert.NotEqual(text, rewritten);
        File.WriteAllText(file, rewritten);

        var (again, output, againError) = await Run(grid);
        Assert.True(again == 0, againError);
        Assert.Contains("1 cells (1 already done", output);
        Assert.Empty(ConfigFingerprint.Differences(Block(text), Block(rewritten)));
        Assert.Equal(["fedtrust.dp.delta: 1E-05 → 0.0001"], ConfigFingerprint.Differences(Block(text), Block(text.Replace("1E-05", "1e-4"))));
    }

    private static JsonElement Block(string result)
    {
        using var doc = JsonDocument.Parse(result);
        return doc.RootElement.GetProperty("config").Clone();
    }

    // Case 14: refused before anything is written, exit 2.

    [Fact]
    public async Task A_target_epsilon_above_the_maximum_is_refused()
    {
        var dir = Path.Combine(_root, "eps");
        var (code, _, error) = await Run(["run", "--rounds", "1", "--out", dir,
            .. Sets("fedtrust.defense=dp", "fedtrust.dp.mode=central", "fedtrust.sampling=poisson", "fedtrust.clients-per-round=5", "fedtrust.dp.target-epsilon=1e20")]);
        Assert.Equal(FedTrustCli.UsageError, code);
        AssertOneLineError(error, "error: fedtrust.dp.target-epsilon = '1e20': expected a number greater than 0 and at most 1000, or inf for no noise");
        Assert.False(Directory.Exists(dir));
    }

    [Theory]
    [InlineData("fedtrust.data-shares=20000", "error: fedtrust.data-shares = 20000: the IID split gives each of its shares at least one of the 60000 training and 10000 test samples of mnist, so it makes at most 10000 shares")]
    [InlineData("fedtrust.partition.kind=dirichlet;fedtrust.partition.alpha=1e-300", "error: could not give every one of 10 clients fedtrust.partition.min-samples = 10 training samples at fedtrust.partition.alpha = 1E-300")]
    [InlineData("fedtrust.clients=10000;fedtrust.partition.kind=shards", "error: cannot give every one of 10000 clients fedtrust.partition.min-samples = 10 training samples")]
    public async Task A_split_the_data_cannot_give_writes_nothing(string assignments, string expected)
    {
        var dir = Path.Combine(_root, "split");
        var (code, _, error) = await Run(["run", "--rounds", "1", "--out", dir, .. Sets(assignments.Split(';'))]);
        Assert.Equal(FedTrustCli.UsageError, code);
        AssertOneLineError(error, expected);
        Assert.False(Directory.Exists(dir), "the refused run left its folder behind");
    }

    [Fact]
    public async Task A_grid_with_a_split_the_data_cannot_give_writes_nothing()
    {
        var dir = Path.Combine(_root, "grid-split");
        var (code, _, error) = await Run(["grid", "--out", dir, "--rounds", "1",
            .. Sets("fedtrust.grid.defenses=[fedavg]", "fedtrust.grid.attacks=[none]", "fedtrust.data-shares=20000")]);
        Assert.Equal(FedTrustCli.UsageError, code);
        AssertOneLineError(error, "error: fedtrust.data-shares = 20000: the IID split");
        Assert.False(Directory.Exists(dir));
    }

    // Case 17: a resume names a changed target ε as every other changed key, before judging the new value.

    [Theory]
    [InlineData("fedtrust.dp.target-epsilon=0.001", "fedtrust.dp.target-epsilon: 4 → 0.001")]
    [InlineData("fedtrust.dp.max-epsilon=0.5", "fedtrust.dp.max-epsilon: (absent) → 0.5")]
    public async Task Resuming_with_a_changed_budget_names_the_changed_key(string change, string expected)
    {
        var dir = Path.Combine(_root, "central");
        string[] central = ["--clients", "40", .. Sets("fedtrust.clients-per-round=10", "fedtrust.sampling=poisson", "fedtrust.defense=dp",
            "fedtrust.dp.mode=central", "fedtrust.dp.clip=1", "fedtrust.dp.target-epsilon=4")];
        var (code, _, error) = await Run(["run", "--rounds", "2", "--out", dir, .. central]);
        Assert.True(code == 0, error);
        File.Delete(Path.Combine(dir, "result.json")); // as if stopped after its last checkpoint

        var (resumed, _, resumeError) = await Run(["run", "--rounds", "2", "--out", dir, "--resume", .. central, "--set", change]);
        Assert.Equal(FedTrustCli.UsageError, resumed);
        AssertOneLineError(resumeError, $"checkpoint.json: run ");
        Assert.Contains($"was started with another configuration ({expected}); resume it with the same --config/--set options", resumeError);
    }
}
