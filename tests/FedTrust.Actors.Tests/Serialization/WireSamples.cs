using Akka.Actor;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Defenses;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;

namespace FedTrust.Actors.Tests.Serialization;

/// <summary>Messages and values that a lossy wire format would change: the wire tests' inputs.</summary>
internal static class WireSamples
{
    /// <summary>
    /// Floats whose bits matter: quiet and signalling NaNs with payloads and a negative NaN, −0, ±∞, the smallest and
    /// largest subnormals (both signs), the extremes, and ordinary values.
    /// </summary>
    public static float[] EdgeFloats =>
    [
        BitConverter.Int32BitsToSingle(0x7FC12345), BitConverter.Int32BitsToSingle(0x7F800001), BitConverter.Int32BitsToSingle(unchecked((int)0xFFFFFFFF)),
        -0.0f, 0.0f, float.PositiveInfinity, float.NegativeInfinity,
        float.Epsilon, BitConverter.Int32BitsToSingle(0x007FFFFF), BitConverter.Int32BitsToSingle(unchecked((int)0x80000001)),
        float.MaxValue, float.MinValue, 1.0f, -1.5f, 0.1f, 3.4e-38f,
    ];

    /// <summary>A quiet NaN with a payload: double.NaN's bits would differ.</summary>
    public static double NaNWithPayload => BitConverter.Int64BitsToDouble(0x7FF8_0000_DEAD_BEEF);

    /// <summary>
    /// <paramref name="count"/> floats from a seeded generator in [−1, 1), with about one in ten thousand replaced by
    /// a NaN carrying its index as payload (quiet, signalling and negative in turn) and the edge values at the start.
    /// </summary>
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
            values[i] = (i % 9973) switch
            {
                1 => BitConverter.Int32BitsToSingle(0x7FC00000 | (i & 0x3FFFFF)),
                2 => BitConverter.Int32BitsToSingle(0x7F800000 | ((i & 0x3FFFFF) | 1)),
                3 => BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00000) | (i & 0x3FFFFF)),
                _ => random.NextSingle() * 2 - 1,
            };
        EdgeFloats.AsSpan(0, Math.Min(count, EdgeFloats.Length)).CopyTo(values);
        return values;
    }

    /// <summary>At least one message of every IWireMessage type, with edge values; <paramref name="a"/> and <paramref name="b"/> are live actors.</summary>
    public static IWireMessage[] All(IActorRef a, IActorRef b) =>
    [
        new TrainRound(3, EdgeFloats),
        new TrainRound(0, []),
        new LocalUpdate(7, "client-3", EdgeFloats, 600, NaNWithPayload),
        new LocalUpdate(int.MinValue, "клиент-7 😀", [], 0, -0.0),
        new UpdateWithheld(2, "client-1", UpdateFault.NonFinite),
        new UpdateWithheld(2, "client-2", UpdateFault.WrongLength),
        new UpdateWithheld(2, "client-3", UpdateFault.NoSamples),
        new EvaluateLocal(EdgeFloats),
        new CoalitionReport(4, "client-9", EdgeFloats, 4285),
        new CoalitionReport(0, "", [], 0),
        new CraftedUpdate(4, EdgeFloats),
        new CraftedUpdate(int.MaxValue, []),
        new LocalEvaluation("client-0", 0.9816, 1000),
        new ClientsReady(new Dictionary<string, IActorRef> { ["client-1"] = b, ["client-0"] = a }),
        new ClientsReady(new Dictionary<string, IActorRef>()),
        new RunFailed("round 5: 0 valid updates, fewer than fedtrust.min-updates = 1"),
        new RecordEvidence(4, new Dictionary<string, UpdateEvidence>
        {
            ["client-1"] = new(-0.0, double.PositiveInfinity, null, 10, true, null),
            ["client-0"] = new(0.9, 0.1, 0, 10, false, 0.3, CosineDeviation: 2.5),
            ["client-3"] = new(0.1, 0, 1, 10, false, 0.3, CosineDeviation: double.PositiveInfinity),
            ["client-2"] = new(NaNWithPayload, double.Epsilon, int.MaxValue, int.MinValue, false, -0.0),
            [""] = new(-1, 0, -1, 0),
        }),
        new TrustUpdated(4, new Dictionary<string, double> { ["client-1"] = 0.36, ["client-0"] = 1.0, ["client-2"] = -0.0 }, ["client-2", "client-1"]),
        new TrustUpdated(1, new Dictionary<string, double>(), []),
        new GetTrustScores(),
        new TrustScores(0, new Dictionary<string, double>()),
        new TrustScores(9, new Dictionary<string, double> { ["client-0"] = double.NegativeInfinity, ["a"] = NaNWithPayload }),
        new TrustLedgerFailed("recovering", "database disk image is malformed"),
        new ToClient("client-2", new TrainRound(2, EdgeFloats)),
        new ToClient("client-3", LocateClient.Instance),
        new ToClient("client-4", new EvaluateLocal([])),
        LocateClient.Instance,
        new ClientLocated("client-5"),
        new ClientStopped("client-6", "failed 4 times, more than fedtrust.client-max-restarts = 3"),
        new PrepareRun("20261125095904-42-0e563e", """{"clients":10,"model":"mlp","attack":{"kind":"none"}}"""),
        new WorkerReady("20261125095904-42-0e563e", 159010),
        new WorkerFailed("20261125095904-42-0e563e", "/data/mnist is missing"),
        new EndRun(""),
    ];
}
