namespace FedTrust.Core.Data;

/// <summary>The training and test sample indices (into the full dataset) held by one client.</summary>
public sealed record ClientPartition(int Client, int[] TrainIndices, int[] TestIndices);
