namespace FedTrust.Core.Data;

/// <summary>
/// Partition settings that are valid on their own but cannot be met for this data and client count (e.g. too few samples
/// for every client to hold <c>fedtrust.partition.min-samples</c>). The message is one line naming the keys and the numbers.
/// </summary>
public sealed class PartitionException(string message) : Exception(message);
