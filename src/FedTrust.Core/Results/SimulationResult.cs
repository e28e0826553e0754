using FedTrust.Core.Metrics;

namespace FedTrust.Core.Results;

/// <summary>One closed round: the global model's metrics on the 10,000 test images after aggregation.</summary>
public sealed record RoundResult(
    int Round,
    ClassificationMetrics Metrics,
    double Loss,
    double Seconds,
    IReadOnlyList<string> Participants,
    IReadOnlyList<string> Missing,
    long RssBytes);

/// <summary>A client as reported at the end of a run.</summary>
public sealed record ClientResult(string Id, bool Malicious, int TrainSamples, double? TestAccuracy);

/// <summary>Everything a run produced.</summary>
public sealed record SimulationResult(
    IReadOnlyList<RoundResult> Rounds,
    ClassificationMetrics Final,
    IReadOnlyList<ClientResult> Clients,
    float[] FinalWeights,
    long PeakRssBytes);
