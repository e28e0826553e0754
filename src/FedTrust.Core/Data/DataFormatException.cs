namespace FedTrust.Core.Data;

/// <summary>
/// A data file exists but its contents are not what they must be (bad header, wrong size,
/// out-of-range value, checksum mismatch). The message names the file and the exact problem.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for the file at <paramref name="path"/>.</summary>
    public DataFormatException(string path, string message)
        : base(message)
    {
        Path = path;
    }

    /// <summary>The file (or stream name) the problem was found in.</summary>
    public string Path { get; }
}
