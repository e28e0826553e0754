using Akka.Actor;
using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Trust;
using FedTrust.Core.Trust;
using Xunit.Abstractions;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Tests.Simulation;

public class TrustLedgerTests(ITestOutputHelper output) : TestKit(FedTrustConfig.Defaults, output: output)
{
    private static readonly TrustSettings Parameters = new();
    private static readonly string[] Clients = ["client-0", "client-1", "client-2"];

    private static RecordEvidence Round(int round, bool client1Bad) => new(round, new Dictionary<string, UpdateEvidence>
    {
        ["client-0"] = new(Cosine: 0.95, NormDeviation: 0.2),
        ["client-1"] = client1Bad ? new(Cosine: -0.9, NormDeviation: 40) : new(Cosine: 0.95, NormDeviation: 0.1),
        ["client-2"] = new(Cosine: 0.9, NormDeviation: 0.5),
    });

    [Fact]
    public void A_misbehaving_client_loses_trust_round_after_round_until_excluded()
    {
        var ledger = Sys.ActorOf(TrustLedgerActor.Props("trust-ledger-test-1", Clients, Parameters));
        double previous = Parameters.Initial;
        var excludedAt = 0;
        for (var round = 1; round <= 4; round++)
        {
            ledger.Tell(Round(round, client1Bad: true), TestActor);
            var updated = ExpectMsg<TrustUpdated>();
            Assert.Equal(round, updated.Round);
            Assert.True(updated.Scores["client-1"] < previous, $"round {round}: {updated.Scores["client-1"]} !< {previous}");
            previous = updated.Scores["client-1"];
            Assert.True(updated.Scores["client-0"] > 0.9);
            if (excludedAt == 0 && updated.Excluded.Contains("client-1")) excludedAt = round;
            Assert.DoesNotContain("client-0", updated.Excluded);
        }
        Assert.InRange(excludedAt, 1, 3);
    }

    [Fact]
    public void The_same_round_recorded_twice_is_not_applied_twice()
    {
        var ledger = Sys.ActorOf(TrustLedgerActor.Props("trust-ledger-test-2", Clients, Parameters));
        ledger.Tell(Round(1, client1Bad: true), TestActor);
        var first = ExpectMsg<TrustUpdated>();
        ledger.Tell(Round(1, client1Bad: true), TestActor);
        var again = ExpectMsg<TrustUpdated>();
        Assert.Equal(first.Scores["client-1"], again.Scores["client-1"]);
    }

    [Fact]
    public void A_restarted_ledger_recovers_exactly_the_same_scores_from_its_journal()
    {
        var ledger = Sys.ActorOf(TrustLedgerActor.Props("trust-ledger-test-3", Clients, Parameters));
        for (var round = 1; round <= 3; round++)
        {
            ledger.Tell(Round(round, client1Bad: round != 2), TestActor);
            ExpectMsg<TrustUpdated>();
        }
        ledger.Tell(new GetTrustScores(), TestActor);
        var before = ExpectMsg<TrustScores>();

        Watch(ledger);
        Sys.Stop(ledger);
        ExpectTerminated(ledger);
        var recovered = Sys.ActorOf(TrustLedgerActor.Props("trust-ledger-test-3", Clients, Parameters));
        recovered.Tell(new GetTrustScores(), TestActor);
        var after = ExpectMsg<TrustScores>();

        Assert.Equal(3, after.Round);
        Assert.Equal(before.Scores, after.Scores);
    }

    [Fact]
    public void Recovery_from_a_snapshot_plus_later_events_gives_the_same_scores()
    {
        var ledger = Sys.ActorOf(TrustLedgerActor.Props("trust-ledger-test-4", Clients, Parameters, snapshotEvery: 2));
        for (var round = 1; round <= 5; round++)
        {
            ledger.Tell(Round(round, client1Bad: round % 2 == 1), TestActor);
            ExpectMsg<TrustUpdated>();
        }
        ledger.Tell(new GetTrustScores(), TestActor);
        var before = ExpectMsg<TrustScores>();
        Watch(ledger);
        Sys.Stop(ledger);
        ExpectTerminated(ledger);

        // The snapshot store holds the state after round 4 (snapshots at rounds 2 and 4).
        var store = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        store.Tell(new Akka.Persistence.LoadSnapshot("trust-ledger-test-4", Akka.Persistence.SnapshotSelectionCriteria.Latest, long.MaxValue), TestActor);
        var latest = ExpectMsg<Akka.Persistence.LoadSnapshotResult>();
        Assert.Equal(4, Assert.IsType<TrustSnapshot>(latest.Snapshot!.Snapshot).Round);

        var recovered = Sys.ActorOf(TrustLedgerActor.Props("trust-ledger-test-4", Clients, Parameters, snapshotEvery: 2));
        recovered.Tell(new GetTrustScores(), TestActor);
        var after = ExpectMsg<TrustScores>();
        Assert.Equal(5, after.Round);
        Assert.Equal(before.Scores, after.Scores);
    }
}
