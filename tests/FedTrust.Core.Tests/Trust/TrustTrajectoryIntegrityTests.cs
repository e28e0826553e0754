using FedTrust.Core.Trust;

namespace FedTrust.Core.Tests.Trust;

/// <summary>
/// A trajectory refuses events no ledger could have written: scores or behaviours outside [0, 1] or not finite, a round
/// before 1, an unknown reason or one that contradicts how the score moved, and a client the run did not have. Every
/// refusal names the source and the event's sequence number.
/// </summary>
public class TrustTrajectoryIntegrityTests
{
    private static readonly HashSet<string> Roster = ["client-0", "client-1", "client-2"];

    /// <summary>Two rounds of three clients, as the ledger writes them.</summary>
    private static List<TrustChange> Journal() =>
    [
        new(1, 1, "client-0", 1.0, 1.0, "unchanged", 1.0),
        new(2, 1, "client-1", 1.0, 0.6, "penalised", 0.0),
        new(3, 1, "client-2", 1.0, 1.0, "unchanged", 1.0),
        new(4, 2, "client-0", 1.0, 1.0, "unchanged", 1.0),
        new(5, 2, "client-1", 0.6, 0.36, "excluded", 0.0),
        new(6, 2, "client-2", 1.0, 1.0, "unchanged", 1.0),
    ];

    private static string Refused(int index, Func<TrustChange, TrustChange> tamper, IReadOnlySet<string>? roster = null)
    {
        var changes = Journal();
        changes[index] = tamper(changes[index]);
        return Assert.Throws<InvalidDataException>(() => new TrustTrajectory(changes, "j.db (run r1)", roster ?? Roster)).Message;
    }

    [Fact]
    public void A_journal_as_the_ledger_writes_it_passes_every_check()
    {
        var trajectory = new TrustTrajectory(Journal(), "j.db (run r1)", Roster);
        Assert.Equal(2, trajectory.LastRound);
        Assert.Equal(0.36, trajectory.At(2)!["client-1"]);
        Assert.Equal(6, trajectory.Events);
    }

    [Theory]
    [InlineData(7.5)]
    [InlineData(-0.1)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_new_score_outside_0_1_or_not_finite_is_refused(double score)
    {
        var message = Refused(3, c => c with { NewScore = score, Reason = "rewarded" });
        Assert.StartsWith("j.db (run r1): event 4 gives client-0 a new score of ", message);
        Assert.EndsWith("not a finite number in [0, 1]", message);
    }

    [Theory]
    [InlineData(7.5)]
    [InlineData(double.NegativeInfinity)]
    public void An_old_score_outside_0_1_is_refused(double score)
    {
        Assert.StartsWith("j.db (run r1): event 1 gives client-0 an old score of ", Refused(0, c => c with { OldScore = score, Reason = "penalised" }));
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_behaviour_outside_0_1_is_refused(double behaviour)
    {
        Assert.StartsWith("j.db (run r1): event 2 gives client-1 a behaviour of ", Refused(1, c => c with { Behaviour = behaviour }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_round_before_1_is_refused(int round)
    {
        Assert.Equal($"j.db (run r1): event 1 is for round {round}; rounds start at 1", Refused(0, c => c with { Round = round }));
    }

    [Fact]
    public void An_unknown_reason_is_refused_listing_the_known_ones()
    {
        var message = Refused(4, c => c with { Reason = "forgiven" });
        Assert.StartsWith("j.db (run r1): event 5 has the unknown reason 'forgiven'", message);
        Assert.Contains("excluded, penalised, readmitted, rewarded, unchanged", message);
    }

    [Theory]
    [InlineData("rewarded")]
    [InlineData("readmitted")]
    [InlineData("unchanged")]
    public void A_reason_that_contradicts_the_move_is_refused(string reason)
    {
        Assert.Equal($"j.db (run r1): event 2 says '{reason}' but moves client-1 from 1 to 0.6", Refused(1, c => c with { Reason = reason }));
    }

    [Fact]
    public void An_event_for_a_client_the_run_did_not_have_is_refused()
    {
        Assert.Equal("j.db (run r1): event 6 is for 'client-99', which is not one of the run's 3 clients",
            Refused(5, c => c with { ClientId = "client-99" }));
    }

    [Fact]
    public void Without_a_roster_clients_are_not_checked_but_everything_else_is()
    {
        var changes = Journal();
        changes[5] = changes[5] with { ClientId = "client-99" };
        Assert.Equal(1.0, new TrustTrajectory(changes, "j").At(2)!["client-99"]);
        changes[5] = changes[5] with { NewScore = 2 };
        Assert.Throws<InvalidDataException>(() => new TrustTrajectory(changes, "j"));
    }

    [Fact]
    public void Events_without_a_recorded_behaviour_are_accepted()
    {
        var changes = Journal().Select(c => c with { Behaviour = null }).ToList();
        Assert.Equal(2, new TrustTrajectory(changes, "j", Roster).LastRound);
    }

    [Fact]
    public void Is_score_accepts_exactly_the_finite_numbers_of_0_1()
    {
        Assert.True(TrustTrajectory.IsScore(0));
        Assert.True(TrustTrajectory.IsScore(1));
        Assert.True(TrustTrajectory.IsScore(0.5));
        Assert.False(TrustTrajectory.IsScore(-double.Epsilon));
        Assert.False(TrustTrajectory.IsScore(1 + 1e-15));
        Assert.False(TrustTrajectory.IsScore(double.NaN));
    }

    /// <summary>Issue 21, case 11: one client's second event in a round is refused, naming both events.</summary>
    [Fact]
    public void A_second_event_for_one_client_in_one_round_is_refused()
    {
        var changes = Journal();
        changes.Add(new TrustChange(7, 2, "client-2", 1.0, 1.0, "unchanged", 1.0));
        var e = Assert.Throws<InvalidDataException>(() => new TrustTrajectory(changes, "j.db (run r1)", Roster));
        Assert.Equal("j.db (run r1): event 7 is a second event for client-2 in round 2 (the first is event 6); the ledger writes one per client and round", e.Message);
    }

    private static (int, IReadOnlyList<KeyValuePair<string, double>>) Recorded(int round, params (string Client, double Score)[] scores) =>
        (round, scores.Select(s => KeyValuePair.Create(s.Client, s.Score)).ToList());

    /// <summary>Issue 21, case 11: the trajectory against the per-round trust a result.json or checkpoint recorded.</summary>
    [Fact]
    public void The_first_round_and_client_that_differ_from_the_record_are_named()
    {
        var trajectory = new TrustTrajectory(Journal(), "j.db (run r1)", Roster);
        var both = new[] { Recorded(1, ("client-0", 1.0), ("client-1", 0.6), ("client-2", 1.0)), Recorded(2, ("client-0", 1.0), ("client-1", 0.36), ("client-2", 1.0)) };
        Assert.Null(trajectory.FirstDifference(both, "result.json", initial: 1.0));

        Assert.Equal("at round 2, client-1: result.json records a trust of 0.35 but the journal's events give 0.36",
            trajectory.FirstDifference([both[0], Recorded(2, ("client-0", 1.0), ("client-1", 0.35), ("client-2", 1.0))], "result.json"));
        Assert.Equal("at round 3, client-0: result.json records round 3 but the journal has no event of it (the journal's rounds end at 2, result.json's at 3)",
            trajectory.FirstDifference([.. both, Recorded(3, ("client-0", 1.0))], "result.json"));
        Assert.Equal("at round 2, client-0: the journal has events of round 2 but result.json records rounds only up to 1",
            trajectory.FirstDifference([both[0]], "result.json"));
        Assert.Null(trajectory.FirstDifference([both[0]], "checkpoint.json", ahead: 1)); // killed between journal and checkpoint

        // A round that recorded no scores (a Poisson draw of nobody) needs no events; a client without events stands at the initial score.
        var sampled = new[] { both[0], Recorded(2, ("client-0", 1.0)), Recorded(3), Recorded(4, ("client-3", 1.0)) };
        var withFourth = new TrustTrajectory(Journal().Append(new TrustChange(7, 4, "client-0", 1.0, 1.0, "unchanged", 1.0)).ToList(), "j.db (run r1)");
        Assert.Null(withFourth.FirstDifference(sampled, "result.json", initial: 1.0));
        Assert.Equal("at round 4, client-3: result.json records a trust of 1 but the journal has no event of client-3 by then (so the initial 0.5)",
            withFourth.FirstDifference(sampled, "result.json", initial: 0.5));
    }
}
