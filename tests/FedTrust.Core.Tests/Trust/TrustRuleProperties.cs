using FedTrust.Core.Trust;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Trust;

public class TrustRuleProperties
{
    // Values in [0, 1]: a fine grid plus the ends and values whose products round away.
    private static readonly Gen<double> Unit = Gen.Frequency(
        (4, Gen.Choose(0, 1_000_000).Select(k => k / 1e6)),
        (1, Gen.Elements(0.0, 1.0, double.Epsilon, 1e-300, 1e-17, 0.5, 1 - 1e-16)));

    private static readonly Gen<TrustSettings> Parameters =
        from initial in Unit
        from threshold in Unit
        from penalty in Unit
        from recovery in Unit
        from floor in Gen.Choose(-1000, 999).Select(k => k / 1000.0)
        from tolerance in Gen.Choose(1, 10_000).Select(k => k / 100.0)
        select new TrustSettings(initial, threshold, penalty, recovery, floor, tolerance);

    private static readonly Gen<(TrustSettings P, double[] Behaviours)> Histories =
        from p in Parameters
        from length in Gen.Choose(0, 200)
        from behaviours in Gen.ArrayOf(Unit, length)
        select (p, behaviours);

    private static readonly Gen<(TrustSettings P, int Rounds)> Runs =
        from p in Parameters
        from rounds in Gen.Choose(1, 300)
        select (p, rounds);

    [Property(MaxTest = 500)]
    public Property Scores_stay_in_the_unit_interval_and_between_score_and_behaviour() =>
        Prop.ForAll(Arb.From(Histories), input =>
        {
            input.P.Validate();
            var score = input.P.Initial;
            foreach (var behaviour in input.Behaviours)
            {
                var next = TrustRule.Update(score, behaviour, input.P);
                Assert.InRange(next, 0.0, 1.0);
                Assert.InRange(next, Math.Min(score, behaviour), Math.Max(score, behaviour));
                score = next;
            }
        });

    [Property(MaxTest = 500)]
    public Property A_client_that_always_misbehaves_keeps_losing_trust() =>
        Prop.ForAll(Arb.From(Runs), input =>
        {
            var score = input.P.Initial;
            for (var round = 0; round < input.Rounds; round++)
            {
                var next = TrustRule.Update(score, 0.0, input.P);
                Assert.True(next <= score, $"round {round}: {next:R} > {score:R}");
                if (input.P.Penalty > 0 && score > 0)
                    Assert.True(next < score, $"round {round}: {score:R} did not fall with penalty {input.P.Penalty:R}");
                score = next;
            }
        });

    [Property(MaxTest = 500)]
    public Property A_client_that_always_behaves_never_loses_trust() =>
        Prop.ForAll(Arb.From(Runs), input =>
        {
            var score = input.P.Initial;
            for (var round = 0; round < input.Rounds; round++)
            {
                var next = TrustRule.Update(score, 1.0, input.P);
                Assert.True(next >= score, $"round {round}: {next:R} < {score:R}");
                if (input.P.Recovery > 0 && score < 1)
                    Assert.True(next > score, $"round {round}: {score:R} did not rise with recovery {input.P.Recovery:R}");
                score = next;
            }
        });

    [Property(MaxTest = 500)]
    public Property Behaviour_lies_in_the_unit_interval() =>
        Prop.ForAll(Arb.From(
            from p in Parameters
            from cosine in Gen.Choose(-1000, 1000).Select(k => k / 1000.0)
            from deviation in Gen.Frequency((9, Gen.Choose(0, 100_000).Select(k => k / 100.0)), (1, Gen.Constant(double.PositiveInfinity)))
            from invalid in Gen.Elements(false, false, false, true)
            select (p, new UpdateEvidence(cosine, deviation, Invalid: invalid))), input =>
        {
            var behaviour = TrustRule.Behaviour(input.Item2, input.p);
            Assert.InRange(behaviour, 0.0, 1.0);
            if (input.Item2.Invalid) Assert.Equal(0.0, behaviour);
        });
}
