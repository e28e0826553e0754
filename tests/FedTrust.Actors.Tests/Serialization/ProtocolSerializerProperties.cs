using System.Runtime.Serialization;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Serialization;
using FedTrust.Core.Trust;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FedTrust.Actors.Tests.Serialization;

public class ProtocolSerializerProperties() : TestKit(FedTrustConfig.Defaults)
{
    // Every float bit pattern (NaN payloads, subnormals, −0, ±∞ all occur), plus the edge values often.
    private static readonly Gen<float> AnyFloat = Gen.Frequency(
        (3, Gen.Choose(int.MinValue, int.MaxValue).Select(BitConverter.Int32BitsToSingle)),
        (1, Gen.Elements(WireSamples.EdgeFloats)));

    private static readonly Gen<float[]> AnyFloats =
        from length in Gen.Choose(0, 3000)
        from values in Gen.ArrayOf(AnyFloat, length)
        select values;

    private static readonly Gen<double> AnyDouble = Gen.Frequency(
        (3, from high in Gen.Choose(int.MinValue, int.MaxValue)
            from low in Gen.Choose(int.MinValue, int.MaxValue)
            select BitConverter.Int64BitsToDouble(((long)high << 32) | (uint)low)),
        (1, Gen.Elements(WireSamples.NaNWithPayload, double.NaN, -0.0, 0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, 0.5)));

    private static readonly Gen<int> AnyInt = Gen.Frequency(
        (3, Gen.Choose(int.MinValue, int.MaxValue)),
        (1, Gen.Elements(0, -1, 1, int.MinValue, int.MaxValue)));

    // Client ids: valid ones of every kind, and null or lone surrogates, which the writer must refuse.
    private static readonly Gen<string?> AnyString = Gen.Frequency(
        (4, Gen.Elements<string?>("client-0", "", "клиент-7 😀", "a\0b", new string('x', 300))),
        (4, ArbMap.Default.GeneratorFor<string>().Select(s => (string?)s)),
        (1, Gen.Elements<string?>(null, "\uD800", "x\uDC00y", "😀"[..1])));

    private static readonly Gen<UpdateEvidence> AnyEvidence =
        from cosine in AnyDouble
        from deviation in AnyDouble
        from rank in Gen.OneOf(Gen.Constant<int?>(null), AnyInt.Select(r => (int?)r))
        from participants in AnyInt
        from invalid in Gen.Elements(true, false)
        from typical in Gen.OneOf(Gen.Constant<double?>(null), AnyDouble.Select(t => (double?)t))
        select new UpdateEvidence(cosine, deviation, rank, participants, invalid, typical);

    private static readonly Gen<(string Key, UpdateEvidence Value)[]> AnyEvidenceEntries =
        from length in Gen.Choose(0, 40)
        from keys in Gen.ArrayOf(AnyString.Where(IsValidUtf16).Select(k => k!), length)
        from values in Gen.ArrayOf(AnyEvidence, length)
        select keys.Distinct().Zip(values).ToArray();

    private ProtocolSerializer Serializer => new((ExtendedActorSystem)Sys);

    [Property(MaxTest = 300)]
    public Property A_LocalUpdate_round_trips_bit_for_bit_or_is_refused_on_write() =>
        Prop.ForAll(Arb.From(from round in AnyInt
                             from client in AnyString
                             from delta in AnyFloats
                             from samples in AnyInt
                             from loss in AnyDouble
                             select (round, client, delta, samples, loss)),
            input =>
            {
                var update = new LocalUpdate(input.round, input.client!, input.delta, input.samples, input.loss);
                if (IsValidUtf16(input.client))
                    RoundTrip(update);
                else
                    Assert.Contains("cannot serialize LocalUpdate: ClientId is", Assert.Throws<ArgumentException>(() => Serializer.ToBinary(update)).Message);
            });

    [Property(MaxTest = 300)]
    public Property A_TrainRound_round_trips_bit_for_bit() =>
        Prop.ForAll(Arb.From(from round in AnyInt from weights in AnyFloats select new TrainRound(round, weights)), round => { RoundTrip(round); });

    [Property(MaxTest = 300)]
    public Property RecordEvidence_round_trips_bit_for_bit_with_the_same_bytes_in_any_insertion_order() =>
        Prop.ForAll(Arb.From(from round in AnyInt from entries in AnyEvidenceEntries select (round, entries)), input =>
        {
            var forward = input.entries.ToDictionary(e => e.Key, e => e.Value);
            var backward = input.entries.Reverse().ToDictionary(e => e.Key, e => e.Value);
            var bytes = RoundTrip(new RecordEvidence(input.round, forward));
            Assert.Equal(bytes, Serializer.ToBinary(new RecordEvidence(input.round, backward)));
        });

    [Property(MaxTest = 1000)]
    public Property A_damaged_payload_is_refused_with_a_SerializationException_or_read_as_the_message_its_bytes_say() =>
        Prop.ForAll(Arb.From(from sample in Gen.Choose(0, 1000)
                             from position in Gen.Choose(0, 10_000)
                             from value in Gen.Choose(0, 255)
                             from cut in Gen.Elements(false, false, false, true)
                             select (sample, position, value, cut)),
            input =>
            {
                var samples = WireSamples.All(TestActor, TestActor);
                var message = samples[input.sample % samples.Length];
                var manifest = Serializer.Manifest(message);
                var bytes = Serializer.ToBinary(message);
                var at = input.position % bytes.Length;
                byte[] damaged = input.cut ? bytes[..at] : [.. bytes[..at], (byte)input.value, .. bytes[(at + 1)..]];
                object back;
                try
                {
                    back = Serializer.FromBinary(damaged, manifest);
                }
                catch (SerializationException e)
                {
                    Assert.StartsWith("fedtrust wire message '", e.Message);
                    return;
                }
                // Accepted: then it is a whole message of that type, and the only encoding of it (refs aside, which
                // the receiving system resolves as it can).
                Assert.IsType(message.GetType(), back);
                if (message is not ClientsReady) Assert.Equal(damaged, Serializer.ToBinary(back));
            });

    /// <summary>Serializes, reads back, checks bit-exact equality and that writing again gives the same bytes.</summary>
    private byte[] RoundTrip(IWireMessage message)
    {
        var serializer = Serializer;
        var bytes = serializer.ToBinary(message);
        var back = serializer.FromBinary(bytes, serializer.Manifest(message));
        BitExact.Equal(message, back);
        Assert.Equal(bytes, serializer.ToBinary(back));
        return bytes;
    }

    /// <summary>Non-null, and every surrogate in a high-low pair (what UTF-8 can carry).</summary>
    private static bool IsValidUtf16(string? s)
    {
        if (s is null) return false;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }
}
