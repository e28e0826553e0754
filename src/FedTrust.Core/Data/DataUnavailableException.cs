namespace FedTrust.Core.Data;

/// <summary>
/// A data set's files are missing and every source failed to provide them (the one-line message says which files are
/// missing from where, what was tried and why it failed, and how to supply them), or the data folder cannot be used
/// at all (the message names the path and why: unreadable, or a file).
/// </summary>
public sealed class DataUnavailableException : Exception
{
    /// <summary>Creates the exception and its explanatory message.</summary>
    /// <param name="dataDir">The folder the files are missing from.</param>
    /// <param name="dataset">The data set's display name ("Fashion-MNIST").</param>
    /// <param name="missingFiles">The files still missing.</param>
    /// <param name="attempts">One entry per source tried, saying why it failed.</param>
    /// <param name="remedy">How to supply the files ("to get them, …").</param>
    public DataUnavailableException(string dataDir, string dataset, IReadOnlyList<string> missingFiles, IReadOnlyList<string> attempts, string remedy)
        : base(Explain(dataDir, dataset, missingFiles, attempts, remedy))
    {
        DataDir = dataDir;
        MissingFiles = missingFiles;
        Attempts = attempts;
    }

    /// <summary>The data folder <paramref name="dataDir"/> cannot be used; nothing was fetched or written.</summary>
    public DataUnavailableException(string dataDir, string message, Exception? inner = null)
        : base(message, inner)
    {
        DataDir = dataDir;
        MissingFiles = [];
        Attempts = [];
    }

    /// <summary>The directory that was searched and would have received the files.</summary>
    public string DataDir { get; }

    /// <summary>Names of the files still missing.</summary>
    public IReadOnlyList<string> MissingFiles { get; }

    /// <summary>One line per source tried, saying why it failed.</summary>
    public IReadOnlyList<string> Attempts { get; }

    private static string Explain(string dataDir, string dataset, IReadOnlyList<string> missing, IReadOnlyList<string> attempts, string remedy)
    {
        string tried = attempts.Count > 0 ? $"tried: {string.Join("; ", attempts)}" : "no source to get them from";
        return $"{dataset} is not available: {string.Join(", ", missing)} missing from {dataDir} ({tried}); {remedy}";
    }
}
