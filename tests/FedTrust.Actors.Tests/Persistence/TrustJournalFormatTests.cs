using System.Runtime.Serialization;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Serialization;
using FedTrust.Core.Trust;

namespace FedTrust.Actors.Tests.Persistence;

public class TrustJournalFormatTests() : TestKit(FedTrustConfig.Defaults)
{
    [Fact]
    public void Events_and_snapshots_round_trip_under_their_versioned_manifests()
    {
        var serializer = new TrustEventSerializer((ExtendedActorSystem)Sys);
        var changed = new TrustChanged(4, "client-3", 0.25, 0.8, 0.62, "penalised");
        Assert.Equal(TrustEventSerializer.ChangedV1, serializer.Manifest(changed));
        Assert.Equal(changed, serializer.FromBinary(serializer.ToBinary(changed), TrustEventSerializer.ChangedV1));

        var snapshot = new TrustSnapshot(5, new Dictionary<string, double> { ["client-0"] = 1.0, ["client-1"] = 0.123456789012345 });
        var back = Assert.IsType<TrustSnapshot>(serializer.FromBinary(serializer.ToBinary(snapshot), TrustEventSerializer.SnapshotV1));
        Assert.Equal(5, back.Round);
        Assert.Equal(snapshot.Scores, back.Scores);
        // The actor system binds the ledger's events to this serializer.
        Assert.IsType<TrustEventSerializer>(Sys.Serialization.FindSerializerFor(changed));
    }

    [Fact]
    public void An_unknown_version_or_a_corrupt_record_is_refused_clearly()
    {
        var serializer = new TrustEventSerializer((ExtendedActorSystem)Sys);
        var bytes = serializer.ToBinary(new TrustChanged(1, "client-0", 1, 1, 1, "unchanged"));
        var unknown = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "trust-changed.v2"));
        Assert.Contains("unknown trust event version 'trust-changed.v2'", unknown.Message);
        Assert.Throws<SerializationException>(() => serializer.FromBinary("{not json"u8.ToArray(), TrustEventSerializer.ChangedV1));
    }

    [Fact]
    public void A_trajectory_carries_scores_forward_and_refuses_gaps_and_broken_chains()
    {
        var changes = new List<TrustChange>
        {
            new(1, 1, "a", 1.0, 0.6, "penalised"), new(2, 1, "b", 1.0, 1.0, "unchanged"),
            new(3, 2, "a", 0.6, 0.36, "excluded"),
        };
        var trajectory = new TrustTrajectory(changes, "test");
        Assert.Equal([1, 2], trajectory.Rounds.Select(r => r.Round));
        Assert.Equal(1.0, trajectory.At(2)!["b"]); // b had no change in round 2: carried forward
        Assert.Equal(0.36, trajectory.At(7)!["a"]);
        Assert.Null(trajectory.At(0));

        var gap = Assert.Throws<InvalidDataException>(() => new TrustTrajectory([changes[0], changes[2] with { SequenceNr = 4 }], "j"));
        Assert.Contains("jump from 1 to 4", gap.Message);
        var broken = Assert.Throws<InvalidDataException>(() => new TrustTrajectory([changes[0], changes[2] with { SequenceNr = 2, OldScore = 0.5 }], "j"));
        Assert.Contains("previous event left 0.6", broken.Message);
    }
}
