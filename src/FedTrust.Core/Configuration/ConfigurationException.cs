namespace FedTrust.Core.Configuration;

/// <summary>A configuration that cannot be used: its message names the file and line, or the key and what is allowed.</summary>
public sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
