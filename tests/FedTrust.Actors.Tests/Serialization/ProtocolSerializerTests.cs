using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Serialization;
using FedTrust.Core.Defenses;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;

namespace FedTrust.Actors.Tests.Serialization;

public class ProtocolSerializerTests() : TestKit(FedTrustConfig.Defaults)
{
    private const string LocalUpdateManifest = "local-update";

    private ProtocolSerializer Serializer => new((ExtendedActorSystem)Sys);

    // ---- Round trips ----

    [Fact]
    public void Every_concrete_wire_message_type_has_a_sample_and_a_serializer_case()
    {
        var wireTypes = typeof(IWireMessage).Assembly.GetTypes()
            .Where(t => typeof(IWireMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .ToHashSet();
        Assert.True(wireTypes.Count >= 20, $"only {wireTypes.Count} IWireMessage types found");
        var sampled = WireSamples.All(ActorRefs.Nobody, ActorRefs.Nobody).Select(m => m.GetType()).ToHashSet();
        Assert.True(wireTypes.SetEquals(sampled),
            $"IWireMessage types without a sample: {string.Join(", ", wireTypes.Except(sampled).Select(t => t.Name))}");
        Assert.True(wireTypes.SetEquals(ProtocolSerializer.MessageTypes),
            $"IWireMessage types without a serializer case: {string.Join(", ", wireTypes.Except(ProtocolSerializer.MessageTypes).Select(t => t.Name))}");
    }

    [Fact]
    public void Every_message_round_trips_bit_for_bit_and_rewrites_to_the_same_bytes()
    {
        var serializer = Serializer;
        foreach (var message in WireSamples.All(CreateTestProbe().Ref, CreateTestProbe().Ref))
        {
            var manifest = serializer.Manifest(message);
            var bytes = serializer.ToBinary(message);
            var back = serializer.FromBinary(bytes, manifest);
            BitExact.Equal(message, back);
            Assert.Equal(bytes, serializer.ToBinary(back));
        }
        Assert.Same(LocateClient.Instance, serializer.FromBinary(serializer.ToBinary(LocateClient.Instance), "locate-client"));
    }

    [Fact]
    public void Actor_references_come_back_as_the_same_live_actors()
    {
        var serializer = Serializer;
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var ready = new ClientsReady(new Dictionary<string, IActorRef> { ["client-0"] = a.Ref, ["client-1"] = b.Ref });
        var back = Assert.IsType<ClientsReady>(serializer.FromBinary(serializer.ToBinary(ready), "clients-ready"));
        Assert.Equal(a.Ref, back.Clients["client-0"]);
        Assert.Equal(b.Ref, back.Clients["client-1"]);
        back.Clients["client-1"].Tell("hello");
        b.ExpectMsg("hello");
        Assert.False(a.HasMessages); // a Tell enqueues at once: a misrouted message would already be in a's mailbox
    }

    [Fact]
    public void Manifests_are_the_message_names_in_kebab_case_and_distinct()
    {
        var serializer = Serializer;
        foreach (var message in WireSamples.All(ActorRefs.Nobody, ActorRefs.Nobody))
        {
            var name = message.GetType().Name;
            var kebab = string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
            Assert.Equal(kebab, serializer.Manifest(message));
        }
        Assert.Equal(ProtocolSerializer.Manifests.Count, ProtocolSerializer.Manifests.Distinct().Count());
        Assert.Equal(472, serializer.Identifier);
    }

    [Fact]
    public void The_bytes_follow_the_documented_layout()
    {
        byte[] body =
        [
            7, 0, 0, 0, // Round
            2, 0, 0, 0, (byte)'a', (byte)'b', // ClientId: UTF-8 byte count, then the bytes
            2, 0, 0, 0, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x80, // Delta: count, then 1.0f and -0.0f as binary32 LE
            3, 0, 0, 0, // Samples
            0, 0, 0, 0, 0, 0, 0xE0, 0x3F, // TrainLoss 0.5 as binary64 LE
        ];
        byte[] expected = [1, (byte)body.Length, 0, 0, 0, .. body]; // version 1, body length (int32 LE), body
        Assert.Equal(expected, Serializer.ToBinary(new LocalUpdate(7, "ab", [1.0f, -0.0f], 3, 0.5)));

        // Dictionary entries in ordinal key order; UpdateEvidence's nullable fields as a presence byte and the value.
        byte[] a = [1, 0, 0, 0, (byte)'a', .. Zeros(16), /* KrumRank */ 1, 5, 0, 0, 0, /* Participants */ 2, 0, 0, 0, /* Invalid */ 0, /* TypicalCosine */ 0, /* CosineDeviation */ 0];
        byte[] b = [1, 0, 0, 0, (byte)'b', .. Zeros(16), /* KrumRank */ 0, /* Participants */ 2, 0, 0, 0, /* Invalid */ 1, /* TypicalCosine */ 1, 0, 0, 0, 0, 0, 0, 0xE0, 0x3F,
            /* CosineDeviation */ 1, 0, 0, 0, 0, 0, 0, 0x08, 0x40];
        byte[] evidence = [/* Round */ 1, 0, 0, 0, /* count */ 2, 0, 0, 0, .. a, .. b];
        expected = [1, (byte)evidence.Length, 0, 0, 0, .. evidence];
        Assert.Equal(expected, Serializer.ToBinary(new RecordEvidence(1, new Dictionary<string, UpdateEvidence>
        {
            ["b"] = new(0, 0, null, 2, true, 0.5, CosineDeviation: 3.0),
            ["a"] = new(0, 0, 5, 2),
        })));
    }

    [Fact]
    public void Equal_maps_give_equal_bytes_whatever_their_insertion_order()
    {
        var forward = new Dictionary<string, double>();
        var backward = new Dictionary<string, double>();
        var keys = Enumerable.Range(0, 50).Select(i => $"client-{i}").ToList();
        foreach (var k in keys) forward[k] = k.Length;
        foreach (var k in Enumerable.Reverse(keys)) backward[k] = k.Length;
        Assert.Equal(Serializer.ToBinary(new TrustScores(3, forward)), Serializer.ToBinary(new TrustScores(3, backward)));
    }

    [Fact]
    public void A_large_TrainRound_is_written_with_one_allocation_of_its_exact_size()
    {
        const int count = 1_200_000;
        var serializer = Serializer;
        var round = new TrainRound(5, WireSamples.Random(count, seed: 42));
        serializer.FromBinary(serializer.ToBinary(new TrainRound(1, [1f])), "train-round"); // warm up: static tables, JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        var bytes = serializer.ToBinary(round);
        var written = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ProtocolSerializer.HeaderSize + 4 + 4 + count * 4 + 1, bytes.Length); // … and the absent ClipNorm's presence byte
        // The array itself (with its object header and the allocator's rounding), and no second copy of 4.8 MB.
        Assert.InRange(written, bytes.Length, bytes.Length + 4096);

        before = GC.GetAllocatedBytesForCurrentThread();
        var back = Assert.IsType<TrainRound>(serializer.FromBinary(bytes, "train-round"));
        var read = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(read, count * 4L, count * 4L + 4096); // the float array and the record
        BitExact.Floats(round.GlobalWeights, back.GlobalWeights);
    }

    [Fact]
    public void The_actor_system_binds_every_wire_message_to_this_serializer()
    {
        foreach (var message in new IWireMessage[]
                 {
                     new LocalUpdate(1, "c", [1f], 1, 0), new TrainRound(1, []), LocateClient.Instance, new GetTrustScores(),
                     new ToClient("c", new TrainRound(1, [])), new RecordEvidence(1, new Dictionary<string, UpdateEvidence>()),
                 })
        {
            var found = Sys.Serialization.FindSerializerFor(message);
            Assert.IsType<ProtocolSerializer>(found);
            Assert.Equal(472, found.Identifier);
        }
    }

    // ---- Rejections: each is a SerializationException whose one line names the message and the problem ----

    [Fact]
    public void Every_truncation_of_a_LocalUpdate_payload_is_refused()
    {
        var bytes = Serializer.ToBinary(SampleUpdate());
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = Refused(bytes[..length], LocalUpdateManifest);
            Assert.Contains("truncated", e.Message);
            if (length < ProtocolSerializer.HeaderSize)
                Assert.Contains($"{length} bytes, shorter than the 5-byte header", e.Message);
            else
                Assert.Contains($"header says {bytes.Length - 5} bytes, got {length - 5}", e.Message);
        }
    }

    [Fact]
    public void A_byte_appended_to_a_payload_is_refused()
    {
        var bytes = Serializer.ToBinary(SampleUpdate());
        var e = Refused([.. bytes, 0], LocalUpdateManifest);
        Assert.Contains($"header says {bytes.Length - 5} bytes, got {bytes.Length - 4} (trailing bytes)", e.Message);
    }

    [Fact]
    public void A_header_length_that_disagrees_with_the_bytes_is_refused()
    {
        var bytes = Serializer.ToBinary(SampleUpdate());
        var body = bytes.Length - 5;
        foreach (var declared in new[] { body - 1, body + 1, 0, -1, int.MaxValue })
        {
            var e = Refused(WithInt32(bytes, 1, declared), LocalUpdateManifest);
            Assert.Contains($"header says {declared} bytes, got {body}", e.Message);
        }
    }

    [Fact]
    public void Bytes_left_after_the_last_field_are_refused_even_when_the_header_counts_them()
    {
        var bytes = Serializer.ToBinary(SampleUpdate());
        byte[] longer = [.. bytes, 0xAB, 0xCD];
        var e = Refused(WithInt32(longer, 1, longer.Length - 5), LocalUpdateManifest);
        Assert.Contains($"2 bytes left after the last field (offset {bytes.Length - 5} of {longer.Length - 5})", e.Message);
    }

    [Fact]
    public void Another_format_version_is_refused()
    {
        var bytes = Serializer.ToBinary(SampleUpdate());
        foreach (byte version in new byte[] { 0, 2, 255 })
        {
            bytes[0] = version;
            var e = Refused(bytes, LocalUpdateManifest);
            Assert.Contains($"format version {version}, this fedtrust reads version 1 only", e.Message);
        }
    }

    [Fact]
    public void An_unknown_manifest_is_refused_naming_every_manifest_this_version_reads()
    {
        var bytes = Serializer.ToBinary(SampleUpdate());
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "local-update.v2"));
        Assert.StartsWith("unknown fedtrust wire message 'local-update.v2': this fedtrust reads train-round, local-update, ", e.Message);
        Assert.All(ProtocolSerializer.Manifests, m => Assert.Contains(m, e.Message));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_float_count_or_a_string_length_that_runs_past_the_end_is_refused()
    {
        // LocalUpdate(7, "client-3", 16 floats, …): header 5, Round at 5, ClientId's length at 9, Delta's count at 21.
        var bytes = Serializer.ToBinary(SampleUpdate());
        Assert.Equal(16, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(21)));

        var e = Refused(WithInt32(bytes, 21, 20), LocalUpdateManifest);
        Assert.Contains("field Delta: 20 floats at offset 16 run past the end (76 bytes left)", e.Message);
        e = Refused(WithInt32(bytes, 21, int.MaxValue), LocalUpdateManifest);
        Assert.Contains($"field Delta: {int.MaxValue} floats at offset 16 run past the end (76 bytes left)", e.Message);
        e = Refused(WithInt32(bytes, 21, -1), LocalUpdateManifest);
        Assert.Contains("field Delta: count -1 at offset 16 is negative", e.Message);
        e = Refused(WithInt32(bytes, 9, 1000), LocalUpdateManifest);
        Assert.Contains("field ClientId: 1000 bytes at offset 4 run past the end (88 bytes left)", e.Message);
        // A count that still fits leaves the fields after it short, or bytes over: refused, never a partial update.
        e = Refused(WithInt32(bytes, 21, 17), LocalUpdateManifest);
        Assert.Contains("field TrainLoss: needs 8 bytes at offset 92, only 4 left (truncated)", e.Message);
        e = Refused(WithInt32(bytes, 21, 15), LocalUpdateManifest);
        Assert.Contains("4 bytes left after the last field (offset 92 of 96)", e.Message);
    }

    [Fact]
    public void An_undefined_UpdateFault_is_refused_on_both_sides()
    {
        var bytes = Serializer.ToBinary(new UpdateWithheld(2, "client-1", UpdateFault.NonFinite));
        var e = Refused(WithInt32(bytes, bytes.Length - 4, 7), "update-withheld");
        Assert.Contains("field Fault: 7 is not a defined UpdateFault (this fedtrust knows 0 WrongLength, 1 NonFinite, 2 NoSamples)", e.Message);

        var write = Assert.Throws<ArgumentException>(() => Serializer.ToBinary(new UpdateWithheld(2, "client-1", (UpdateFault)7)));
        Assert.Contains("cannot serialize UpdateWithheld: Fault = 7 is not a defined UpdateFault", write.Message);
    }

    [Fact]
    public void A_ToClient_whose_nested_message_is_unknown_or_damaged_is_refused()
    {
        var bytes = Serializer.ToBinary(new ToClient("client-3", LocateClient.Instance));
        var at = IndexOf(bytes, "locate-client"u8);
        bytes[at + "locate-client".Length - 1] = (byte)'X';
        var e = Refused(bytes, "to-client");
        Assert.StartsWith("fedtrust wire message 'to-client': unknown nested fedtrust wire message 'locate-clienX': this fedtrust reads train-round, ", e.Message);

        // ToClient("client-3", TrainRound(2, 16 floats)): outer header 5, ClientId 12, manifest "train-round" 15, then the
        // nested payload: version at 32, body length at 33, Round at 37, the float count at 41.
        var train = Serializer.ToBinary(new ToClient("client-3", new TrainRound(2, WireSamples.EdgeFloats)));
        Assert.Equal(16, BinaryPrimitives.ReadInt32LittleEndian(train.AsSpan(41)));
        e = Refused(WithInt32(train, 41, 15), "to-client");
        // One float fewer: the reader meets the 16th float's first byte where TrainRound's ClipNorm presence flag belongs.
        Assert.Equal("fedtrust wire message 'to-client' (nested 'train-round'): field ClipNorm (presence): flag byte 21 at offset 68 is neither 0 nor 1", e.Message);
        e = Refused(WithInt32(train, 33, 71), "to-client");
        Assert.Equal("fedtrust wire message 'to-client' (nested 'train-round'): header says 71 bytes, got 73 (trailing bytes)", e.Message);
        e = Refused(train[..^1], "to-client");
        Assert.Contains("fedtrust wire message 'to-client': header says", e.Message);
    }

    [Fact]
    public void A_ToClient_inside_a_ToClient_is_refused_on_both_sides()
    {
        var inner = Serializer.ToBinary(new ToClient("client-3", LocateClient.Instance));
        // Hand-built: ClientId "c", nested manifest "to-client", then a whole to-client payload.
        var body = new List<byte>();
        AddString(body, "c");
        AddString(body, "to-client");
        body.AddRange(inner);
        byte[] payload = [1, .. BitConverter.GetBytes(body.Count), .. body];
        var e = Refused(payload, "to-client");
        Assert.Contains("a to-client message cannot carry another to-client", e.Message);

        var write = Assert.Throws<ArgumentException>(() => Serializer.ToBinary(new ToClient("c", new ToClient("d", LocateClient.Instance))));
        Assert.Contains("cannot serialize ToClient: its Message is another ToClient", write.Message);
    }

    [Fact]
    public void Corrupt_flags_utf8_and_repeated_or_unordered_keys_are_refused()
    {
        var evidence = new RecordEvidence(1, new Dictionary<string, UpdateEvidence> { ["a"] = new(0, 0, null, 2, true) });
        var bytes = Serializer.ToBinary(evidence);
        // Header 5, Round 4, count 4, key length 4 + "a", Cosine 8, NormDeviation 8: KrumRank's presence byte at 34.
        Assert.Equal(0, bytes[34]);
        bytes[34] = 2;
        var e = Refused(bytes, "record-evidence");
        Assert.Contains("field Evidence[a].KrumRank (presence): flag byte 2 at offset 29 is neither 0 nor 1", e.Message);

        var failed = Serializer.ToBinary(new RunFailed("ok"));
        failed[^1] = 0xFF;
        e = Refused(failed, "run-failed");
        Assert.Contains("field Reason: its 2 bytes are not valid UTF-8", e.Message);

        var twice = Serializer.ToBinary(new TrustScores(1, new Dictionary<string, double> { ["a"] = 1, ["b"] = 2 }));
        twice[IndexOf(twice, "b"u8)] = (byte)'a';
        e = Refused(twice, "trust-scores");
        Assert.Contains("field Scores: key 'a' appears twice", e.Message);

        var swapped = Serializer.ToBinary(new TrustScores(1, new Dictionary<string, double> { ["a"] = 1, ["c"] = 2 }));
        swapped[IndexOf(swapped, "a"u8)] = (byte)'d';
        e = Refused(swapped, "trust-scores");
        Assert.Contains("field Scores: key 'c' after 'd' is out of ordinal order", e.Message);
    }

    [Fact]
    public void Writing_anything_but_a_whole_wire_message_is_refused_naming_the_type()
    {
        var e = Assert.Throws<ArgumentException>(() => Serializer.ToBinary("a string"));
        Assert.Contains("cannot serialize System.String: it is not an IWireMessage", e.Message);
        e = Assert.Throws<ArgumentException>(() => Serializer.Manifest(new TrustChanged(1, "c", 1, 1, 1, "unchanged")));
        Assert.Contains($"cannot serialize {typeof(TrustChanged).FullName}: it is not an IWireMessage", e.Message);
        e = Assert.Throws<ArgumentException>(() => Serializer.ToBinary(new LocalUpdate(1, null!, [], 1, 0)));
        Assert.Contains("cannot serialize LocalUpdate: ClientId is null", e.Message);
        e = Assert.Throws<ArgumentException>(() => Serializer.ToBinary(new TrainRound(1, null!)));
        Assert.Contains("cannot serialize TrainRound: GlobalWeights is null", e.Message);
        e = Assert.Throws<ArgumentException>(() => Serializer.ToBinary(new ClientLocated("client-\uD800")));
        Assert.Contains("cannot serialize ClientLocated: ClientId is not valid Unicode", e.Message);
    }

    // ---- helpers ----

    private static byte[] Zeros(int count) => new byte[count];

    private static LocalUpdate SampleUpdate() => new(7, "client-3", WireSamples.EdgeFloats, 600, 0.25);

    private SerializationException Refused(byte[] bytes, string manifest)
    {
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, manifest));
        Assert.StartsWith($"fedtrust wire message '{manifest}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    private static byte[] WithInt32(byte[] bytes, int offset, int value)
    {
        var copy = bytes.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> what)
    {
        var at = bytes.AsSpan().IndexOf(what);
        Assert.True(at >= 0, $"'{Encoding.UTF8.GetString(what)}' not found in the payload");
        return at;
    }

    private static void AddString(List<byte> body, string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        body.AddRange(BitConverter.GetBytes(utf8.Length));
        body.AddRange(utf8);
    }
}
