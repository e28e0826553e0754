namespace FedTrust.Core.Learning;

/// <summary>
/// What one client holds: indices into the shared training and test sets, and the labels it trains with
/// (its own copy, so a poisoning attack can rewrite them without touching anyone else's).
/// </summary>
public sealed record ClientData(string ClientId, int Index, int[] TrainIndices, long[] TrainLabels, int[] TestIndices, bool Malicious = false)
{
    public static ClientData From(string clientId, int index, int[] trainIndices, int[] testIndices, LabeledTensors train) =>
        new(clientId, index, trainIndices, trainIndices.Select(i => train.Labels[i]).ToArray(), testIndices);
}
