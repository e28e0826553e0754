namespace FedTrust.Actors.Runs;

/// <summary>A run that could not finish; the message says why.</summary>
public sealed class SimulationException(string message, Exception? inner = null) : Exception(message, inner);
