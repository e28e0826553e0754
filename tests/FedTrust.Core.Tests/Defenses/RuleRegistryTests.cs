using FedTrust.Core.Defenses;
using FedTrust.Core.Privacy;
using FedTrust.Core.Results;
using FedTrust.Core.Server;
using FedTrust.Core.Settings;
using FedTrust.Core.Tests.Server;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses;

/// <summary>
/// The registry of rules and pre-aggregators, and the presets read from hocon/defenses.conf: every name accepted before
/// the registry means what it meant, every registered stage is reachable by name, and a new rule needs no switch.
/// (One class, so the test that registers a rule never runs beside the one that pins the message.)
/// </summary>
public class RuleRegistryTests
{
    /// <summary>What a bad defense name was answered with before the registry, word for word.</summary>
    private const string AllowedBefore =
        "a preset (fedavg, krum, multi-krum, dp, trust, hybrid) or parts joined with '+': pre-aggregators " +
        "(nnm, bucketing, clip), at most one rule (mean, krum, multi-krum, median, trimmed-mean, geometric-median, bulyan, " +
        "centered-clipping, fltrust, foolsgold; mean when none is named), trust, dp; e.g. nnm+median+trust";

    [Fact]
    public void An_unknown_defense_is_answered_as_before()
    {
        // Rules registered after foolsgold (SignGuard, DnC, ...) join the list where it ends; the rest is word for word.
        var added = AggregationRules.Names.SkipWhile(n => n != "foolsgold").Skip(1).Select(n => $", {n}");
        var allowed = AllowedBefore.Replace("foolsgold;", $"foolsgold{string.Concat(added)};", StringComparison.Ordinal);
        Assert.Equal(allowed, DefenseSettings.Allowed);
        var e = Assert.Throws<ArgumentException>(() => DefenseSettings.Parse("nnm+medain"));
        Assert.Equal($"unknown defense 'nnm+medain': unknown part 'medain'; expected {allowed} (Parameter 'name')", e.Message);
        string[] keysBefore = ["pre", "rule", "trust", "dp", "trim", "gm-iterations", "gm-nu", "gm-tolerance", "cc-tau", "cc-iterations", "root-samples", "bucket-size", "clip-norm"];
        Assert.Equal(keysBefore, DefenseSettings.ObjectKeys.Where(keysBefore.Contains));
    }

    [Fact]
    public void The_shipped_presets_are_the_papers_defenses_as_compositions()
    {
        Assert.Equal(
            [("fedavg", "mean"), ("krum", "krum"), ("multi-krum", "multi-krum"), ("dp", "mean+dp"), ("trust", "mean+trust"), ("hybrid", "multi-krum+trust+dp")],
            DefensePresets.All);
        Assert.Equal(["fedavg", "krum", "multi-krum", "dp", "trust", "hybrid"], DefenseSettings.Names);
    }

    [Theory]
    // name, canonical name, client DP, Krum use, trust, rule, pre-aggregators: what DefenseSettings.TryParse returned before presets moved to HOCON.
    [InlineData("fedavg", "fedavg", false, KrumUse.None, false, "mean", "")]
    [InlineData("krum", "krum", false, KrumUse.SelectOne, false, "krum", "")]
    [InlineData("multi-krum", "multi-krum", false, KrumUse.SelectBestM, false, "multi-krum", "")]
    [InlineData("dp", "dp", true, KrumUse.None, false, "mean", "")]
    [InlineData("trust", "trust", false, KrumUse.None, true, "mean", "")]
    [InlineData("hybrid", "hybrid", true, KrumUse.SelectBestM, true, "multi-krum", "")]
    [InlineData("multi-krum+trust+dp", "hybrid", true, KrumUse.SelectBestM, true, "multi-krum", "")]
    [InlineData("mean+trust", "trust", false, KrumUse.None, true, "mean", "")]
    [InlineData("trust+dp", "trust+dp", true, KrumUse.None, true, "mean", "")]
    [InlineData("krum+trust", "krum+trust", false, KrumUse.SelectOne, true, "krum", "")]
    [InlineData("centered-clipping+trust", "centered-clipping+trust", false, KrumUse.None, true, "centered-clipping", "")]
    [InlineData("nnm+median+trust", "nnm+median+trust", false, KrumUse.None, true, "median", "nnm")]
    [InlineData("bucketing+clip+multi-krum+dp", "bucketing+clip+multi-krum+dp", true, KrumUse.SelectBestM, false, "multi-krum", "bucketing,clip")]
    [InlineData("nnm+trust", "nnm+trust", false, KrumUse.None, true, "mean", "nnm")]
    public void Every_name_parses_to_the_settings_it_always_did(string name, string canonical, bool dp, KrumUse krum, bool trust, string rule, string pre)
    {
        Assert.True(DefenseSettings.TryParse(name, out var defense, out var problem), problem);
        Assert.Equal(canonical, defense.Name);
        Assert.Equal(dp, defense.ClientPrivacy);
        Assert.Equal(krum, defense.Krum);
        Assert.Equal(trust, defense.Trust);
        Assert.Equal(rule, defense.Rule.Name);
        Assert.Equal(pre, string.Join(',', defense.Pre.Select(p => p.Name)));
        Assert.Equal(DefenseOptions.Default, defense.Options);
    }

    [Fact]
    public void Every_registered_stage_is_reachable_by_name_and_runs_in_the_pipeline()
    {
        var updates = Enumerable.Range(0, 9).Select(i => new RoundUpdate($"client-{i}", [i % 3, 1f - i % 2, 0.5f * i], 10 + i)).ToList();
        var krum = new KrumSettings(1, null);
        foreach (var rule in AggregationRules.All)
        {
            var defense = DefenseSettings.Parse(rule.Name);
            Assert.Same(rule, defense.Rule);
            var context = new RoundContext(7, 1, new DefenseState(), RootUpdate: [1f, 1f, 1f]);
            var decision = RobustAggregation.Decide(updates, RobustAggregation.Screen(updates, defense, krum.F), defense, krum, null, new TrustSettings(), context);
            Assert.NotNull(decision.Delta);
            Assert.Equal(3, decision.Delta!.Length);
            Assert.NotEmpty(decision.Used);
        }
        foreach (var pre in PreAggregators.All)
        {
            var defense = DefenseSettings.Parse($"{pre.Name}+median");
            Assert.Same(pre, Assert.Single(defense.Pre));
            var decision = DefensePipeline.Aggregate(updates, defense, krum, null, new RoundContext(7, 1, new DefenseState()));
            Assert.NotNull(decision.Delta);
        }
    }

    [Fact]
    public void The_paper_path_is_a_declared_property_of_the_rule()
    {
        Assert.Equal(["mean", "krum", "multi-krum"], AggregationRules.All.Where(r => r.SelectsFromScreening).Select(r => r.Name));
        Assert.Equal(["krum", "multi-krum", "bulyan"], AggregationRules.All.Where(r => r.TakesF is not null).Select(r => r.Name));
        Assert.Equal(["mean", "multi-krum"], AggregationRules.All.Where(r => r.CentralProblem(new KrumSettings(1, null)) is null).Select(r => r.Name));
    }

    [Fact]
    public void A_preset_file_with_a_bad_line_says_where()
    {
        var bad = Assert.Throws<FormatException>(() => DefensePresets.Read("defense-presets {\n  ok = \"mean\"\n  broken mean\n}\n", "x.conf"));
        Assert.StartsWith("x.conf:3: expected a preset as name = \"parts\"", bad.Message);
        var twice = Assert.Throws<FormatException>(() => DefensePresets.Read("defense-presets {\n a = \"mean\"\n a = \"krum\"\n}", "x.conf"));
        Assert.Equal("x.conf:3: the preset 'a' is defined twice", twice.Message);
        Assert.Throws<FormatException>(() => DefensePresets.Read("a = \"mean\"", "x.conf"));
    }

    /// <summary>A rule only this test knows: the last update wins. It is one class and one registration, as a new rule is.</summary>
    private sealed class LastUpdateRule : AggregationRule
    {
        public override string Name => "test-last";
        public override IReadOnlyList<string> OptionKeys => ["test-scale"];

        public override RuleOutcome Aggregate(StageInput input)
        {
            var scale = (float)input.Options.Number("test-scale", 1);
            return new(input.Updates[^1].Delta.Select(x => scale * x).ToArray(), [input.Count - 1]);
        }
    }

    [Fact]
    public void A_new_rule_is_one_class_and_one_registration_with_no_switch_to_edit()
    {
        AggregationRules.Register(new LastUpdateRule());
        try
        {
            var updates = Enumerable.Range(0, 4).Select(i => new RoundUpdate($"client-{i}", [i, -i], 10)).ToList();
            var trust = updates.ToDictionary(u => u.ClientId, u => u.ClientId == "client-3" ? 0.1 : 1.0);
            var defense = DefenseSettings.Parse("clip+test-last+trust");
            Assert.Equal("clip+test-last+trust", defense.Name);
            var krum = new KrumSettings(0, null);
            var decision = RobustAggregation.Decide(updates, RobustAggregation.Screen(updates, defense, 0), defense, krum, trust, new TrustSettings(),
                new RoundContext(1, 1, new DefenseState()));
            // Trust excludes client-3 (0.1 < 0.5); the last kept update is client-2's, clipped to the median norm (client-1's √2).
            Assert.Equal(["client-2"], decision.Used);
            Assert.Equal(1f, decision.Delta![0], 5);
            Assert.Equal(-1f, decision.Delta[1], 5);
            Assert.Contains("test-last", DefenseSettings.Allowed);
            Assert.Equal("the rule 'test-last' has no known sensitivity bound", CentralSensitivity.Problem(DefenseSettings.Parse("test-last"), krum));
            Assert.Throws<ArgumentException>(() => AggregationRules.Register(new LastUpdateRule()));
            // Its parameter is a key of the defense object, read by the rule from DefenseOptions.Extra.
            Assert.Contains("test-scale", DefenseSettings.ObjectKeys);
            var scaled = RobustAggregation.Decide(updates, RobustAggregation.Screen(updates, defense, 0),
                defense with { Options = new DefenseOptions(Extra: new Dictionary<string, double> { ["test-scale"] = 2 }) }, krum, trust, new TrustSettings(),
                new RoundContext(1, 1, new DefenseState()));
            Assert.Equal(2f, scaled.Delta![0], 5);
        }
        finally
        {
            AggregationRules.Unregister("test-last");
        }
        Assert.False(AggregationRules.TryParse("test-last", out _));
    }

    /// <summary>
    /// A stateful rule only this test knows: the mean plus half the previous round's aggregate (momentum), counting its
    /// rounds. It keeps a vector and a number, and saves and restores them itself.
    /// </summary>
    private sealed class MomentumRule : AggregationRule
    {
        public override string Name => "test-momentum";
        public override RuleState NewState() => new Momentum();

        public override RuleOutcome Aggregate(StageInput input)
        {
            var state = input.Context.State.Of<Momentum>(this);
            var mean = Enumerable.Range(0, input.Vectors[0].Length).Select(j => input.Vectors.Average(v => v[j])).ToArray();
            var delta = mean.Select((x, j) => x + 0.5f * (state.Previous?[j] ?? 0)).ToArray();
            (state.Previous, state.Rounds) = (delta, state.Rounds + 1);
            return RuleOutcome.OfAll(delta, input.Count);
        }

        private sealed class Momentum : RuleState
        {
            public float[]? Previous { get; set; }
            public double Rounds { get; set; }
            public override RuleStateSnapshot Save() => new(Vector: Previous, Numbers: new Dictionary<string, double> { ["rounds"] = Rounds });

            public override void Restore(RuleStateSnapshot saved) =>
                (Previous, Rounds) = (saved.Vector, saved.Numbers?["rounds"] ?? throw new ArgumentException("test-momentum: no round count saved"));
        }
    }

    [Fact]
    public void A_new_stateful_rule_is_checkpointed_and_resumed_with_no_edit_to_the_server()
    {
        AggregationRules.Register(new MomentumRule());
        try
        {
            var settings = ServerSettings.For("test-momentum", clients: 5, rounds: 3);
            ServerRound Start(RunCheckpoint? resume) =>
                new(settings, new FakeWorkload(), ServerSettings.Clients(5), new float[4], "run-1", "fingerprint", new FixedGauges(), resume);
            float[] Spread(string id, int round) => [0.1f * (id[^1] - '0' + 1), -0.05f * round, 0, 0.02f];
            var ids = Enumerable.Range(0, 5).Select(ExperimentSettings.ClientId).ToList();

            var whole = new ServerHarness(Start(null)) { Delta = Spread }.Run(ids);
            var checkpoint = whole.Checkpoints[1];
            Assert.Equal(2, checkpoint.RuleNumbers!["rounds"]);
            Assert.NotNull(checkpoint.PreviousAggregate);
            Assert.Null(checkpoint.Histories);
            var resumed = new ServerHarness(Start(checkpoint)) { Delta = Spread }.Run(ids);
            Assert.Equal(whole.Result.FinalWeights, resumed.Result.FinalWeights);
            Assert.Equal(3, resumed.Checkpoints.Single().RuleNumbers!["rounds"]);
            // Resumed without its state, the rule's third round comes out otherwise.
            var forgetful = new ServerHarness(Start(checkpoint with { PreviousAggregate = null })) { Delta = Spread }.Run(ids);
            Assert.NotEqual(whole.Result.FinalWeights, forgetful.Result.FinalWeights);
        }
        finally
        {
            AggregationRules.Unregister("test-momentum");
        }
    }
}
