using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Defenses;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;

namespace FedTrust.Actors.Serialization;

/// <summary>
/// The wire format of every message that may cross between nodes (every <see cref="IWireMessage"/>): compact,
/// bit-exact binary under a short manifest per message type ("train-round", "local-update", …), bound to
/// <see cref="IWireMessage"/> in hocon/fedtrust.conf.
/// <para>
/// A payload is a 5-byte header, then the body: <c>[byte format version = 1][int32 body length][body]</c>. The body
/// is the message's fields in declaration order, each as: int32 — 4 bytes little-endian; double — IEEE-754 binary64,
/// 8 bytes little-endian; bool — 1 byte, 0 or 1; int? and double? — a presence byte (0 or 1), then the value if 1;
/// an enum — its int32 value; string — int32 UTF-8 byte count, then the bytes; float[] — int32 count, then count ×
/// IEEE-754 binary32 little-endian (NaN payloads, −0 and subnormals cross bit for bit); a list — int32 count, then the
/// items; a dictionary — int32 count, then (key, value) pairs in ordinal key order, so equal messages give equal
/// bytes; an actor reference — its full path with uid as a string, resolved by the receiving node; an
/// <see cref="UpdateEvidence"/> — Cosine, NormDeviation, KrumRank (int?), Participants, Invalid, TypicalCosine
/// (double?), CosineDeviation (double?). <see cref="ToClient"/> carries its message as the inner manifest (a string), then the inner message's
/// own whole payload (header and body), which ends the body.
/// </para>
/// <para>
/// A payload is written with one allocation of its exact size (the body is measured first, arrays are copied in
/// bulk). Reading checks everything before it allocates: a payload shorter than the header, another format version,
/// a body length that differs from the bytes received, a field that runs past the end, a negative count, an invalid
/// flag byte or UTF-8, dictionary keys out of order or repeated, an undefined enum value, trailing bytes or an unknown
/// manifest (top-level or nested) each throw <see cref="SerializationException"/> with one line naming the message and
/// the problem; never a partial message. So every message has exactly one encoding: what is read writes back the same. Writing a message that is not an <see cref="IWireMessage"/>, or that holds a null or invalid Unicode,
/// throws <see cref="ArgumentException"/> naming the type.
/// </para>
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The format version every payload starts with; a payload of any other version is refused.</summary>
    public const byte FormatVersion = 1;

    /// <summary>The header's size: the version byte and the int32 body length.</summary>
    public const int HeaderSize = 5;

    private static readonly WireCase[] Cases =
    [
        // The round protocol.
        WireCase.Of<TrainRound>("train-round",
            static (ref WireWriter w, TrainRound m) =>
            {
                w.Int32(m.Round);
                w.Floats(m.GlobalWeights, nameof(m.GlobalWeights));
                w.NullableDouble(m.ClipNorm);
            },
            static (ref WireReader r) => new TrainRound(r.Int32(nameof(TrainRound.Round)), r.Floats(nameof(TrainRound.GlobalWeights)),
                r.NullableDouble(nameof(TrainRound.ClipNorm)))),
        WireCase.Of<LocalUpdate>("local-update",
            static (ref WireWriter w, LocalUpdate m) =>
            {
                w.Int32(m.Round);
                w.String(m.ClientId, nameof(m.ClientId));
                w.Floats(m.Delta, nameof(m.Delta));
                w.Int32(m.Samples);
                w.Double(m.TrainLoss);
            },
            static (ref WireReader r) => new LocalUpdate(r.Int32(nameof(LocalUpdate.Round)), r.String(nameof(LocalUpdate.ClientId)),
                r.Floats(nameof(LocalUpdate.Delta)), r.Int32(nameof(LocalUpdate.Samples)), r.Double(nameof(LocalUpdate.TrainLoss)))),
        WireCase.Of<UpdateWithheld>("update-withheld",
            static (ref WireWriter w, UpdateWithheld m) =>
            {
                w.Int32(m.Round);
                w.String(m.ClientId, nameof(m.ClientId));
                w.Enum(m.Fault, nameof(m.Fault));
            },
            static (ref WireReader r) => new UpdateWithheld(r.Int32(nameof(UpdateWithheld.Round)), r.String(nameof(UpdateWithheld.ClientId)),
                r.Enum<UpdateFault>(nameof(UpdateWithheld.Fault)))),
        WireCase.Of<CoalitionReport>("coalition-report",
            static (ref WireWriter w, CoalitionReport m) =>
            {
                w.Int32(m.Round);
                w.String(m.ClientId, nameof(m.ClientId));
                w.Floats(m.Delta, nameof(m.Delta));
                w.Int32(m.Samples);
            },
            static (ref WireReader r) => new CoalitionReport(r.Int32(nameof(CoalitionReport.Round)), r.String(nameof(CoalitionReport.ClientId)),
                r.Floats(nameof(CoalitionReport.Delta)), r.Int32(nameof(CoalitionReport.Samples)))),
        WireCase.Of<CraftedUpdate>("crafted-update",
            static (ref WireWriter w, CraftedUpdate m) =>
            {
                w.Int32(m.Round);
                w.Floats(m.Delta, nameof(m.Delta));
            },
            static (ref WireReader r) => new CraftedUpdate(r.Int32(nameof(CraftedUpdate.Round)), r.Floats(nameof(CraftedUpdate.Delta)))),
        WireCase.Of<EvaluateLocal>("evaluate-local",
            static (ref WireWriter w, EvaluateLocal m) => w.Floats(m.Weights, nameof(m.Weights)),
            static (ref WireReader r) => new EvaluateLocal(r.Floats(nameof(EvaluateLocal.Weights)))),
        WireCase.Of<LocalEvaluation>("local-evaluation",
            static (ref WireWriter w, LocalEvaluation m) =>
            {
                w.String(m.ClientId, nameof(m.ClientId));
                w.Double(m.Accuracy);
                w.Int32(m.Samples);
            },
            static (ref WireReader r) => new LocalEvaluation(r.String(nameof(LocalEvaluation.ClientId)),
                r.Double(nameof(LocalEvaluation.Accuracy)), r.Int32(nameof(LocalEvaluation.Samples)))),
        WireCase.Of<ClientsReady>("clients-ready",
            static (ref WireWriter w, ClientsReady m) =>
                w.Map(m.Clients, nameof(m.Clients), static (ref WireWriter w, IActorRef client) => w.ActorRef(client, nameof(ClientsReady.Clients))),
            static (ref WireReader r) => new ClientsReady(
                r.Map(nameof(ClientsReady.Clients), sizeof(int), static (ref WireReader r, string field) => r.ActorRef(field)))),
        WireCase.Of<RunFailed>("run-failed",
            static (ref WireWriter w, RunFailed m) => w.String(m.Reason, nameof(m.Reason)),
            static (ref WireReader r) => new RunFailed(r.String(nameof(RunFailed.Reason)))),

        // The trust protocol.
        WireCase.Of<RecordEvidence>("record-evidence",
            static (ref WireWriter w, RecordEvidence m) =>
            {
                w.Int32(m.Round);
                w.Map(m.Evidence, nameof(m.Evidence), WriteEvidence);
            },
            static (ref WireReader r) => new RecordEvidence(r.Int32(nameof(RecordEvidence.Round)),
                r.Map(nameof(RecordEvidence.Evidence), EvidenceMinBytes, ReadEvidence))),
        WireCase.Of<TrustUpdated>("trust-updated",
            static (ref WireWriter w, TrustUpdated m) =>
            {
                w.Int32(m.Round);
                w.Map(m.Scores, nameof(m.Scores), static (ref WireWriter w, double score) => w.Double(score));
                w.List(m.Excluded, nameof(m.Excluded));
            },
            static (ref WireReader r) => new TrustUpdated(r.Int32(nameof(TrustUpdated.Round)),
                r.Map(nameof(TrustUpdated.Scores), sizeof(double), static (ref WireReader r, string field) => r.Double(field)),
                r.List(nameof(TrustUpdated.Excluded)))),
        WireCase.Of<GetTrustScores>("get-trust-scores",
            static (ref WireWriter _, GetTrustScores _) => { },
            static (ref WireReader _) => new GetTrustScores()),
        WireCase.Of<TrustScores>("trust-scores",
            static (ref WireWriter w, TrustScores m) =>
            {
                w.Int32(m.Round);
                w.Map(m.Scores, nameof(m.Scores), static (ref WireWriter w, double score) => w.Double(score));
            },
            static (ref WireReader r) => new TrustScores(r.Int32(nameof(TrustScores.Round)),
                r.Map(nameof(TrustScores.Scores), sizeof(double), static (ref WireReader r, string field) => r.Double(field)))),
        WireCase.Of<TrustLedgerFailed>("trust-ledger-failed",
            static (ref WireWriter w, TrustLedgerFailed m) =>
            {
                w.String(m.What, nameof(m.What));
                w.String(m.Reason, nameof(m.Reason));
            },
            static (ref WireReader r) => new TrustLedgerFailed(r.String(nameof(TrustLedgerFailed.What)), r.String(nameof(TrustLedgerFailed.Reason)))),

        // The cluster protocol.
        WireCase.Of<ToClient>("to-client",
            static (ref WireWriter w, ToClient m) =>
            {
                w.String(m.ClientId, nameof(m.ClientId));
                WriteNested(ref w, m.Message);
            },
            static (ref WireReader r) => new ToClient(r.String(nameof(ToClient.ClientId)), ReadNested(ref r))),
        WireCase.Of<LocateClient>("locate-client",
            static (ref WireWriter _, LocateClient _) => { },
            static (ref WireReader _) => LocateClient.Instance),
        WireCase.Of<ClientLocated>("client-located",
            static (ref WireWriter w, ClientLocated m) => w.String(m.ClientId, nameof(m.ClientId)),
            static (ref WireReader r) => new ClientLocated(r.String(nameof(ClientLocated.ClientId)))),
        WireCase.Of<ClientStopped>("client-stopped",
            static (ref WireWriter w, ClientStopped m) =>
            {
                w.String(m.ClientId, nameof(m.ClientId));
                w.String(m.Reason, nameof(m.Reason));
            },
            static (ref WireReader r) => new ClientStopped(r.String(nameof(ClientStopped.ClientId)), r.String(nameof(ClientStopped.Reason)))),
        WireCase.Of<PrepareRun>("prepare-run",
            static (ref WireWriter w, PrepareRun m) =>
            {
                w.String(m.RunId, nameof(m.RunId));
                w.String(m.Settings, nameof(m.Settings));
            },
            static (ref WireReader r) => new PrepareRun(r.String(nameof(PrepareRun.RunId)), r.String(nameof(PrepareRun.Settings)))),
        WireCase.Of<WorkerReady>("worker-ready",
            static (ref WireWriter w, WorkerReady m) =>
            {
                w.String(m.RunId, nameof(m.RunId));
                w.Int32(m.ParameterCount);
                w.String(m.Build, nameof(m.Build));
                w.String(m.Data, nameof(m.Data));
            },
            static (ref WireReader r) => new WorkerReady(r.String(nameof(WorkerReady.RunId)), r.Int32(nameof(WorkerReady.ParameterCount)),
                r.String(nameof(WorkerReady.Build)), r.String(nameof(WorkerReady.Data)))),
        WireCase.Of<WorkerFailed>("worker-failed",
            static (ref WireWriter w, WorkerFailed m) =>
            {
                w.String(m.RunId, nameof(m.RunId));
                w.String(m.Reason, nameof(m.Reason));
            },
            static (ref WireReader r) => new WorkerFailed(r.String(nameof(WorkerFailed.RunId)), r.String(nameof(WorkerFailed.Reason)))),
        WireCase.Of<EndRun>("end-run",
            static (ref WireWriter w, EndRun m) =>
            {
                w.String(m.RunId, nameof(m.RunId));
                w.String(m.Failure, nameof(m.Failure));
            },
            static (ref WireReader r) => new EndRun(r.String(nameof(EndRun.RunId)), r.String(nameof(EndRun.Failure)))),
    ];

    // Cosine, NormDeviation, KrumRank's presence byte, Participants, Invalid, TypicalCosine's presence byte.
    private const int EvidenceMinBytes = 8 + 8 + 1 + 4 + 1 + 1 + 1;

    private static readonly Dictionary<Type, WireCase> ByType = Cases.ToDictionary(c => c.Type);
    private static readonly Dictionary<string, WireCase> ByManifest = Cases.ToDictionary(c => c.Manifest, StringComparer.Ordinal);

    /// <summary>Every manifest this version reads, in the order of the protocol files.</summary>
    public static IReadOnlyList<string> Manifests { get; } = Cases.Select(c => c.Manifest).ToArray();

    /// <summary>Every message type this version writes.</summary>
    public static IReadOnlyCollection<Type> MessageTypes { get; } = ByType.Keys;

    public override int Identifier => 472;

    public override string Manifest(object o) => CaseOf(o).Manifest;

    public override byte[] ToBinary(object obj)
    {
        var wireCase = CaseOf(obj);
        var message = (IWireMessage)obj;
        var size = WireWriter.Measure(wireCase.Type.Name);
        WritePayload(ref size, wireCase, message);
        var bytes = GC.AllocateUninitializedArray<byte>(size.Position);
        var writer = WireWriter.Into(bytes, wireCase.Type.Name);
        WritePayload(ref writer, wireCase, message);
        writer.Finish();
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest) =>
        ReadPayload(bytes, manifest, $"fedtrust wire message '{manifest}'", outer: null, system);

    private static WireCase CaseOf(object? message) => message switch
    {
        null => throw new ArgumentNullException(nameof(message), $"{nameof(ProtocolSerializer)} cannot serialize null"),
        _ when ByType.TryGetValue(message.GetType(), out var wireCase) => wireCase,
        IWireMessage => throw new ArgumentException(
            $"{nameof(ProtocolSerializer)} cannot serialize {message.GetType().FullName}: it is an IWireMessage without a case in {nameof(ProtocolSerializer)}",
            nameof(message)),
        _ => throw new ArgumentException(
            $"{nameof(ProtocolSerializer)} cannot serialize {message.GetType().FullName}: it is not an IWireMessage", nameof(message)),
    };

    /// <summary>The header (version, body length measured first), then the body.</summary>
    private static void WritePayload(ref WireWriter writer, WireCase wireCase, IWireMessage message)
    {
        var body = WireWriter.Measure(wireCase.Type.Name);
        wireCase.Write(ref body, message);
        writer.Byte(FormatVersion);
        writer.Int32(body.Position);
        wireCase.Write(ref writer, message);
    }

    /// <summary>
    /// Checks the header against the bytes received, then reads the body, which must be consumed exactly.
    /// <paramref name="subject"/> names the message in errors; <paramref name="outer"/> names the enclosing message
    /// when this payload is nested in one.
    /// </summary>
    private static IWireMessage ReadPayload(ReadOnlySpan<byte> payload, string manifest, string subject, string? outer, ExtendedActorSystem system)
    {
        if (!ByManifest.TryGetValue(manifest, out var wireCase))
            throw new SerializationException(outer is null
                ? $"unknown fedtrust wire message '{manifest}': this fedtrust reads {string.Join(", ", Manifests)} (was it sent by a newer version?)"
                : $"{outer}: unknown nested fedtrust wire message '{manifest}': this fedtrust reads {string.Join(", ", Manifests)}");
        if (payload.Length < HeaderSize)
            throw new SerializationException($"{subject}: {payload.Length} bytes, shorter than the {HeaderSize}-byte header (truncated)");
        if (payload[0] != FormatVersion)
            throw new SerializationException($"{subject}: format version {payload[0]}, this fedtrust reads version {FormatVersion} only");
        var declared = BinaryPrimitives.ReadInt32LittleEndian(payload[1..]);
        var received = payload.Length - HeaderSize;
        if (declared != received)
            throw new SerializationException(
                $"{subject}: header says {declared} bytes, got {received} ({(declared > received ? "truncated" : "trailing bytes")})");
        var reader = new WireReader(payload[HeaderSize..], subject, system);
        var message = wireCase.Read(ref reader);
        reader.End();
        return message;
    }

    /// <summary>A nested message: its manifest, then its whole payload to the end of the enclosing body.</summary>
    private static void WriteNested(ref WireWriter writer, IWireMessage? message)
    {
        var wireCase = message switch
        {
            null => throw new ArgumentException($"{nameof(ProtocolSerializer)} cannot serialize ToClient: Message is null"),
            ToClient => throw new ArgumentException($"{nameof(ProtocolSerializer)} cannot serialize ToClient: its Message is another ToClient"),
            _ => CaseOf(message),
        };
        writer.String(wireCase.Manifest, "Message manifest");
        WritePayload(ref writer, wireCase, message);
    }

    /// <summary>Reads what <see cref="WriteNested"/> wrote; a ToClient inside a ToClient is refused (no unbounded nesting).</summary>
    private static IWireMessage ReadNested(ref WireReader reader)
    {
        var manifest = reader.String("Message manifest");
        if (ByManifest.TryGetValue(manifest, out var nested) && nested.Type == typeof(ToClient))
            throw reader.Fail($"a {manifest} message cannot carry another {manifest}");
        return ReadPayload(reader.Rest(), manifest, $"{reader.Subject} (nested '{manifest}')", reader.Subject, reader.System);
    }

    private static void WriteEvidence(ref WireWriter w, UpdateEvidence e)
    {
        w.Double(e.Cosine);
        w.Double(e.NormDeviation);
        w.NullableInt32(e.KrumRank);
        w.Int32(e.Participants);
        w.Bool(e.Invalid);
        w.NullableDouble(e.TypicalCosine);
        w.NullableDouble(e.CosineDeviation);
    }

    private static UpdateEvidence ReadEvidence(ref WireReader r, string field) => new(
        r.Double($"{field}.{nameof(UpdateEvidence.Cosine)}"),
        r.Double($"{field}.{nameof(UpdateEvidence.NormDeviation)}"),
        r.NullableInt32($"{field}.{nameof(UpdateEvidence.KrumRank)}"),
        r.Int32($"{field}.{nameof(UpdateEvidence.Participants)}"),
        r.Bool($"{field}.{nameof(UpdateEvidence.Invalid)}"),
        r.NullableDouble($"{field}.{nameof(UpdateEvidence.TypicalCosine)}"),
        r.NullableDouble($"{field}.{nameof(UpdateEvidence.CosineDeviation)}"));
}
