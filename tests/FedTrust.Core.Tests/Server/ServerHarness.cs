using FedTrust.Core.Attacks;
using FedTrust.Core.Defenses;
using FedTrust.Core.Learning;
using FedTrust.Core.Metrics;
using FedTrust.Core.Results;
using FedTrust.Core.Server;
using FedTrust.Core.Settings;
using FedTrust.Core.Trust;

namespace FedTrust.Core.Tests.Server;

/// <summary>A run's settings for the server machine's tests: small, without data, every other key at its default.</summary>
internal static class ServerSettings
{
    public static ExperimentSettings For(string defense, int clients = 4, int rounds = 3, int krumF = 1, int minUpdates = 1) => new()
    {
        Data = new DataSettings("", "", "", [], TimeSpan.FromSeconds(1)),
        Clients = clients,
        Rounds = rounds,
        LocalEpochs = 1,
        BatchSize = 16,
        LearningRate = 0.1,
        Momentum = 0,
        Model = "mlp",
        Seed = 42,
        Defense = DefenseSettings.Parse(defense),
        Attack = new AttackSettings(AttackKind.None, 1, 0, LabelMapping.Shift(), 0),
        Krum = new KrumSettings(krumF, null),
        Dp = new DpSettings(double.PositiveInfinity, 1e-5, 1),
        Trust = new TrustSettings(),
        Persistence = new PersistenceSettings("memory", "", "", 0),
        Trainers = 1,
        TorchThreads = 1,
        RoundTimeout = TimeSpan.FromSeconds(30),
        MinUpdates = minUpdates,
        ClientMaxRestarts = 0,
    };

    public static IReadOnlyList<ClientData> Clients(int count) =>
        Enumerable.Range(0, count).Select(i => new ClientData(ExperimentSettings.ClientId(i), i, new int[10 + i], new long[10 + i], [])).ToList();
}

/// <summary>
/// A tiny deterministic workload: the global model's "accuracy" falls with its norm, its loss is the sum of its weights
/// (NaN once a weight exceeds <see cref="DivergeAbove"/>), FLTrust's root update is a fixed vector.
/// </summary>
internal sealed class FakeWorkload(int parameters = 4) : IClientWorkload
{
    public float DivergeAbove { get; init; } = float.PositiveInfinity;
    public int Evaluations { get; private set; }

    public int ParameterCount => parameters;

    public LocalTrainingResult Train(ClientData client, int round, float[] globalWeights) =>
        new(Enumerable.Repeat(0.01f * round, parameters).ToArray(), client.TrainIndices.Length, 0);

    public EvaluationResult EvaluateLocal(ClientData client, float[] weights) => throw new InvalidOperationException("the server never evaluates locally");

    public EvaluationResult EvaluateGlobal(float[] weights)
    {
        Evaluations++;
        var matrix = new ConfusionMatrix(2);
        var right = 1 + (int)Math.Min(50, Math.Abs(weights.Sum()) * 10);
        for (var i = 0; i < right; i++) matrix.Add(0, 0);
        matrix.Add(1, 0);
        return new EvaluationResult(matrix, weights.Any(w => w > DivergeAbove) ? double.NaN : weights.Sum());
    }

    public double AttackSuccessRate(float[] weights, int targetClass) => 0;
}

/// <summary>Gauges fixed by the test.</summary>
internal sealed class FixedGauges : IServerGauges
{
    public double RoundSeconds => 1.5;
    public long RssBytes => 1000;
    public long PeakRssBytes => 2000;
}

/// <summary>
/// Plays the clients, the trust ledger and the timer for a <see cref="ServerRound"/>: each Train decision is answered by
/// every drawn client with <see cref="Delta"/>, each RecordEvidence by <see cref="Scores"/>, each EvaluateLocally by
/// every client; every decision is kept, in order.
/// </summary>
internal sealed class ServerHarness
{
    public ServerHarness(ServerRound server) => Server = server;

    public ServerRound Server { get; }
    public List<ServerDecision> Decisions { get; } = [];

    /// <summary>What a client sends for a round (null: it does not answer).</summary>
    public Func<string, int, float[]?> Delta { get; init; } = (id, round) => [0.1f, -0.1f, 0.05f * (id.Length % 3), 0.2f];

    /// <summary>What the ledger answers for a round's evidence.</summary>
    public Func<int, IReadOnlyDictionary<string, UpdateEvidence>, IReadOnlyDictionary<string, double>> Scores { get; init; } =
        (_, evidence) => evidence.ToDictionary(kv => kv.Key, kv => kv.Value.Invalid ? 0.6 : 1.0);

    /// <summary>
    /// Each round's checkpoint as it stood when the round finished: a copy, since a checkpoint refers to the machine's
    /// state (FoolsGold's histories), which the next round changes; the actor writes it before the next input.
    /// </summary>
    public List<RunCheckpoint> Checkpoints { get; } = [];

    public IEnumerable<T> Of<T>() where T : ServerDecision => Decisions.OfType<T>();
    public IEnumerable<string> Warnings => Of<ServerDecision.Warn>().Select(w => string.Format(w.Format, w.Args));
    public IReadOnlyList<RoundResult> Rounds => Of<ServerDecision.RoundFinished>().Select(f => f.Result).ToList();

    /// <summary>Starts the run with <paramref name="clients"/> and answers until the machine needs an input the harness does not give.</summary>
    public ServerHarness Run(IEnumerable<string> clients) => Play(Server.Start(clients));

    /// <summary>Carries on from <paramref name="decisions"/>, answering as the clients and the ledger would.</summary>
    public ServerHarness Play(IReadOnlyList<ServerDecision> decisions)
    {
        var pending = new Queue<ServerDecision>(decisions);
        while (pending.TryDequeue(out var decision))
        {
            Decisions.Add(decision);
            if (decision is ServerDecision.RoundFinished { Checkpoint: var c })
                Checkpoints.Add(c with
                {
                    GlobalWeights = c.GlobalWeights.ToArray(),
                    PreviousAggregate = c.PreviousAggregate?.ToArray(),
                    Histories = c.Histories?.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()),
                    RuleNumbers = c.RuleNumbers?.ToDictionary(),
                });
            IEnumerable<IReadOnlyList<ServerDecision>> answers = decision switch
            {
                ServerDecision.Train t => t.Clients.Select(id => (id, delta: Delta(id, t.Round)))
                    .Where(a => a.delta is not null).Select(a => Server.Update(t.Round, a.id, a.delta!, 10)).ToList(),
                ServerDecision.RecordEvidence e => [Server.TrustScores(e.Round, Scores(e.Round, e.Evidence))],
                ServerDecision.EvaluateLocally l => l.Clients.Select(id => Server.LocalEvaluation(id, 0.5, 7)).ToList(),
                _ => [],
            };
            foreach (var answer in answers)
            foreach (var next in answer)
                pending.Enqueue(next);
        }
        return this;
    }

    public SimulationResult Result => Of<ServerDecision.Complete>().Single().Result;
}
