namespace FedTrust.Core.Learning;

/// <summary>
/// What one client holds: indices into the shared training and test sets, and the labels it trains with
/// (its own copy, so a poisoning attack can rewrite them without touching anyone else's).
/// </summary>
public sealed record ClientData(string ClientId, int Index, int[] TrainIndices, long[] TrainLabels, int[] TestIndices, bool Malicious = false)
{
    /// <summary>
    /// The backdoor's poisoned samples: positions into <see cref="TrainIndices"/> whose images the trainer stamps with
    /// <see cref="BackdoorTrigger"/> every time it uses them (the shared images are never changed); null for a
    /// client without a backdoor. Whoever builds the client also rewrites those positions of <see cref="TrainLabels"/>
    /// to the target class (<see cref="Attacks.Backdoor.Poison"/> does both).
    /// </summary>
    public int[]? Triggered { get; init; }

    /// <summary>How many of the client's training samples hold each class (true labels, before any poisoning); null when not known.</summary>
    public int[]? Classes { get; init; }

    public static ClientData From(string clientId, int index, int[] trainIndices, int[] testIndices, LabeledTensors train) =>
        new(clientId, index, trainIndices, trainIndices.Select(i => train.Labels[i]).ToArray(), testIndices);
}
