using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Defenses;
using FedTrust.Core.Privacy;
using FedTrust.Core.Settings;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses.Rules;

/// <summary>
/// SignGuard and DnC as defenses: each was added as one file (the algorithm and its adapter) and one registration line,
/// and is then reachable by name, runs through the one pipeline exactly as its pure function computes, reads its own
/// keys of the defense object, is refused under central DP, and is checked against the round's size.
/// </summary>
public class SignGuardAndDncDefenseTests
{
    /// <summary>Five honest updates around (1, 2, 3, 4) and a sign-flipped, scaled attacker (client-5).</summary>
    private static readonly List<RoundUpdate> Updates =
    [
        new("client-0", [1.0f, 2.0f, 3.0f, 4.0f], 10),
        new("client-1", [1.1f, 2.1f, 2.9f, 4.2f], 10),
        new("client-2", [0.9f, 1.8f, 3.2f, 3.9f], 10),
        new("client-3", [1.2f, 2.2f, 3.1f, 4.1f], 10),
        new("client-4", [0.8f, 1.9f, 2.8f, 3.8f], 10),
        new("client-5", [-5.0f, -10.0f, -15.0f, -20.0f], 10),
    ];

    private static readonly KrumSettings Krum = new(1, null);

    private static AggregationDecision Decide(DefenseSettings defense, int round = 3) =>
        RobustAggregation.Decide(Updates, RobustAggregation.Screen(Updates, defense, Krum.F), defense, Krum, null, new TrustSettings(),
            new RoundContext(42, round, new DefenseState()));

    [Theory]
    [InlineData("signguard")]
    [InlineData("dnc")]
    [InlineData("nnm+dnc+trust")]
    [InlineData("signguard+trust")]
    public void Each_is_a_part_a_defense_can_name(string name)
    {
        var defense = DefenseSettings.Parse(name);
        Assert.Equal(name, defense.Name);
        Assert.Contains(name.Contains("dnc") ? "dnc" : "signguard", DefenseSettings.Allowed);
    }

    [Fact]
    public void Signguard_through_the_pipeline_is_its_pure_function_and_drops_the_attacker()
    {
        var decision = Decide(DefenseSettings.Parse("signguard"));
        var direct = SignGuard.Aggregate(Updates.Select(u => u.Delta).ToList(), SignGuardOptions.Default, 42, 3);
        Assert.Equal(direct.Delta, decision.Delta);
        Assert.Equal(direct.Selected.Select(k => Updates[k].ClientId), decision.Used);
        Assert.DoesNotContain("client-5", decision.Used);
    }

    [Fact]
    public void Dnc_through_the_pipeline_is_its_pure_function_with_krum_f_and_drops_the_attacker()
    {
        var decision = Decide(DefenseSettings.Parse("dnc"));
        var direct = DivideAndConquer.Aggregate(Updates.Select(u => u.Delta).ToList(), new DivideAndConquerOptions(F: 1), 42, 3);
        Assert.Equal(direct.Delta, decision.Delta);
        Assert.Equal(["client-0", "client-1", "client-2", "client-3", "client-4"], decision.Used);
    }

    [Fact]
    public void Their_own_keys_of_the_defense_object_reach_them()
    {
        var options = new DefenseOptions(Extra: new Dictionary<string, double> { ["dnc-iterations"] = 3, ["dnc-fraction"] = 2 });
        var decision = Decide(DefenseSettings.Parse("dnc") with { Options = options });
        var direct = DivideAndConquer.Aggregate(Updates.Select(u => u.Delta).ToList(), new DivideAndConquerOptions(F: 1, FilterFraction: 2, Iterations: 3), 42, 3);
        Assert.Equal(direct.Delta, decision.Delta);
        Assert.Equal(4, decision.Used.Count);

        var band = new DefenseOptions(Extra: new Dictionary<string, double> { ["signguard-upper"] = 1.0, ["signguard-lower"] = 1.0, ["signguard-fraction"] = 1 });
        var narrow = Decide(DefenseSettings.Parse("signguard") with { Options = band });
        var narrowDirect = SignGuard.Aggregate(Updates.Select(u => u.Delta).ToList(), new SignGuardOptions(1.0, 1.0, 1), 42, 3);
        Assert.Equal(narrowDirect.Delta, narrow.Delta);
        Assert.True(narrow.Used.Count < Decide(DefenseSettings.Parse("signguard")).Used.Count);
    }

    [Fact]
    public void Dnc_left_with_too_few_updates_lowers_f_until_it_keeps_one()
    {
        var two = Updates.Take(2).ToList();
        var defense = DefenseSettings.Parse("dnc");
        var krum = new KrumSettings(3, null);
        var decision = RobustAggregation.Decide(two, RobustAggregation.Screen(two, defense, 3), defense, krum, null, new TrustSettings(),
            new RoundContext(42, 1, new DefenseState()));
        var direct = DivideAndConquer.Aggregate(two.Select(u => u.Delta).ToList(), new DivideAndConquerOptions(F: 1), 42, 1);
        Assert.Equal(direct.Delta, decision.Delta);
        Assert.Single(decision.Used);
    }

    [Theory]
    [InlineData("signguard+dp", "SignGuard's norm band")]
    [InlineData("dnc+dp", "DnC's outlier scores")]
    public void Central_dp_refuses_them_naming_why(string name, string why)
    {
        var problem = CentralSensitivity.Problem(DefenseSettings.Parse(name), Krum);
        Assert.NotNull(problem);
        Assert.Contains(why, problem);
    }

    [Fact]
    public void A_round_too_small_or_a_bad_parameter_is_a_settings_problem_naming_the_defense()
    {
        FitCheck Check(int n, int f, Dictionary<string, double>? extra = null) =>
            new(n, f, new DefenseOptions(Extra: extra), "fedtrust.defense = 'dnc'", $"fedtrust.clients = {n}, fedtrust.krum.f = {f}", "dnc", "fedtrust.clients");
        var dnc = DefenseSettings.Parse("dnc").Rule;
        Assert.Null(dnc.FitProblem(Check(10, 3)));
        Assert.Equal("fedtrust.defense = 'dnc': DnC needs n > c·f, so that each iteration keeps an update: n = 3, c = 1, f = 3",
            dnc.FitProblem(Check(3, 3)));
        Assert.Equal("fedtrust.defense = 'dnc': dnc-iterations is a whole number of iterations: got 1.5",
            dnc.FitProblem(Check(10, 1, new() { ["dnc-iterations"] = 1.5 })));
        var signguard = DefenseSettings.Parse("signguard").Rule;
        Assert.Equal("fedtrust.defense = 'dnc': SignGuard needs norm bounds 0 ≤ L ≤ 1 ≤ R, finite: got L = 2, R = 3",
            signguard.FitProblem(Check(10, 1, new() { ["signguard-lower"] = 2 })));
    }
}
