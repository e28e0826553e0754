using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Privacy;
using FedTrust.Core.Results;
using FedTrust.Core.Sampling;
using FedTrust.Core.Server;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;
using Xunit;
using static FedTrust.Core.Server.ServerDecision;

namespace FedTrust.Core.Tests.Server;

public sealed class ServerRoundTests
{
    private static readonly string[] Four = ["client-0", "client-1", "client-2", "client-3"];
    private static readonly float[] Valid = [0.1f, 0.2f, -0.1f, 0.05f];
    private static readonly float[] NaNs = [float.NaN, 0, 0, 0];

    private static ServerRound Server(ExperimentSettings settings, FakeWorkload? workload = null, RunCheckpoint? resume = null) =>
        new(settings, workload ?? new FakeWorkload(), ServerSettings.Clients(settings.Clients), new float[4], "run-1", "fingerprint", new FixedGauges(), resume);

    private static string Text(ServerDecision decision) => decision is Warn w ? string.Format(w.Format, w.Args) : decision.ToString();

    private static string[] Ids(int n) => Enumerable.Range(0, n).Select(ExperimentSettings.ClientId).ToArray();

    // ---- collecting --------------------------------------------------------------------------------------------

    [Fact]
    public void Answers_from_another_round_an_unknown_or_unsampled_client_and_second_answers_are_ignored_and_logged()
    {
        var settings = ServerSettings.For("fedavg") with { Sampling = new SamplingSettings(2, SamplingKind.Fixed) };
        var server = Server(settings);
        var train = server.Start(Four).OfType<Train>().Single();
        Assert.Equal(2, train.Clients.Count);
        var (first, second) = (train.Clients[0], train.Clients[1]);
        var outsider = Four.Except(train.Clients).First();

        Assert.Equal($"ignored an update from {first} for round 2: round 1 is open", Text(server.Update(2, first, Valid, 10).Single()));
        Assert.Equal("ignored an update from unknown client 'client-9' in round 1", Text(server.Update(1, "client-9", Valid, 10).Single()));
        Assert.Equal($"ignored an update from {outsider} in round 1: it was not sampled for this round", Text(server.Update(1, outsider, Valid, 10).Single()));
        Assert.Empty(server.Update(1, first, Valid, 10));
        Assert.Equal($"ignored a second update from {first} in round 1", Text(server.Update(1, first, Valid, 10).Single()));

        var closing = server.Update(1, second, NaNs, 10);
        var problem = UpdateValidation.Check(NaNs, 4)!;
        Assert.Equal($"rejected the update of {second} in round 1: it {problem.Description}; counted as misbehaviour", Text(closing[0]));
        var evidence = closing.OfType<RecordEvidence>().Single().Evidence;
        Assert.True(evidence[second].Invalid);
        Assert.False(evidence[first].Invalid);
        Assert.Equal(ServerPhase.Closing, server.Phase);
        Assert.Equal($"ignored a late update from {first} for round 1: the round is closing", Text(server.Update(1, first, Valid, 10).Single()));

        var finished = server.TrustScores(1, new Dictionary<string, double> { [first] = 1, [second] = 0.6 }).OfType<RoundFinished>().Single().Result;
        Assert.Equal([first], finished.Participants);
        Assert.Equal([second], finished.Rejected);
        Assert.Equal(problem.Description, finished.Rejections[second]);
    }

    [Fact]
    public void A_withheld_update_is_rejected_with_its_fault()
    {
        var server = Server(ServerSettings.For("fedavg", clients: 2));
        server.Start(Four.Take(2));
        var decisions = server.Withheld(1, "client-1", UpdateFault.NonFinite);
        Assert.Equal("rejected the update of client-1 in round 1: it was withheld by the client under DP (non-finite, found before clipping); counted as misbehaviour",
            Text(decisions.Single()));
    }

    [Fact]
    public void A_deadline_with_too_few_valid_updates_fails_the_run_saying_what_became_of_the_others()
    {
        var server = Server(ServerSettings.For("fedavg", minUpdates: 3));
        server.Start(Four);
        server.Update(1, "client-0", Valid, 10);
        server.Update(1, "client-1", NaNs, 10);
        Assert.Empty(server.Deadline(7));

        var decisions = server.Deadline(1);

        Assert.Equal("round 1 deadline: no update from client-2, client-3", Text(decisions[0]));
        var problem = UpdateValidation.Check(NaNs, 4)!;
        Assert.Equal($"round 1: 1 valid updates by the deadline (00:00:30), fewer than fedtrust.min-updates = 3; 1 rejected (1 non-finite; client-1 {problem.Description}); " +
                     "no answer from client-2, client-3", decisions.OfType<Fail>().Single().Reason);
        Assert.Equal(ServerPhase.Done, server.Phase);
        Assert.IsType<Unhandled>(server.Update(1, "client-2", Valid, 10).Single());
    }

    [Fact]
    public void A_deadline_with_enough_updates_closes_the_round_and_a_lost_client_below_the_minimum_fails_the_run()
    {
        var server = Server(ServerSettings.For("fedavg", minUpdates: 3));
        server.Start(Four);
        foreach (var id in Four.Take(3)) server.Update(1, id, Valid, 10);
        Assert.Contains(server.Deadline(1), d => d is RecordEvidence);
        server.TrustScores(1, new Dictionary<string, double>());
        Assert.Equal(2, server.Round);

        Assert.Equal("client-3 stopped after repeated failures; it is left out from round 2 on", Text(server.ClientLost("client-3")[0]));
        var failed = server.ClientLost("client-2");
        Assert.Equal("round 2: only 2 clients are left, fewer than fedtrust.min-updates = 3", failed.OfType<Fail>().Single().Reason);
    }

    // ---- divergence, short rounds --------------------------------------------------------------------------------

    [Fact]
    public void A_non_finite_model_ends_the_run_after_that_round_with_a_local_evaluation()
    {
        var harness = new ServerHarness(Server(ServerSettings.For("fedavg", rounds: 5), new FakeWorkload { DivergeAbove = 100 }))
        {
            Delta = (_, _) => [1000f, 0, 0, 0],
        }.Run(Four);

        var round = Assert.Single(harness.Rounds);
        Assert.NotNull(round.DivergenceReason);
        Assert.Contains($"round 1: {round.DivergenceReason}; the run has diverged and stops after this round", harness.Warnings);
        Assert.Single(harness.Of<Train>());
        Assert.All(harness.Result.Clients, c => Assert.Equal(0.5, c.TestAccuracy));
        Assert.Equal(1, harness.Result.Diverged!.Round);
    }

    [Fact]
    public void Krum_with_too_few_updates_for_its_f_fails_after_writing_the_rounds_so_far()
    {
        var harness = new ServerHarness(Server(ServerSettings.For("krum", krumF: 2))).Run(Four);

        const string reason = "Krum needs n > 2f + 2 but only 4 valid updates arrived with fedtrust.krum.f = 2";
        Assert.Contains($"round 1: {reason}", harness.Warnings);
        Assert.Empty(harness.Rounds);
        Assert.Equal(new EarlyStop(1, $"round 1: {reason}"), harness.Result.Failed);
        Assert.Equal(4, harness.Of<EvaluateLocally>().Single().Clients.Count);
    }

    [Fact]
    public void A_short_poisson_round_runs_krum_with_the_largest_f_its_updates_allow()
    {
        var settings = ServerSettings.For("krum", clients: 8, rounds: 8, krumF: 3) with { Sampling = new SamplingSettings(6, SamplingKind.Poisson) };
        var harness = new ServerHarness(Server(settings)) { Delta = (id, round) => [0.01f * id.Length * round, 0.02f, -0.01f, 0.03f] }.Run(Ids(8));

        Assert.Equal(8, harness.Rounds.Count);
        Assert.Contains(harness.Rounds, r => r.Participants.Count >= 3);
        foreach (var round in harness.Rounds)
        {
            var n = round.Participants.Count;
            if (n >= 3)
            {
                Assert.Equal((n - 3) / 2, round.KrumF);
                Assert.EndsWith($"ran with f = {(n - 3) / 2}", round.ShortRound);
            }
            else if (n > 0) Assert.EndsWith("averaged instead (fewer than 3 updates)", round.ShortRound);
        }
    }

    [Fact]
    public void A_skipped_round_leaves_the_model_unchanged_and_records_why()
    {
        var settings = ServerSettings.For("krum", krumF: 2, rounds: 2) with { Krum = new KrumSettings(2, null) { ShortRounds = ShortRoundPolicy.SkipRound } };
        var harness = new ServerHarness(Server(settings)).Run(Four);

        Assert.Equal(2, harness.Rounds.Count);
        Assert.All(harness.Rounds, r => Assert.StartsWith("4 valid updates, too few for krum", r.Skipped));
        Assert.All(harness.Rounds, r => Assert.Empty(r.Excluded));
        Assert.All(harness.Result.FinalWeights, w => Assert.Equal(0f, w));
        Assert.All(harness.Of<RecordEvidence>(), e => Assert.Empty(e.Evidence));
    }

    // ---- central DP ---------------------------------------------------------------------------------------------

    private static ExperimentSettings Central(string defense, int rounds, double maxEpsilon = double.PositiveInfinity) =>
        ServerSettings.For(defense, clients: 6, rounds: rounds) with
        {
            Dp = new DpSettings(double.PositiveInfinity, 1e-5, 0.5)
            {
                Mode = DpMode.Central,
                CentralNoiseMultiplier = 0.8,
                MaxEpsilon = maxEpsilon,
                Adaptive = new AdaptiveClipping(CountNoise: 1.0),
            },
        };

    private static float[] Spread(string id, int round) => [0.1f * (id[^1] - '0' + 1) * (round % 2 == 0 ? -1 : 1), 0.05f, 0, -0.02f * round];

    [Fact]
    public void Central_dp_releases_the_clipped_sum_with_seeded_noise_and_moves_the_clip()
    {
        var settings = Central("dp", rounds: 1);
        var harness = new ServerHarness(Server(settings)) { Delta = Spread }.Run(Ids(6));

        var plan = PrivacyPlan.For(settings)!;
        var clipped = Ids(6).Select(id => Spread(id, 1)).Select(d => VectorMath.Norm(d) <= 0.5 ? d : GaussianMechanism.Clip(d, 0.5)).ToList();
        var unclipped = Ids(6).Count(id => AdaptiveClip.WasWithin(VectorMath.Norm(Spread(id, 1)), 0.5));
        var release = DpFedAvg.Aggregate(Ids(6).Select((id, k) => StageUpdate.Of(id, clipped[k], 1.0)).ToList(), 4, 0.5,
            plan.UpdateNoiseMultiplier * plan.SensitivityMultiplier * 0.5, plan.Denominator, DeterministicRandom.For(42, 12, 1));
        var clip = AdaptiveClip.Next(0.5, unclipped, plan.Denominator, settings.Dp.Adaptive!, 1.0, DeterministicRandom.For(42, 13, 1));

        Assert.True(unclipped is > 0 and < 6);
        Assert.Equal(0.5, harness.Of<Train>().Single().ClipNorm);
        Assert.Equal(release, harness.Result.FinalWeights);
        Assert.NotEqual(0.5, clip);
        Assert.Equal(clip, harness.Server.Checkpoint().Privacy!.ClipNorm);
        Assert.Equal(clip, harness.Of<RoundFinished>().Single().Checkpoint.Privacy!.ClipNorm);
        Assert.Equal(1, harness.Result.Privacy!.Rounds);
    }

    [Fact]
    public void The_run_stops_cleanly_before_a_round_that_would_spend_more_than_the_budget()
    {
        var open = Central("dp", rounds: 5);
        var plan = PrivacyPlan.For(open)!;
        var accountant = new RdpAccountant();
        plan.Step(accountant, 2);
        var (afterTwo, afterThree) = (accountant.Epsilon(1e-5), plan.EpsilonAfter(accountant));
        var settings = Central("dp", rounds: 5, maxEpsilon: (afterTwo + afterThree) / 2);

        var harness = new ServerHarness(Server(settings)) { Delta = Spread }.Run(Ids(6));

        Assert.Equal(2, harness.Rounds.Count);
        var stopped = harness.Result.Stopped!;
        Assert.Equal(2, stopped.Round);
        Assert.StartsWith("privacy budget: round 3 would take ε from", stopped.Reason);
        Assert.EndsWith("; the run ends after round 2", stopped.Reason);
        Assert.Contains(stopped.Reason, harness.Warnings);
        Assert.Equal(afterTwo, harness.Result.Privacy!.Epsilon);
    }

    // ---- resume ---------------------------------------------------------------------------------------------------

    private static IReadOnlyDictionary<string, double> Varied(int round, IReadOnlyDictionary<string, FedTrust.Core.Trust.UpdateEvidence> evidence) =>
        evidence.ToDictionary(kv => kv.Key, kv => 1 - 0.05 * round * (kv.Key[^1] - '0'));

    /// <summary>Runs <paramref name="settings"/> through, and again from its checkpoint after round 2: the resumed run ends exactly as the whole one.</summary>
    private static (ServerHarness Whole, ServerHarness Resumed) Resume(ExperimentSettings settings, Action<RunCheckpoint, ServerRound>? restoredState = null)
    {
        var whole = new ServerHarness(Server(settings)) { Delta = Spread, Scores = Varied }.Run(Ids(settings.Clients));
        var checkpoint = whole.Checkpoints[1];
        var restored = Server(settings, resume: checkpoint);
        restoredState?.Invoke(checkpoint, restored);
        Assert.Equal(2, restored.Round);
        Assert.Equal(checkpoint.GlobalWeights, restored.Checkpoint().GlobalWeights);
        Assert.Equal(checkpoint.Rounds, restored.Checkpoint().Rounds);
        Assert.Equal(whole.Rounds[1].Trust!.OrderBy(kv => kv.Key), restored.LatestTrust.OrderBy(kv => kv.Key));
        var resumed = new ServerHarness(restored) { Delta = Spread, Scores = Varied }.Run(Ids(settings.Clients));
        Assert.Equal(whole.Result.FinalWeights, resumed.Result.FinalWeights);
        Assert.Equal(whole.Rounds.Select(r => (r.Round, r.Loss, r.Epsilon, r.KrumF, r.Metrics)), resumed.Result.Rounds.Select(r => (r.Round, r.Loss, r.Epsilon, r.KrumF, r.Metrics)));
        Assert.Equal(whole.Of<RecordEvidence>().Last().Evidence.OrderBy(kv => kv.Key), resumed.Of<RecordEvidence>().Single().Evidence.OrderBy(kv => kv.Key));
        return (whole, resumed);
    }

    [Fact]
    public void A_resumed_central_dp_run_restores_the_accountant_the_clip_and_trusts_public_reference()
    {
        var (whole, resumed) = Resume(Central("trust+dp", rounds: 3), (checkpoint, restored) =>
        {
            var privacy = restored.Checkpoint().Privacy!;
            Assert.Equal(2, privacy.Steps);
            Assert.Equal(checkpoint.Privacy!.Rdp, privacy.Rdp);
            Assert.Equal(checkpoint.Privacy.ClipNorm, privacy.ClipNorm);
            Assert.NotEqual(0.5, privacy.ClipNorm);
            Assert.NotNull(checkpoint.PreviousAggregate);
            Assert.Equal(checkpoint.PreviousAggregate, restored.Checkpoint().PreviousAggregate);
        });
        Assert.Equal(whole.Result.Privacy!.Epsilon, resumed.Result.Privacy!.Epsilon);
        var (a, b) = (whole.Server.Checkpoint().Privacy!, resumed.Server.Checkpoint().Privacy!);
        Assert.Equal((3, a.ClipNorm), (b.Steps, b.ClipNorm));
        Assert.Equal(a.Rdp, b.Rdp);
    }

    [Fact]
    public void A_resumed_foolsgold_run_continues_from_its_histories() =>
        Resume(ServerSettings.For("foolsgold", clients: 5, rounds: 3), (checkpoint, restored) =>
        {
            Assert.Equal(5, checkpoint.Histories!.Count);
            Assert.Equal(checkpoint.Histories.OrderBy(kv => kv.Key), restored.Checkpoint().Histories!.OrderBy(kv => kv.Key));
        });

    [Fact]
    public void A_resumed_centered_clipping_run_continues_from_its_previous_aggregate() =>
        Resume(ServerSettings.For("centered-clipping", clients: 5, rounds: 3), (checkpoint, restored) =>
        {
            Assert.NotNull(checkpoint.PreviousAggregate);
            Assert.Equal(checkpoint.PreviousAggregate, restored.Checkpoint().PreviousAggregate);
        });
}
