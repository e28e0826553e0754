using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using FedTrust.Actors.Protocol;

namespace FedTrust.Actors.Serialization;

/// <summary>
/// Serializes the trust ledger's events and snapshots as small JSON documents under an explicit, versioned
/// manifest ("trust-changed.v1", "trust-snapshot.v1"), so a journal written today stays readable, and a journal from
/// a newer, unknown version is refused with a clear error instead of being misread. Bound to <see cref="ITrustEvent"/>.
/// </summary>
public sealed class TrustEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const string ChangedV1 = "trust-changed.v1";
    public const string SnapshotV1 = "trust-snapshot.v1";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public override int Identifier => 471;

    public override string Manifest(object o) => o switch
    {
        TrustChanged => ChangedV1,
        TrustSnapshot => SnapshotV1,
        _ => throw new ArgumentException($"{nameof(TrustEventSerializer)} cannot serialize {o.GetType().FullName}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        TrustChanged e => JsonSerializer.SerializeToUtf8Bytes(e, Json),
        TrustSnapshot s => JsonSerializer.SerializeToUtf8Bytes(new SnapshotV1Document(s.Round, new SortedDictionary<string, double>(s.Scores.ToDictionary(), StringComparer.Ordinal)), Json),
        _ => throw new ArgumentException($"{nameof(TrustEventSerializer)} cannot serialize {obj.GetType().FullName}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            return manifest switch
            {
                ChangedV1 => JsonSerializer.Deserialize<TrustChanged>(bytes, Json) ?? throw new SerializationException("empty trust-changed.v1 event"),
                SnapshotV1 => JsonSerializer.Deserialize<SnapshotV1Document>(bytes, Json) is { } d
                    ? new TrustSnapshot(d.Round, d.Scores)
                    : throw new SerializationException("empty trust-snapshot.v1 snapshot"),
                _ => throw new SerializationException(
                    $"unknown trust event version '{manifest}': this fedtrust reads {ChangedV1} and {SnapshotV1} (was the journal written by a newer version?)"),
            };
        }
        catch (JsonException e)
        {
            throw new SerializationException($"corrupt {manifest} record: {e.Message}", e);
        }
    }

    private sealed record SnapshotV1Document(int Round, SortedDictionary<string, double> Scores);
}
